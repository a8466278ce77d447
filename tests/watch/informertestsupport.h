// SPDX-License-Identifier: Apache-2.0
// What the informer tests share: the pods they watch, a consumer that mirrors every batch, the sim's truth, and
// churn made through the sim's store.
#pragma once

#include "session.h"
#include "simfixture.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTest>

namespace cw::test::informer {

using namespace cw::watch;


inline const cw::sim::ResourceType *podType()
{
    return cw::sim::findResource(QString(), QStringLiteral("v1"), QStringLiteral("pods"));
}

inline ResourceSpec podsSpec()
{
    ResourceSpec spec;
    spec.api.version = QStringLiteral("v1");
    spec.api.resource = QStringLiteral("pods");
    spec.api.kind = QStringLiteral("Pod");
    return spec;
}

inline QString keyOf(const ObjectRecord &o)
{
    return o.ns + QLatin1Char('/') + o.name;
}

// What a consumer of the session holds: every batch applied in arrival order.
struct Mirror
{
    QHash<QString, ObjectRef> objects;
    QList<HealthEvent> health;
    QList<Gap> gaps;
    QList<Change> recovered;
    QList<StreamSample> samples;

    void apply(const Batch &batch)
    {
        samples.append(batch.sample);
        if (batch.reset) {
            // A reset batch's snapshot already reflects its changes; they are history for a timeline.
            objects.clear();
            for (const ObjectRef &o : batch.snapshot)
                objects.insert(keyOf(*o), o);
        } else {
            for (const Change &c : batch.changes) {
                if (c.type == ChangeType::Deleted)
                    objects.remove(keyOf(*c.object));
                else
                    objects.insert(keyOf(*c.object), c.object);
            }
        }
        std::copy_if(batch.changes.cbegin(), batch.changes.cend(), std::back_inserter(recovered),
                     [](const Change &c) { return c.recovered; });
        health.append(batch.health);
        gaps.append(batch.gaps);
    }
    QStringList lines() const
    {
        QStringList out;
        for (const ObjectRef &o : objects)
            out << keyOf(*o) + QLatin1Char(' ') + o->uid + QLatin1Char(' ') + o->resourceVersion;
        out.sort();
        return out;
    }
    bool hasHealth(const QString &reason, qsizetype from = 0) const { return reasons(from).contains(reason); }
    QStringList reasons(qsizetype from = 0) const
    {
        QStringList out;
        for (qsizetype i = from; i < health.size(); ++i)
            out << health[i].reason;
        return out;
    }
    // Reasons of the health events that counted a failure or a stall: the kinds of failure seen.
    QSet<QString> failureKinds() const
    {
        QSet<QString> kinds;
        for (qsizetype i = 1; i < health.size(); ++i) {
            if (health[i].errors > health[i - 1].errors || health[i].stalls > health[i - 1].stalls)
                kinds.insert(health[i].reason);
        }
        return kinds;
    }
    // Milliseconds since the watch last went live: a watch younger than a second that ends empty-handed
    // counts as a very short watch (a failure), which would turn a resume into a relist.
    qint64 liveForMs() const
    {
        for (qsizetype i = health.size() - 1; i >= 0; --i) {
            if (health[i].state != StreamState::Live)
                return -1;
            if (health[i].reason == QLatin1StringView("connected") || health[i].reason == QLatin1StringView("resumed"))
                return QDateTime::currentMSecsSinceEpoch() - health[i].timeMs;
        }
        return -1;
    }
};

// The sim's exact pods (of one namespace, or all), in Mirror::lines() form.
inline QStringList truthLines(SimFixture &sim, const QString &ns = QString())
{
    QStringList out;
    sim.thread().invoke([&out, &ns](cw::sim::SimServer &s) {
        const QJsonArray items = s.truth(podType()).value(QStringLiteral("items")).toArray();
        for (const QJsonValue &v : items) {
            const auto field = [o = v.toObject()](const char *name) { return o.value(QLatin1StringView(name)).toString(); };
            if (!ns.isEmpty() && field("namespace") != ns)
                continue;
            out << field("namespace") + QLatin1Char('/') + field("name") + QLatin1Char(' ') + field("uid") +
                       QLatin1Char(' ') + field("resourceVersion");
        }
    });
    out.sort();
    return out;
}

// Pod churn made through the sim's store, on the sim thread. Returns the keys it deleted.
struct Churner
{
    int serial = 0;

    QStringList change(cw::sim::SimServer &s, int creates, int updates, int deletes)
    {
        cw::sim::Store *store = s.store();
        const QList<cw::sim::ObjectPtr> pods = store->list(podType(), QString());
        for (int i = 0; i < creates; ++i) {
            const QString name = QLatin1StringView("churn-") + QString::number(++serial);
            store->create(podType(), QJsonObject{{QStringLiteral("metadata"),
                                                  QJsonObject{{QStringLiteral("namespace"), pods.first()->ns},
                                                              {QStringLiteral("name"), name}}}});
        }
        // Updates and deletes take distinct pods that existed before this call, so the counts are exact.
        const qsizetype start = serial % std::max<qsizetype>(1, pods.size());
        qsizetype next = 0;
        const auto pick = [&] { return pods.at((start + next++) % pods.size()); };
        for (int i = 0; i < updates && next < pods.size(); ++i) {
            QJsonObject object = pick()->toJsonObject();
            QJsonObject meta = object.value(QStringLiteral("metadata")).toObject();
            QJsonObject labels = meta.value(QStringLiteral("labels")).toObject();
            labels.insert(QStringLiteral("touched"), QString::number(++serial));
            meta.insert(QStringLiteral("labels"), labels);
            meta.remove(QStringLiteral("resourceVersion"));
            object.insert(QStringLiteral("metadata"), meta);
            store->update(podType(), object);
        }
        QStringList deleted;
        for (int i = 0; i < deletes && pods.size() - next > 3; ++i) {
            const cw::sim::ObjectPtr victim = pick();
            if (store->remove(podType(), victim->ns, victim->name).ok())
                deleted << victim->ns + QLatin1Char('/') + victim->name;
        }
        return deleted;
    }
};

inline cw::sim::FaultSpec faultFrom(const QJsonValue &json)
{
    QString error;
    return cw::sim::FaultSpec::fromJson(json.toObject(), &error).value();
}

inline QJsonObject fault(const char *kind, QJsonObject extra = {})
{
    extra.insert(QStringLiteral("kind"), QString::fromLatin1(kind));
    return extra;
}
inline QJsonObject errorStatus(int code, int count = 1)
{
    return fault("error-status", {{QStringLiteral("code"), code}, {QStringLiteral("count"), count}});
}


} // namespace cw::test::informer
