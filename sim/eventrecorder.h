// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store.h"

#include <QHash>
#include <QString>

#include <queue>
#include <vector>

namespace cw::sim {

// The object an Event is about: core/v1 ObjectReference as the recorder stamps it into involvedObject.
struct EventTarget
{
    QString kind;
    QString apiVersion;
    QString ns;
    QString name;
    QString uid;
    QString resourceVersion;
    QString fieldPath; // "spec.containers{name}" for events about one container

    static EventTarget of(const ObjectPtr &object, const QString &fieldPath = {});
};

// Who reports: source.component/host and reportingComponent/reportingInstance.
struct EventSource
{
    QString component;
    QString host; // the node, for the kubelet
};

// client-go's event recorder and correlator, reduced to what the sim needs: an identical event about the same
// object (same reason, message and source) bumps count and lastTimestamp on the existing Event (MODIFIED)
// instead of creating another; Events go away eventTtlSeconds after their last update, like the API
// server's --event-ttl lease. Only ever writes through the Store, and re-reads before every update.
class EventRecorder
{
public:
    EventRecorder(Store &store, int ttlSeconds);

    void record(qint64 now, const EventTarget &target, const EventSource &source, bool warning,
                const QString &reason, const QString &message);
    // Deletes Events whose TTL ran out.
    void expire(qint64 now);

private:
    struct Expiry
    {
        qint64 due = 0;
        quint64 seq = 0;
        QString key; // "ns/name" of the Event
        bool operator>(const Expiry &o) const { return due != o.due ? due > o.due : seq > o.seq; }
    };

    void forget(const QString &eventKey);

    Store &m_store;
    const ResourceType *m_events;
    qint64 m_ttlMs;
    quint64 m_seq = 0;
    QHash<QString, QString> m_eventByAggregate; // aggregation key -> Event "ns/name"
    QHash<QString, QString> m_aggregateByEvent; // and back, to forget both when the Event goes
    std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> m_expiry;
};

} // namespace cw::sim
