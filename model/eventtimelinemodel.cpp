// SPDX-License-Identifier: Apache-2.0
#include "eventtimelinemodel.h"

#include <QDateTime>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace cw::model {

namespace {

QString kindText(TimelineEntry::Kind kind)
{
    switch (kind) {
    case TimelineEntry::Kind::Watch: return u"watch"_s;
    case TimelineEntry::Kind::Connection: return u"connection"_s;
    case TimelineEntry::Kind::Gap: return u"gap"_s;
    }
    return {};
}

QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', 1) + u" s"_s;
}

bool isEventObject(const watch::ObjectRecord &o)
{
    return o.kind == "Event"_L1 && (o.apiVersion.isEmpty() || o.apiVersion == "v1"_L1
                                    || o.apiVersion.startsWith("events.k8s.io/"_L1));
}

// The group-resource part of a stream id ("events.events.k8s.io@ns?l=..." -> "events.events.k8s.io").
bool isEventStreamId(const QString &stream)
{
    const qsizetype end = std::min(stream.indexOf(u'@') < 0 ? stream.size() : stream.indexOf(u'@'),
                                   stream.indexOf(u'?') < 0 ? stream.size() : stream.indexOf(u'?'));
    const QStringView resource = QStringView(stream).left(end);
    return resource == "events"_L1 || resource == "events.events.k8s.io"_L1;
}

// Gaps sort where they were closed, not where they began: that is when the timeline learned of them.
qint64 sortKey(const TimelineEntry &e)
{
    return e.kind == TimelineEntry::Kind::Gap ? e.endMs : e.timeMs;
}

} // namespace

EventTimelineModel::EventTimelineModel(QObject *parent) : QAbstractTableModel(parent) {}

int EventTimelineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int EventTimelineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString EventTimelineModel::displayText(const TimelineEntry &e, int column) const
{
    switch (column) {
    case TimeColumn: return QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(u"HH:mm:ss.zzz"_s);
    case StreamColumn: return e.stream();
    case KindColumn: return kindText(e.kind);
    case TypeColumn: return e.type();
    case NamespaceColumn: return e.ns();
    case NameColumn: return e.name();
    case DetailColumn: return e.detail();
    default: return {};
    }
}

QVariant EventTimelineModel::data(const QModelIndex &index, int role) const
{
    if (!hasIndex(index.row(), index.column(), index.parent()))
        return {};
    const TimelineEntry &e = entry(index.row());
    switch (role) {
    case Qt::DisplayRole: return displayText(e, index.column());
    case Qt::ToolTipRole:
        return index.column() == TimeColumn
                   ? QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(Qt::ISODateWithMs)
                   : (index.column() == DetailColumn ? e.detail() : QVariant());
    case TimeRole: return e.timeMs;
    case EndTimeRole: return e.endMs;
    case StreamRole: return e.stream();
    case KindRole: return int(e.kind);
    case TypeRole: return e.type();
    case RecoveredRole: return e.recovered;
    case ObjectRole: return QVariant::fromValue(e.object);
    case NamespaceRole: return e.ns();
    case NameRole: return e.name();
    default: return {};
    }
}

QVariant EventTimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn: return tr("Time");
    case StreamColumn: return tr("Stream");
    case KindColumn: return tr("Kind");
    case TypeColumn: return tr("Type");
    case NamespaceColumn: return tr("Namespace");
    case NameColumn: return tr("Name");
    case DetailColumn: return tr("Detail");
    default: return {};
    }
}

QHash<int, QByteArray> EventTimelineModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(TimeRole, "time");
    names.insert(EndTimeRole, "endTime");
    names.insert(StreamRole, "stream");
    names.insert(KindRole, "kind");
    names.insert(TypeRole, "type");
    names.insert(RecoveredRole, "recovered");
    names.insert(ObjectRole, "object");
    names.insert(NamespaceRole, "namespace");
    names.insert(NameRole, "name");
    return names;
}

EventTimelineModel::SharedRef EventTimelineModel::interned(const QString &stream, const QString &ns,
                                                          const QString &recoveredReason)
{
    SharedKey key{stream, ns, recoveredReason};
    if (const auto it = m_interned.constFind(key); it != m_interned.cend())
        return *it;
    if (m_interned.size() >= m_internedPruneAt) {
        // Reasons carry a stale cause and namespaces come and go: drop what no entry holds any more.
        m_interned.removeIf([](const auto &it) { return it.value()->ref.loadRelaxed() == 1; });
        m_internedPruneAt = std::max<qsizetype>(64, 2 * m_interned.size());
    }
    auto *value = new TimelineEntry::Shared;
    value->stream = stream;
    value->ns = ns;
    value->recoveredReason = recoveredReason;
    const SharedRef ref(value);
    m_interned.insert(std::move(key), ref);
    return ref;
}

