// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "resources.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace cw::sim {

// Server-side Table (meta.k8s.io/v1) content as the real apiserver's printers produce it
// (kubernetes pkg/printers/internalversion/printers.go). The server always prints the wide form: every row
// has one cell per column, and clients hide priority > 0 columns themselves.

// columnDefinitions: name, type, format, description, priority. A null type gets the default Name/Created At
// pair.
QJsonArray tableColumns(const ResourceType *type);
// One cell per column: JSON strings, or integers where the real printer emits int64 (e.g. Data, Desired,
// Count).
QJsonArray tableCells(const ResourceType *type, const QJsonObject &object, qint64 nowMsecs);
// Row conditions the real printer attaches: Completed/True for pods that Succeeded or Failed, else empty.
QJsonArray tableRowConditions(const ResourceType *type, const QJsonObject &object);

// The pod STATUS column (protocol doc §6, printPod), e.g. "Running", "Init:0/2", "CrashLoopBackOff",
// "Terminating".
QString podStatus(const QJsonObject &pod);
// apimachinery duration.HumanDuration: "45s", "3m20s", "12m", "5h30m", "3h", "4d2h", "12d", "2y100d", "9y".
QString humanDuration(qint64 msecs);

} // namespace cw::sim
