// SPDX-License-Identifier: Apache-2.0
#include "eventrecorder.h"

#include "names.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace cw::sim {

EventTarget EventTarget::of(const ObjectPtr &object, const QString &fieldPath)
{
    return {object->type->kind, object->type->apiVersion(),  object->ns, object->name,
            object->uid,        QString::number(object->rv), fieldPath};
}

EventRecorder::EventRecorder(Store &store, int ttlSeconds)
    : m_store(store), m_events(findResource({}, u"v1"_s, u"events"_s)),
      m_ttlMs(qint64(std::max(1, ttlSeconds)) * 1000)
{}

void EventRecorder::record(qint64 now, const EventTarget &target, const EventSource &source, bool warning,
                           const QString &reason, const QString &message)
{
    const QString time = formatTime(now);
    const QString aggregate = target.uid + QLatin1Char('|') + target.fieldPath + QLatin1Char('|') + reason +
                              QLatin1Char('|') + message + QLatin1Char('|') + source.component +
                              QLatin1Char('|') + source.host;
    const QString existingKey = m_eventByAggregate.value(aggregate);
    if (!existingKey.isEmpty()) {
        const QString ns = existingKey.section(QLatin1Char('/'), 0, 0);
        const QString name = existingKey.section(QLatin1Char('/'), 1);
        if (const ObjectPtr existing = m_store.get(m_events, ns, name)) {
            QJsonObject event = existing->toJsonObject();
            event.insert("count"_L1, event.value("count"_L1).toInt(1) + 1);
            event.insert("lastTimestamp"_L1, time);
            if (m_store.update(m_events, event).ok())
                return;
        }
        forget(existingKey); // deleted or changed behind our back: start a new one
    }

    // Cluster-scoped objects (nodes) have their events in "default", as on a real cluster.
    const QString ns = target.ns.isEmpty() ? u"default"_s : target.ns;
    QJsonObject involved{{"kind"_L1, target.kind},
                         {"name"_L1, target.name},
                         {"uid"_L1, target.uid},
                         {"apiVersion"_L1, target.apiVersion},
                         {"resourceVersion"_L1, target.resourceVersion}};
    if (!target.ns.isEmpty())
        involved.insert("namespace"_L1, target.ns);
    if (!target.fieldPath.isEmpty())
        involved.insert("fieldPath"_L1, target.fieldPath);
    QJsonObject src{{"component"_L1, source.component}};
    if (!source.host.isEmpty())
        src.insert("host"_L1, source.host);
    const QJsonObject event{{"involvedObject"_L1, involved},
                            {"reason"_L1, reason},
                            {"message"_L1, message},
                            {"source"_L1, src},
                            {"firstTimestamp"_L1, time},
                            {"lastTimestamp"_L1, time},
                            {"count"_L1, 1},
                            {"type"_L1, warning ? u"Warning"_s : u"Normal"_s},
                            {"eventTime"_L1, QJsonValue::Null},
                            {"reportingComponent"_L1, source.component},
                            {"reportingInstance"_L1, source.host.isEmpty() ? source.component : source.host}};
    // Named like client-go names them: the object's name and the time in nanoseconds, in hex.
    for (int attempt = 0; attempt < 3; ++attempt) {
        const quint64 stamp = quint64(now) * 1'000'000 + (m_seq++ % 1'000'000);
        const QString name = target.name + QLatin1Char('.') + QString::number(stamp, 16);
        QJsonObject withMeta = event;
        withMeta.insert("metadata"_L1,
                        QJsonObject{{"name"_L1, name}, {"namespace"_L1, ns}, {"creationTimestamp"_L1, time}});
        const WriteResult result = m_store.create(m_events, withMeta);
        if (!result.ok())
            continue;
        const QString key = ns + QLatin1Char('/') + name;
        m_eventByAggregate.insert(aggregate, key);
        m_aggregateByEvent.insert(key, aggregate);
        m_expiry.push({now + m_ttlMs, m_seq, key});
        return;
    }
}

void EventRecorder::expire(qint64 now)
{
    while (!m_expiry.empty() && m_expiry.top().due <= now) {
        const Expiry due = m_expiry.top();
        m_expiry.pop();
        const QString ns = due.key.section(QLatin1Char('/'), 0, 0);
        const QString name = due.key.section(QLatin1Char('/'), 1);
        const ObjectPtr event = m_store.get(m_events, ns, name);
        if (!event) {
            forget(due.key);
            continue;
        }
        // A repeat renewed the lease: it lives on for a TTL from its last occurrence.
        const qint64 last = parseTime(event->toJsonObject().value("lastTimestamp"_L1).toString());
        if (last + m_ttlMs > now) {
            m_expiry.push({last + m_ttlMs, ++m_seq, due.key});
            continue;
        }
        m_store.remove(m_events, ns, name);
        forget(due.key);
    }
}

void EventRecorder::forget(const QString &eventKey)
{
    const QString aggregate = m_aggregateByEvent.take(eventKey);
    if (!aggregate.isEmpty() && m_eventByAggregate.value(aggregate) == eventKey)
        m_eventByAggregate.remove(aggregate);
}

} // namespace cw::sim
