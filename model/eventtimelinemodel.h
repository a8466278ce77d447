// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "watchtypes.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QMetaType>
#include <QStringList>

#include <deque>
#include <utility>

namespace cw::model {

// One line of the timeline: a watch change, a connection event or a gap span.
struct TimelineEntry
{
    enum class Kind { Watch, Connection, Gap };

    qint64 timeMs = 0; // wall clock, ms since epoch
    qint64 endMs = 0;  // == timeMs for a point; the end of a gap or backoff wait for a span
    QString stream;
    Kind kind = Kind::Watch;
    // Watch: "ADDED" / "MODIFIED" / "DELETED"; Connection: the health reason ("connected", "backoff"...);
    // Gap: "gap"; the summary of a stream's first list: "initial list".
    QString type;
    QString ns;
    QString name;
    QString uid;
    QString resourceVersion;
    bool recovered = false;
    QString recoveredReason; // why a relist synthesized it, e.g. "relist after 410 Expired"
    QString detail;
    cw::watch::ObjectRef object; // Watch only; for DELETED the last known state
    int expiredEvents = -1;      // Gap on a stream of Events: Events the relist found deleted; -1 otherwise

    bool isSpan() const { return endMs > timeMs; }
};

// Every watch event and every connection event of a session, append-ordered, bounded by a capacity.
class EventTimelineModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TimeColumn, StreamColumn, KindColumn, TypeColumn, NamespaceColumn, NameColumn, DetailColumn,
                  ColumnCount };
    enum Role {
        TimeRole = Qt::UserRole + 1, // qint64
        EndTimeRole,                 // qint64
        StreamRole,
        KindRole,                    // int(TimelineEntry::Kind)
        TypeRole,
        RecoveredRole,               // bool
        ObjectRole,                  // QVariant::fromValue(ObjectRef)
        NamespaceRole,
        NameRole,
    };

    static constexpr int DefaultCapacity = 200'000;

    explicit EventTimelineModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void applyBatch(const cw::watch::Batch &batch);
    void clear();

    int capacity() const { return m_capacity; }
    // Drops the oldest entries at once if the model holds more.
    void setCapacity(int capacity);
    // Only the newest entries keep their object (for export and for showing a deleted one); older entries
    // keep what identifies it. Default ObjectRetention.
    static constexpr int ObjectRetention = 1000;
    void setObjectRetention(int entries);

    const TimelineEntry &entry(int row) const { return m_entries[size_t(row)]; }
    QStringList streams() const { return m_streams; }

    // Rows whose point entries may lie in [fromMs, toMs]: a superset, the caller checks each entry's time.
    // Binary search over the append order, so painting a window of a full model stays cheap.
    std::pair<int, int> rowsBetween(qint64 fromMs, qint64 toMs) const;
    // Rows of span entries (gaps, backoff waits) overlapping [fromMs, toMs]. Spans are few: a linear scan.
    QList<int> spanRowsBetween(qint64 fromMs, qint64 toMs) const;

    // Points that arrive later than a newer neighbour by more than this are not found by rowsBetween():
    // batches of different streams leave the watch thread in order within this margin.
    static constexpr qint64 OrderSlackMs = 10'000;

Q_SIGNALS:
    void streamsChanged();

private:
    struct StreamMemory
    {
        bool listed = false;     // its first list was summarized; later lists are relists
        bool events = false;     // it carries Event objects: gaps count the Events that expired
        int expiredPending = 0;  // Events a relist found deleted, waiting for the gap they belong to
    };

    void appendEntries(std::vector<TimelineEntry> &&entries);
    void trimTo(int capacity);
    TimelineEntry changeEntry(const QString &stream, const cw::watch::Change &change, qint64 fallbackMs) const;
    TimelineEntry healthEntry(const cw::watch::HealthEvent &event) const;
    TimelineEntry gapEntry(const cw::watch::Gap &gap, StreamMemory &state) const;
    QString displayText(const TimelineEntry &e, int column) const;

    int m_capacity = DefaultCapacity;
    std::deque<TimelineEntry> m_entries;
    // Running maximum of the entries' times, one per entry: non-decreasing, so binary-searchable.
    std::deque<qint64> m_orderKeys;
    // Sequence numbers (rows + m_dropped) of span entries, oldest first.
    std::deque<qint64> m_spanSeqs;
    qint64 m_dropped = 0;
    qint64 m_objectsReleased = 0; // entries before this sequence number no longer hold their object
    int m_objectRetention = ObjectRetention;
    QStringList m_streams;
    QHash<QString, StreamMemory> m_state;
};

} // namespace cw::model

Q_DECLARE_METATYPE(cw::model::TimelineEntry)
