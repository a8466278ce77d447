// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonValue>
#include <QString>

namespace cw::ui {

// YAML the way `kubectl get -o yaml` prints an object, so what users see matches what they know:
// - 2-space indentation; a list under a key is not indented further ("key:\n- a"), maps in lists start on the
//   dash line ("- name: x"); empty maps and lists are "{}" and "[]".
// - keys in alphabetical order: kubectl decodes into a map and prints it sorted, and QJsonObject sorts too.
// - strings plain when a YAML 1.1 reader would read them back as the same string; double-quoted when they
//   would read as another type ("yes", "on", "~", "null", "0x1F", "1:20", "2024-01-01", "", and unlike
//   kubectl "=" and "<<", which YAML 1.1 readers such as PyYAML reject as plain values) or hold
//   control characters; single-quoted when they start with an indicator, hold ": " or " #", end in ':' or
//   have surrounding spaces; multi-line strings as literal blocks (| |- |+, with an indentation indicator
//   when the text starts with a space or a line break), double-quoted instead when a line ends in a space.
// - unlike kubectl, long scalars are not folded at 80 columns: one value stays on one line, so find and
//   copy see it whole; floats in exponent form keep a dot ("1.0e+21") so YAML 1.1 reads them as floats.
// Ends with a line break unless empty; a scalar at the root is written as one line.
QString toYaml(const QJsonValue &value);

} // namespace cw::ui
