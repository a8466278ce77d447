// SPDX-License-Identifier: Apache-2.0
#include "testmain.h"

#ifdef CW_TEST_GUI
#include <QApplication>
#else
#include <QCoreApplication>
#endif
#include <QTest>

#include <memory>

namespace cw::test {
std::vector<Factory> &registry()
{
    static std::vector<Factory> factories;
    return factories;
}
} // namespace cw::test

// Usage: <binary> [ClassName] [Qt Test options]. A leading class name runs only that class.
int main(int argc, char **argv)
{
#ifdef CW_TEST_GUI
    QApplication app(argc, argv);
#else
    QCoreApplication app(argc, argv);
#endif
    QByteArray only;
    std::vector<char *> args(argv, argv + argc);
    if (args.size() > 1 && args[1][0] != '-') {
        only = args[1];
        args.erase(args.begin() + 1);
    }
    int failed = 0;
    int ran = 0;
    for (const auto factory : cw::test::registry()) {
        std::unique_ptr<QObject> suite(factory());
        if (!only.isEmpty() && only != suite->metaObject()->className())
            continue;
        ++ran;
        failed += QTest::qExec(suite.get(), int(args.size()), args.data()) != 0 ? 1 : 0;
    }
    if (ran == 0) {
        qCritical("no test class matched");
        return 2;
    }
    return failed == 0 ? 0 : 1;
}
