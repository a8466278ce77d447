// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "resources.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QString>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace cw::sim {

// One immutable version of a stored object. Shared between the store, its history and every watch stream.
struct SimObject
{
    const ResourceType *type = nullptr; // the storage type (core Event for both Event APIs)
    QString ns;
    QString name;
    QString uid;
    qint64 rv = 0;
    QMap<QString, QString> labels;
    // Field-selector label -> value, for every label the type (and its alias) accepts.
    QHash<QString, QString> fields;
    // Compact JSON of the object without kind/apiVersion (LIST items carry neither).
    QByteArray json;
    // events.k8s.io/v1 rendering of a core Event; empty for every other type.
    QByteArray aliasJson;

    QString key() const { return ns.isEmpty() ? name : ns + QLatin1Char('/') + name; }
    // The JSON as the given served type renders it (the alias rendering for events.k8s.io).
    const QByteArray &jsonFor(const ResourceType *served) const
    {
        return served && served->isAlias() ? aliasJson : json;
    }
    QJsonObject toJsonObject(const ResourceType *served = nullptr) const;
    bool isTerminating() const;
};
using ObjectPtr = std::shared_ptr<const SimObject>;

enum class EventType { Added, Modified, Deleted };
const char *eventTypeName(EventType type);

// One change, as the watch history keeps it. For Deleted, `object` is the last state with the deletion RV.
struct StoreEvent
{
    EventType type = EventType::Added;
    qint64 rv = 0;
    qint64 timeMs = 0;
    ObjectPtr object;
    ObjectPtr previous; // state before the change (null for Added); selector transitions need it
};

// Outcome of a write. On failure `code` is the HTTP status and `reason` the Status reason.
struct WriteResult
{
    ObjectPtr object;
    int code = 200;
    QString reason;
    QString message;
    bool ok() const { return object != nullptr; }
    static WriteResult success(ObjectPtr object) { return {std::move(object), 200, {}, {}}; }
};

// The sim's etcd + watch cache: one global resourceVersion counter, per-key version chains (so paginated
// LISTs are consistent snapshots and Exact-RV LISTs work), a bounded event history, and compaction.
// Lives on the sim thread; not thread-safe.
class Store : public QObject
{
    Q_OBJECT
public:
    // Starting well above 0 keeps "0" from ever naming a real version (protocol doc §3.9).
    explicit Store(qint64 firstRv = 10'000, QObject *parent = nullptr);

    qint64 currentRv() const { return m_rv; }
    // A LIST (or continue token) at an RV below this answers 410 Expired.
    qint64 compactedRv() const { return m_compactedRv; }
    // RV of the oldest event still in the watch history (currentRv()+1 if empty).
    qint64 oldestHistoryRv() const;
    // Whether a watch from `rv` can be served from history (protocol doc §3.2: rv >= oldest - 1).
    bool canWatchFrom(qint64 rv) const;

    ObjectPtr get(const ResourceType *type, const QString &ns, const QString &name) const;
    // Objects of `type` (its storage type) in `ns` (empty: all), in key order, as of `atRv` (0: now),
    // strictly after `afterKey`, at most `limit` (0: no limit). `more` tells whether items were left.
    // `filter` (optional) selects objects before limit and counts apply.
    QList<ObjectPtr> list(const ResourceType *type, const QString &ns, qint64 atRv = 0, const QString &afterKey = {},
                          int limit = 0, bool *more = nullptr, qint64 *remaining = nullptr,
                          const std::function<bool(const SimObject &)> &filter = {}) const;
    int count(const ResourceType *type) const;
    // What the store keeps beyond the current objects: watch history events, and stored versions of every
    // object (current ones included), the figures compaction and the history window bound.
    size_t historySize() const { return m_history.size(); }
    size_t versionCount() const;

    // Writes take the full object; the store assigns uid/creationTimestamp (create), resourceVersion and
    // derived data. `served` is the type the client addressed (an alias converts to storage form).
    WriteResult create(const ResourceType *served, QJsonObject object);
    // Replaces the object. A non-empty metadata.resourceVersion that is not current answers 409 Conflict.
    WriteResult update(const ResourceType *served, QJsonObject object);
    // Removes at once (no grace period handling here: the API layer does that by updating first).
    WriteResult remove(const ResourceType *served, const QString &ns, const QString &name,
                       std::optional<qint64> preconditionRv = std::nullopt);
    // New resourceVersion, same content: cheap MODIFIED events for benchmarks (splices the RV in place).
    ObjectPtr touch(const ObjectPtr &object);

    // History: events with rv > `afterRv`, oldest first, at most `max` (0: all).
    std::vector<StoreEvent> eventsAfter(qint64 afterRv, size_t max = 0) const;
    void setHistoryLimits(size_t capacity, int windowSeconds);
    void setCompactionInterval(int seconds) { m_compactionIntervalSec = seconds; }
    // Periodic housekeeping: trims history by window/capacity, compacts versions older than the interval.
    void maintain();
    // Fault: expire history and all old versions now (every watch from before now gets 410).
    void compactNow();
    // Fault: etcd restore. State goes back `back` resourceVersions; the counter restarts there.
    void rewind(qint64 back);

    // The same object stamped with another resourceVersion (JSON included).
    static ObjectPtr restamp(const ObjectPtr &object, qint64 rv);
    static QString timestamp(qint64 msecsSinceEpoch);
    static QString nowTimestamp() { return timestamp(QDateTime::currentMSecsSinceEpoch()); }

signals:
    // Emitted synchronously after every write, in RV order.
    void changed(const cw::sim::StoreEvent &event);
    // Emitted after compactNow()/rewind(): watch streams must re-check their position.
    void historyReset();

private:
    struct Version
    {
        qint64 rv = 0;
        ObjectPtr object; // null: deleted at rv
    };
    using Chain = std::vector<Version>; // oldest first
    using Bucket = std::map<QString, Chain>;

    ObjectPtr latest(const ResourceType *storage, const QString &key) const;
    void compactTo(qint64 rv);
    ObjectPtr finish(const ResourceType *storage, QJsonObject object, const ObjectPtr &previous) const;
    void record(EventType type, const ObjectPtr &object, const ObjectPtr &previous);

    qint64 m_rv;
    qint64 m_compactedRv = 0;
    QHash<const ResourceType *, Bucket> m_buckets;
    QHash<const ResourceType *, int> m_liveCounts;
    std::deque<StoreEvent> m_history;
    size_t m_historyCapacity = 100'000;
    int m_historyWindowSec = 75;
    int m_compactionIntervalSec = 300;
    qint64 m_lastCompactionMs = 0;
    qint64 m_compactionCandidateRv = 0;
};

// Derives labels and field-selector values from an object's JSON (used by the store on every write).
void deriveIndexes(const ResourceType *storage, const QJsonObject &object, SimObject &out);

} // namespace cw::sim

Q_DECLARE_METATYPE(cw::sim::StoreEvent)
