// SPDX-License-Identifier: Apache-2.0
#include "streamhealthmodel.h"

#include <QDateTime>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace cw::model {

namespace {

using watch::StreamState;

// Thousands grouped the same way on every machine: these texts end up in screenshots and bug reports.
QString count(qint64 n)
{
    static const QLocale english(QLocale::English, QLocale::UnitedStates);
    return english.toString(n);
}

QString duration(qint64 ms)
{
    const qint64 s = std::max<qint64>(0, ms) / 1000;
    if (s < 60)
        return QString::number(s) + u" s"_s;
    if (s < 3600)
        return QString::number(s / 60) + u" min "_s + QString::number(s % 60).rightJustified(2, u'0') + u" s"_s;
    return QString::number(s / 3600) + u" h "_s + QString::number(s / 60 % 60).rightJustified(2, u'0') + u" min"_s;
}

QString ago(qint64 ms)
{
    const qint64 s = std::max<qint64>(0, ms) / 1000;
    if (s < 60)
        return QString::number(s) + u" s ago"_s;
    if (s < 3600)
        return QString::number(s / 60) + u" min ago"_s;
    return QString::number(s / 3600) + u" h ago"_s;
}

QString bytes(qint64 n)
{
    if (n < 1024)
        return QString::number(n) + u" B"_s;
    if (n < 1024 * 1024)
        return QString::number(double(n) / 1024.0, 'f', 1) + u" KiB"_s;
    if (n < 1024LL * 1024 * 1024)
        return QString::number(double(n) / (1024.0 * 1024.0), 'f', 1) + u" MiB"_s;
    return QString::number(double(n) / (1024.0 * 1024.0 * 1024.0), 'f', 2) + u" GiB"_s;
}

QString waitText(qint64 ms)
{
    return QString::number(double(std::max<qint64>(0, ms)) / 1000.0, 'f', 1) + u" s"_s;
}

QString listProgress(const watch::StreamSample &s)
{
    return s.listTotal >= 0 ? count(s.listed) + u" / "_s + count(s.listTotal) : count(s.listed);
}

// What a stream not live is doing, as the tail of "stale since 14:02:11 · …".
QString activity(StreamState state)
{
    switch (state) {
    case StreamState::Connecting: return u"connecting"_s;
    case StreamState::Listing: return u"listing"_s;
    case StreamState::Live: return u"catching up"_s;
    case StreamState::Backoff: return u"reconnecting"_s;
    case StreamState::Stalled: return u"stalled"_s;
    case StreamState::Offline: return u"offline"_s;
    case StreamState::Failed: return u"failed"_s;
    case StreamState::Stopped: return u"stopped"_s;
    }
    return {};
}

QString capitalized(QString text)
{
    if (!text.isEmpty())
        text[0] = text[0].toUpper();
    return text;
}

} // namespace

StreamHealthModel::StreamHealthModel(QObject *parent)
    : QAbstractTableModel(parent), m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &StreamHealthModel::tick);
}

void StreamHealthModel::setClock(Clock clock)
{
    m_clock = std::move(clock);
}

int StreamHealthModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int StreamHealthModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString StreamHealthModel::timeOfDay(qint64 ms) const
{
    return QDateTime::fromMSecsSinceEpoch(ms, m_zone).toString(u"HH:mm:ss"_s);
}

QString StreamHealthModel::displayText(const Row &row, int column) const
{
    const watch::StreamSample &s = row.sample;
    const qint64 nowMs = m_clock();
    switch (column) {
    case StreamColumn: return row.stream;
    case StateColumn: return watch::streamStateName(s.state);
    case UptimeColumn:
        return row.connectedSinceMs && s.state == StreamState::Live ? duration(nowMs - *row.connectedSinceMs)
                                                                     : u"—"_s;
    case EventsColumn: return count(s.events);
    case BytesColumn: return bytes(s.bytes);
    case ReconnectsColumn: return count(row.counters.reconnects);
    case RelistsColumn: return count(row.counters.relists);
    case GapsColumn: return count(row.counters.gaps);
    case StallsColumn: return count(row.counters.stalls);
    case LastRvColumn: return row.counters.lastResourceVersion;
    case LastByteColumn: return s.lastByteMs > 0 ? ago(nowMs - s.lastByteMs) : u"never"_s;
    case LastErrorColumn: return row.lastError;
    default: return {};
    }
}

QVariant StreamHealthModel::data(const QModelIndex &index, int role) const
{
    if (!hasIndex(index.row(), index.column(), index.parent()))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return displayText(row, index.column());
    case Qt::ToolTipRole: return freshnessText(row.stream, m_clock());
    case Qt::TextAlignmentRole:
        return index.column() >= EventsColumn && index.column() <= StallsColumn
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant();
    case StreamRole: return row.stream;
    case StateRole: return int(row.sample.state);
    case StaleSinceRole: return row.sample.staleSinceMs;
    case FreshnessRole: return freshnessText(row.stream, m_clock());
    case BannerRole: return bannerText(row.stream, m_clock());
    default: return {};
    }
}

QVariant StreamHealthModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StreamColumn: return tr("Stream");
    case StateColumn: return tr("State");
    case UptimeColumn: return tr("Uptime");
    case EventsColumn: return tr("Events");
    case BytesColumn: return tr("Bytes");
    case ReconnectsColumn: return tr("Reconnects");
    case RelistsColumn: return tr("Relists");
    case GapsColumn: return tr("Gaps");
    case StallsColumn: return tr("Stalls");
    case LastRvColumn: return tr("Last RV");
    case LastByteColumn: return tr("Last byte");
    case LastErrorColumn: return tr("Last error");
    default: return {};
    }
}