TimelineEntry EventTimelineModel::changeEntry(const QString &stream, const watch::Change &change,
                                              qint64 fallbackMs)
{
    TimelineEntry e;
    e.timeMs = change.receivedMs > 0 ? change.receivedMs : fallbackMs;
    e.endMs = e.timeMs;
    e.kind = TimelineEntry::Kind::Watch;
    e.m_change = quint8(change.type);
    e.recovered = change.recovered;
    e.object = change.object;
    const QString &ns = change.object ? change.object->ns : TimelineEntry::none();
    e.m_shared = interned(stream, ns, change.recoveredReason);
    if (change.object) {
        e.setName(change.object->name);
        e.setUid(change.object->uid);
        e.setResourceVersion(change.object->resourceVersion);
    }
    if (change.previous && change.type == watch::ChangeType::Modified)
        e.setPreviousResourceVersion(change.previous->resourceVersion);
    return e;
}

TimelineEntry EventTimelineModel::healthEntry(const watch::HealthEvent &event)
{
    TimelineEntry e;
    e.timeMs = event.timeMs;
    // A backoff wait is a span: the stream sends nothing until it ends.
    e.endMs = event.timeMs + std::max<qint64>(0, event.backoffMs);
    e.m_shared = interned(event.stream);
    e.kind = TimelineEntry::Kind::Connection;
    e.setType(event.reason);
    e.setResourceVersion(event.lastResourceVersion);
    QStringList parts;
    if (!event.detail.isEmpty())
        parts << event.detail;
    if (event.backoffMs > 0)
        parts << u"retry in "_s + seconds(event.backoffMs);
    if (event.httpCode != 0)
        parts << u"HTTP "_s + QString::number(event.httpCode);
    parts << u"state "_s + watch::streamStateName(event.state);
    e.setDetail(parts.join(u" · "_s));
    return e;
}

TimelineEntry EventTimelineModel::gapEntry(const watch::Gap &gap, StreamMemory &state)
{
    TimelineEntry e;
    e.timeMs = gap.startMs;
    e.endMs = std::max(gap.endMs, gap.startMs);
    e.m_shared = interned(gap.stream);
    e.kind = TimelineEntry::Kind::Gap;
    QString detail = gap.cause + u": stale for "_s + seconds(e.endMs - e.timeMs) + u"; recovered "_s
                     + QString::number(gap.added) + u" added, "_s + QString::number(gap.modified)
                     + u" modified, "_s + QString::number(gap.deleted) + u" deleted"_s;
    if (state.events) {
        e.expiredEvents = state.expiredPending;
        state.expiredPending = 0;
        // Only Events the store had seen can be counted; those created and expired inside the gap left no
        // trace anywhere the client can read.
        detail += u"; "_s + QString::number(e.expiredEvents)
                  + u" Events expired during the gap (plus an unknown number created and expired within it)"_s;
    }
    e.setDetail(detail);
    return e;
}

void EventTimelineModel::applyBatch(const watch::Batch &batch)
{
    const bool newStream = !m_state.contains(batch.stream);
    StreamMemory &state = m_state[batch.stream];
    if (newStream) {
        state.events = isEventStreamId(batch.stream);
        m_streams.append(batch.stream);
    }
    const auto noteObject = [&state](const watch::ObjectRef &o) {
        if (o && !state.events && isEventObject(*o))
            state.events = true;
    };
    if (!batch.snapshot.isEmpty())
        noteObject(batch.snapshot.first());

    const qint64 fallbackMs = batch.sample.timeMs > 0 ? batch.sample.timeMs : QDateTime::currentMSecsSinceEpoch();
    std::vector<TimelineEntry> added;
    added.reserve(size_t(batch.health.size() + batch.gaps.size() + (batch.reset ? 1 : batch.changes.size())));
    for (const watch::HealthEvent &event : batch.health)
        added.push_back(healthEntry(event));

    // The first list of a stream is one summary line: its ADDED are the starting state, not news.
    const bool firstList = batch.reset && !state.listed;
    qint64 summarized = 0;
    for (const watch::Change &change : batch.changes) {
        noteObject(change.object);
        if (firstList && !change.recovered) {
            ++summarized;
            continue;
        }
        if (change.recovered && change.type == watch::ChangeType::Deleted && change.object
            && isEventObject(*change.object))
            ++state.expiredPending;
        added.push_back(changeEntry(batch.stream, change, fallbackMs));
    }
    if (firstList) {
        state.listed = true;
        TimelineEntry summary;
        summary.timeMs = fallbackMs;
        for (const watch::HealthEvent &event : batch.health) {
            if (event.reason == "relist end"_L1)
                summary.timeMs = event.timeMs;
        }
        summary.endMs = summary.timeMs;
        summary.m_shared = interned(batch.stream);
        summary.kind = TimelineEntry::Kind::Watch;
        summary.m_change = quint8(watch::ChangeType::Added);
        const qint64 listed = std::max<qint64>(summarized, batch.snapshot.size());
        summary.setDetail(u"initial list: "_s + QString::number(listed) + u" objects"_s);
        added.push_back(std::move(summary));
    }
    for (const watch::Gap &gap : batch.gaps) {
        added.push_back(gapEntry(gap, state)); // a batch carries the gaps of its own stream
    }
    std::stable_sort(added.begin(), added.end(),
                     [](const TimelineEntry &a, const TimelineEntry &b) { return sortKey(a) < sortKey(b); });
    appendEntries(std::move(added));
    if (newStream)
        emit streamsChanged();
}

