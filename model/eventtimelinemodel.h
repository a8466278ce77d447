// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "timelineentry.h"
#include "watchtypes.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QStringList>

#include <deque>
#include <utility>

namespace cw::model {

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
    // What entries intern: few streams, namespaces and recovered reasons, so few combinations.
    struct SharedKey
    {
        QString stream;
        QString ns;
        QString recoveredReason;
        bool operator==(const SharedKey &) const = default;
        friend size_t qHash(const SharedKey &key, size_t seed = 0)
        {
            return qHashMulti(seed, key.stream, key.ns, key.recoveredReason);
        }
    };
    using SharedRef = QExplicitlySharedDataPointer<const TimelineEntry::Shared>;

    struct StreamMemory
    {
        bool listed = false;     // its first list was summarized; later lists are relists
        bool events = false;     // it carries Event objects: gaps count the Events that expired
        int expiredPending = 0;  // Events a relist found deleted, waiting for the gap they belong to
    };

    void appendEntries(std::vector<TimelineEntry> &&entries);
    void trimTo(int capacity);
    SharedRef interned(const QString &stream, const QString &ns = {}, const QString &recoveredReason = {});
    TimelineEntry changeEntry(const QString &stream, const cw::watch::Change &change, qint64 fallbackMs);
    TimelineEntry healthEntry(const cw::watch::HealthEvent &event);
    TimelineEntry gapEntry(const cw::watch::Gap &gap, StreamMemory &state);
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
    QHash<SharedKey, SharedRef> m_interned;
    qsizetype m_internedPruneAt = 64; // the pool size at which values no entry holds are dropped
};

} // namespace cw::model
