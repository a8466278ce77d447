// SPDX-License-Identifier: Apache-2.0
#include "timelineexport.h"

#include "outputs.h"

using namespace Qt::StringLiterals;

namespace cw::ui {

namespace {

using model::TimelineEntry;

QByteArray kindName(TimelineEntry::Kind kind)
{
    switch (kind) {
    case TimelineEntry::Kind::Watch: return QByteArrayLiteral("watch");
    case TimelineEntry::Kind::Connection: return QByteArrayLiteral("connection");
    case TimelineEntry::Kind::Gap: return QByteArrayLiteral("gap");
    }
    return {};
}

bool isChange(const TimelineEntry &e)
{
    return e.kind == TimelineEntry::Kind::Watch && e.object;
}

watch::Change asChange(const TimelineEntry &e)
{
    watch::Change change;
    change.type = e.changeType();
    change.object = e.object;
    change.recovered = e.recovered;
    change.recoveredReason = e.recoveredReason();
    change.receivedMs = e.timeMs;
    return change;
}

// The --events-out line without its terminator, so that fields can follow.
QByteArray baseLine(app::EventWriter::Format format, const QString &cluster, const TimelineEntry &e)
{
    const QString resource = TimelineExport::resourceOf(e.stream());
    QByteArray line;
    if (isChange(e)) {
        line = app::EventWriter::line(format, cluster, resource, asChange(e));
    } else if (format == app::EventWriter::Format::Csv) {
        line = app::csvField(app::rfc3339(e.timeMs)) + ',' + app::csvField(cluster) + ',' + app::csvField(resource)
               + ',' + app::csvField(e.type()) + ',' + app::csvField(e.ns()) + ',' + app::csvField(e.name())
               + ',' + app::csvField(e.uid()) + ',' + app::csvField(e.resourceVersion()) + ",false,\r\n";
    } else {
        line = "{\"time\":" + app::jsonString(app::rfc3339(e.timeMs)) + ",\"cluster\":" + app::jsonString(cluster)
               + ",\"resource\":" + app::jsonString(resource) + ",\"type\":" + app::jsonString(e.type())
               + ",\"namespace\":" + app::jsonString(e.ns()) + ",\"name\":" + app::jsonString(e.name())
               + ",\"uid\":" + app::jsonString(e.uid()) + ",\"resourceVersion\":"
               + app::jsonString(e.resourceVersion()) + ",\"recovered\":false,\"reason\":\"\"}\n";
    }
    line.chop(2); // "\r\n" or "}\n"
    return line;
}

} // namespace

QString TimelineExport::resourceOf(const QString &stream)
{
    qsizetype end = stream.size();
    for (const QChar separator : {u'@', u'?'}) {
        const qsizetype at = stream.indexOf(separator);
        if (at >= 0)
            end = std::min(end, at);
    }
    return stream.left(end);
}

QByteArray TimelineExport::toJsonLines(const model::EventTimelineModel &model, const QList<int> &rows,
                                       const QString &cluster, bool showSecrets)
{
    QByteArray out;
    for (const int row : rows) {
        if (row < 0 || row >= model.rowCount())
            continue;
        const TimelineEntry &e = model.entry(row);
        out += baseLine(app::EventWriter::Format::JsonLines, cluster, e);
        out += ",\"kind\":\"" + kindName(e.kind) + "\",\"stream\":" + app::jsonString(e.stream())
               + ",\"end\":" + app::jsonString(app::rfc3339(e.endMs))
               + ",\"detail\":" + app::jsonString(e.detail());
        if (e.kind == TimelineEntry::Kind::Gap)
            out += ",\"expiredEvents\":" + QByteArray::number(e.expiredEvents);
        if (e.object && !e.object->object.isEmpty()) {
            const bool secret = app::isSecret(*e.object) || resourceOf(e.stream()) == "secrets"_L1;
            out += ",\"object\":" + (secret && !showSecrets ? app::maskSecret(*e.object) : e.object->object);
        }
        out += "}\n";
    }
    return out;
}

QByteArray TimelineExport::csvHeader()
{
    QByteArray header = app::EventWriter::csvHeader();
    header.chop(2);
    return header + ",kind,stream,end,detail\r\n";
}

QByteArray TimelineExport::toCsv(const model::EventTimelineModel &model, const QList<int> &rows,
                                 const QString &cluster)
{
    QByteArray out = csvHeader();
    for (const int row : rows) {
        if (row < 0 || row >= model.rowCount())
            continue;
        const TimelineEntry &e = model.entry(row);
        out += baseLine(app::EventWriter::Format::Csv, cluster, e) + ',' + kindName(e.kind) + ','
               + app::csvField(e.stream()) + ',' + app::csvField(app::rfc3339(e.endMs)) + ','
               + app::csvField(e.detail()) + "\r\n";
    }
    return out;
}

} // namespace cw::ui