void StreamHealthModel::applyBatch(const watch::Batch &batch)
{
    int r = rowOf(batch.stream);
    if (r < 0) {
        r = int(m_rows.size());
        beginInsertRows({}, r, r);
        m_rows.append(Row{batch.stream, {}, {}, false, std::nullopt, {}});
        endInsertRows();
        if (!m_tick.isActive())
            m_tick.start();
    }
    Row &row = m_rows[r];
    for (const watch::HealthEvent &e : batch.health) {
        // The error counter grows on every failure the stream met; the event that grew it says which.
        if (e.errors > row.counters.errors || e.state == StreamState::Failed)
            row.lastError = e.detail.isEmpty() ? e.reason : e.reason + u": "_s + e.detail;
        if (e.reason == "connected"_L1)
            row.connectedSinceMs = e.timeMs;
        else if (e.state != StreamState::Live)
            row.connectedSinceMs.reset();
        row.counters = e;
        row.hasCounters = true;
        row.sample.state = e.state; // until a sample says otherwise
    }
    if (batch.sample.timeMs > 0)
        row.sample = batch.sample;
    emit dataChanged(index(r, 0), index(r, ColumnCount - 1));
}

void StreamHealthModel::tick()
{
    if (m_rows.isEmpty())
        return;
    const int last = int(m_rows.size()) - 1;
    emit dataChanged(index(0, UptimeColumn), index(last, UptimeColumn), {Qt::DisplayRole});
    emit dataChanged(index(0, LastByteColumn), index(last, LastByteColumn), {Qt::DisplayRole});
    // Freshness and banner texts count seconds too; they are served on every column, announce them on one.
    emit dataChanged(index(0, StreamColumn), index(last, StreamColumn),
                     {Qt::ToolTipRole, FreshnessRole, BannerRole});
}

QStringList StreamHealthModel::streams() const
{
    QStringList names;
    names.reserve(m_rows.size());
    for (const Row &row : m_rows)
        names.append(row.stream);
    return names;
}

int StreamHealthModel::rowOf(const QString &stream) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).stream == stream)
            return int(i);
    }
    return -1;
}

const StreamHealthModel::Row *StreamHealthModel::find(const QString &stream) const
{
    const int r = rowOf(stream);
    return r < 0 ? nullptr : &m_rows.at(r);
}

watch::StreamSample StreamHealthModel::sample(const QString &stream) const
{
    const Row *row = find(stream);
    return row ? row->sample : watch::StreamSample{};
}

QString StreamHealthModel::lastError(const QString &stream) const
{
    const Row *row = find(stream);
    return row ? row->lastError : QString();
}

std::optional<qint64> StreamHealthModel::staleSince(const QString &stream) const
{
    const Row *row = find(stream);
    if (!row || row->sample.staleSinceMs == 0)
        return std::nullopt;
    return row->sample.staleSinceMs;
}

QString StreamHealthModel::freshnessText(const QString &stream, qint64 nowMs) const
{
    const Row *row = find(stream);
    if (!row)
        return {};
    const watch::StreamSample &s = row->sample;
    if (s.state == StreamState::Failed)
        return u"failed: "_s + (row->lastError.isEmpty() ? u"unknown error"_s : row->lastError);
    if (s.state == StreamState::Stopped)
        return u"stopped"_s;
    const QString stale = s.staleSinceMs > 0 ? u"stale since "_s + timeOfDay(s.staleSinceMs) + u" · "_s : QString();
    if (s.listing)
        return stale + u"listing "_s + listProgress(s);
    if (s.retryAtMs > nowMs)
        return stale + (stale.isEmpty() ? u"connecting in "_s : u"reconnecting in "_s) + waitText(s.retryAtMs - nowMs);
    if (!stale.isEmpty())
        return stale + activity(s.state);
    if (s.state == StreamState::Live)
        return s.lastEventMs > 0 ? u"live · last event "_s + ago(nowMs - s.lastEventMs) : u"live · no events yet"_s;
    return activity(s.state);
}

QString StreamHealthModel::bannerText(const QString &stream, qint64 nowMs) const
{
    const Row *row = find(stream);
    if (!row)
        return {};
    const watch::StreamSample &s = row->sample;
    const bool stale = s.staleSinceMs > 0;
    const QString since = stale ? timeOfDay(s.staleSinceMs) : QString();
    if (s.state == StreamState::Live && !stale)
        return {};
    if (s.state == StreamState::Failed) {
        const QString why = row->lastError.isEmpty() ? u"unknown error"_s : row->lastError;
        return u"Stream failed: "_s + why + u" — the data is no longer updated"_s
               + (stale ? u" and may be stale since "_s + since : QString());
    }
    if (s.state == StreamState::Stopped)
        return u"Stopped — the data is no longer updated"_s;
    QString what;
    if (s.listing)
        what = (stale ? u"Relisting "_s : u"Listing "_s) + listProgress(s);
    else if (s.retryAtMs > nowMs)
        what = (stale ? u"Reconnecting in "_s : u"Connecting in "_s) + waitText(s.retryAtMs - nowMs);
    else
        what = capitalized(activity(s.state));
    if (stale)
        return what + u" — data may be stale since "_s + since;
    return what + (s.listing ? u" — the data is incomplete until the list ends"_s : u" — no data yet"_s);
}

} // namespace cw::model
