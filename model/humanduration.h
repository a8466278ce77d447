// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringView>

namespace cw::model {

// kubectl's duration text (k8s.io/apimachinery/pkg/util/duration.HumanDuration): about two significant
// figures, "45s", "3m2s", "10m", "5h", "2d3h", "8d", "2y34d". Up to one second in the future counts as "0s"
// (clock skew); further is "<invalid>".
QString humanDuration(qint64 ms);

// A Kubernetes Time or MicroTime ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00.123456Z", or with a numeric
// offset) as ms since the epoch; 0 when empty or malformed. Hand-parsed: it runs for every timestamp of every
// object version, where QDateTime parsing is measurably slower.
qint64 parseKubeTime(QStringView text);

} // namespace cw::model
