// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QString>

namespace cw::model {

// What `kubectl get pods` derives from a pod for READY, STATUS and RESTARTS, with kubectl's rules
// (printPod in kubernetes/pkg/printers/internalversion/printers.go): sidecars (restartable init containers)
// count as containers, an unfinished init container reports "Init:…", the last container with a waiting or
// terminated reason wins, and a deletionTimestamp reads "Terminating" (or "Unknown" on a lost node).
struct PodSummary
{
    int ready = 0;
    int total = 0;
    QString status;
    int restarts = 0;
    qint64 lastRestartMs = 0; // the latest lastState.terminated.finishedAt that counted; 0: none
};

PodSummary summarizePod(const QJsonObject &pod);

} // namespace cw::model
