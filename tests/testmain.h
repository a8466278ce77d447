// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

#include <vector>

// Several Qt Test classes share one binary: each registers itself with CW_TEST(Class) and the
// shared main runs them in turn. Keeps the number of test binaries (and link time) small.
namespace cw::test {
using Factory = QObject *(*)();
std::vector<Factory> &registry();
struct Registrar
{
    explicit Registrar(Factory factory) { registry().push_back(factory); }
};
} // namespace cw::test

#define CW_TEST(Class)                                                                                             \
    static const ::cw::test::Registrar cwTestRegistrar_##Class([]() -> QObject * { return new Class; });
