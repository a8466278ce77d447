// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eventtimelinemodel.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace cw::ui {

// File > Export of timeline rows. Watch entries are written with exactly the fields of the headless
// --events-out (app/outputs.h), then kind, stream, end and detail; connection and gap entries use the same
// fields with their reason or "gap" as the type. Only JSON lines embed the object, a Secret masked unless
// showSecrets.
class TimelineExport
{
public:
    static QByteArray toJsonLines(const model::EventTimelineModel &model, const QList<int> &rows,
                                  const QString &cluster, bool showSecrets);
    static QByteArray csvHeader();
    // With the header row.
    static QByteArray toCsv(const model::EventTimelineModel &model, const QList<int> &rows, const QString &cluster);
    // "deployments.apps@shop?l=app=web" -> "deployments.apps": the resource column of --events-out.
    static QString resourceOf(const QString &stream);
};

} // namespace cw::ui