void EventTimelineModel::appendEntries(std::vector<TimelineEntry> &&entries)
{
    if (entries.empty() || m_capacity <= 0)
        return;
    auto first = entries.begin();
    if (entries.size() > size_t(m_capacity))
        first = entries.end() - m_capacity; // more than fits: only the newest enter
    const int count = int(entries.end() - first);
    trimTo(m_capacity - count);
    const int row = int(m_entries.size());
    beginInsertRows({}, row, row + count - 1);
    for (auto it = first; it != entries.end(); ++it) {
        const qint64 previous = m_orderKeys.empty() ? sortKey(*it) : m_orderKeys.back();
        m_orderKeys.push_back(std::max(previous, sortKey(*it)));
        if (it->isSpan())
            m_spanSeqs.push_back(m_dropped + qint64(m_entries.size()));
        m_entries.push_back(std::move(*it));
    }
    endInsertRows();
    // Old versions held by old entries would add up to gigabytes on a busy cluster; the newest keep theirs.
    const qint64 keepFrom = m_dropped + qint64(m_entries.size()) - m_objectRetention;
    for (qint64 seq = std::max(m_objectsReleased, m_dropped); seq < keepFrom; ++seq)
        m_entries[size_t(seq - m_dropped)].object.reset();
    m_objectsReleased = std::max(m_objectsReleased, keepFrom);
}

void EventTimelineModel::setObjectRetention(int entries)
{
    m_objectRetention = std::max(0, entries);
}

void EventTimelineModel::trimTo(int capacity)
{
    const int excess = int(m_entries.size()) - std::max(0, capacity);
    if (excess <= 0)
        return;
    beginRemoveRows({}, 0, excess - 1);
    m_entries.erase(m_entries.begin(), m_entries.begin() + excess);
    m_orderKeys.erase(m_orderKeys.begin(), m_orderKeys.begin() + excess);
    m_dropped += excess;
    while (!m_spanSeqs.empty() && m_spanSeqs.front() < m_dropped)
        m_spanSeqs.pop_front();
    endRemoveRows();
}

void EventTimelineModel::setCapacity(int capacity)
{
    m_capacity = std::max(0, capacity);
    trimTo(m_capacity);
}

void EventTimelineModel::clear()
{
    beginResetModel();
    m_entries.clear();
    m_orderKeys.clear();
    m_spanSeqs.clear();
    m_dropped = 0;
    endResetModel();
}

std::pair<int, int> EventTimelineModel::rowsBetween(qint64 fromMs, qint64 toMs) const
{
    const auto first = std::lower_bound(m_orderKeys.begin(), m_orderKeys.end(), fromMs);
    const auto last = std::upper_bound(first, m_orderKeys.end(), toMs + OrderSlackMs);
    return {int(first - m_orderKeys.begin()), int(last - m_orderKeys.begin())};
}

QList<int> EventTimelineModel::spanRowsBetween(qint64 fromMs, qint64 toMs) const
{
    QList<int> rows;
    for (const qint64 seq : m_spanSeqs) {
        const int row = int(seq - m_dropped);
        const TimelineEntry &e = entry(row);
        if (e.timeMs <= toMs && e.endMs >= fromMs)
            rows.append(row);
    }
    return rows;
}

} // namespace cw::model
