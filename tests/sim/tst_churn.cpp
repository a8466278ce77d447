// SPDX-License-Identifier: Apache-2.0
#include "churn.h"
#include "objects.h"
#include "store.h"
#include "testmain.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <functional>

using namespace cw::sim;
using namespace Qt::StringLiterals;

namespace {

// A fixed fake clock: the churn never reads the wall clock when driven through step().
constexpr qint64 kStart = 1'750'000'000'000;
constexpr qint64 kTick = 100;

const ResourceType *type(const char *group, const char *plural)
{
    return findResource(QString::fromLatin1(group), u"v1"_s, QString::fromLatin1(plural));
}

const ResourceType *pods()
{
    return type("", "pods");
}

QJsonObject sectionOf(const QJsonObject &o, const char *name)
{
    return o.value(QLatin1StringView(name)).toObject();
}

QJsonObject firstContainerStatus(const QJsonObject &pod)
{
    return sectionOf(pod, "status").value("containerStatuses"_L1).toArray().at(0).toObject();
}

QString waitingReason(const QJsonObject &pod)
{
    return sectionOf(sectionOf(firstContainerStatus(pod), "state"), "waiting").value("reason"_L1).toString();
}

bool isReady(const QJsonObject &pod)
{
    for (const QJsonValue &c : sectionOf(pod, "status").value("conditions"_L1).toArray()) {
        if (c.toObject().value("type"_L1) == u"Ready"_s)
            return c.toObject().value("status"_L1) == u"True"_s;
    }
    return false;
}

// A cluster, a churn and a fake clock, with every store change tallied.
struct Sim
{
    Store store;
    std::unique_ptr<Churn> churn;
    qint64 now = kStart;
    QHash<QString, std::array<int, 3>> tally; // plural -> ADDED, MODIFIED, DELETED
    std::function<void(const StoreEvent &)> observer;

    explicit Sim(ChurnConfig config = {}, ClusterShape shape = {})
    {
        populate(store, shape);
        QObject::connect(&store, &Store::changed, &store, [this](const StoreEvent &e) {
            ++tally[e.object->type->plural][int(e.type)];
            if (observer)
                observer(e);
        });
        churn = std::make_unique<Churn>(store, config);
        churn->step(now); // the first step only sets the clock's origin
    }

    void run(int seconds, const std::function<void()> &every10s = {})
    {
        for (qint64 i = 1; i <= seconds * 1000 / kTick; ++i) {
            now += kTick;
            churn->step(now);
            if (every10s && i % (10'000 / kTick) == 0)
                every10s();
        }
    }

    int count(const char *plural, EventType t) const
    {
        return tally.value(QString::fromLatin1(plural))[int(t)];
    }
};

ChurnConfig quiet()
{
    ChurnConfig c;
    c.podChangesPerSecond = 0;
    c.deploymentRolloutsPerMinute = 0;
    c.configMapUpdatesPerMinute = 0;
    return c;
}

// Pods a ReplicaSet counts: selected by its labels, not being deleted, not finished.
int activePodsOf(const Store &store, const ObjectPtr &rs)
{
    const QJsonObject match =
        sectionOf(sectionOf(sectionOf(rs->toJsonObject(), "spec"), "selector"), "matchLabels");
    const QList<ObjectPtr> selected =
        store.list(pods(), rs->ns, 0, {}, 0, nullptr, nullptr, [&](const SimObject &p) {
            for (auto it = match.begin(); it != match.end(); ++it) {
                if (p.labels.value(it.key()) != it.value().toString())
                    return false;
            }
            const QString phase = p.fields.value(u"status.phase"_s);
            return !p.isTerminating() && phase != "Succeeded"_L1 && phase != "Failed"_L1;
        });
    return int(selected.size());
}

// What ten simulated minutes of default churn did, recorded once and examined by several tests.
struct Recording
{
    QHash<QString, std::array<int, 3>> tally;
    QHash<QString, QStringList> stages;                // pods born during the run: lifecycle stages seen
    QHash<QString, QSet<int>> restartsWhileBackingOff; // crash-looping pods: restart counts seen
    QSet<QString> jobsSucceeded;
    QSet<QString> jobsRemoved;
    int gracefulDeletions = 0;
    int countedEvents = 0; // Event updates with count > 1
    QSet<QString> reasons;
    QStringList violations; // what should never happen, with the offender
    int initialPods = 0;
    int lowestPods = 0;
    int highestPods = 0;
    int expiredEventsLeft = 0; // Events older than the TTL still there at the end
};

// The TTL of the recorded run: short enough to see Events expire within it.
constexpr int kRecordedTtlSeconds = 120;

void observe(Recording &r, const StoreEvent &e, qint64 now, QHash<QString, qint64> &markedAt)
{
    const QString key = e.object->key();
    if (e.object->type == type("", "events")) {
        const QJsonObject event = e.object->toJsonObject();
        r.reasons.insert(event.value("reason"_L1).toString());
        if (!sectionOf(event, "involvedObject").contains("uid"_L1) ||
            event.value("reportingComponent"_L1).toString().isEmpty() ||
            sectionOf(event, "source").value("component"_L1).toString().isEmpty())
            r.violations << u"incomplete event "_s + key;
        if (e.type == EventType::Modified) {
            if (event.value("count"_L1).toInt() < 2 ||
                event.value("lastTimestamp"_L1).toString() < event.value("firstTimestamp"_L1).toString())
                r.violations << u"event update without a higher count "_s + key;
            ++r.countedEvents;
        }
        return;
    }
    if (e.object->type != pods())
        return;
    if (e.type == EventType::Deleted) {
        // Graceful: marked for deletion first, removed no sooner than the grace period later.
        if (!e.previous->isTerminating() || !markedAt.contains(key) || now - markedAt.value(key) < 2000)
            r.violations << u"abrupt deletion "_s + key;
        ++r.gracefulDeletions;
        if (e.object->labels.contains(u"job-name"_s))
            r.jobsRemoved.insert(key);
        return;
    }
    if (e.type == EventType::Added) {
        r.stages[key] << u"pending"_s;
        return;
    }
    if (e.object->isTerminating()) {
        if (!e.previous->isTerminating()) {
            markedAt.insert(key, now);
            if (sectionOf(e.object->toJsonObject(), "metadata")
                    .value("deletionGracePeriodSeconds"_L1)
                    .toInt() != 2)
                r.violations << u"grace period missing "_s + key;
        }
        return;
    }
    const QJsonObject pod = e.object->toJsonObject();
    const QString phase = sectionOf(pod, "status").value("phase"_L1).toString();
    if (waitingReason(pod) == u"CrashLoopBackOff"_s) {
        r.restartsWhileBackingOff[key].insert(firstContainerStatus(pod).value("restartCount"_L1).toInt());
        if (!sectionOf(sectionOf(firstContainerStatus(pod), "lastState"), "terminated")
                 .contains("finishedAt"_L1))
            r.violations << u"crash loop without a terminated last state "_s + key;
    }
    if (phase == u"Succeeded"_s && e.object->labels.contains(u"job-name"_s)) {
        const QJsonObject terminated = sectionOf(sectionOf(firstContainerStatus(pod), "state"), "terminated");
        if (terminated.value("reason"_L1).toString() != u"Completed"_s ||
            terminated.value("exitCode"_L1).toInt() != 0)
            r.violations << u"job pod succeeded without completing "_s + key;
        r.jobsSucceeded.insert(key);
    }
    if (!r.stages.contains(key))
        return;
    QString stage;
    if (isReady(pod))
        stage = u"ready"_s;
    else if (phase == u"Running"_s)
        stage = u"running"_s;
    else if (waitingReason(pod) == u"ContainerCreating"_s)
        stage = u"creating"_s;
    else if (!sectionOf(pod, "spec").value("nodeName"_L1).toString().isEmpty())
        stage = u"scheduled"_s;
    if (!stage.isEmpty() && r.stages[key].constLast() != stage)
        r.stages[key] << stage;
}

} // namespace

class TestChurn : public QObject
{
    Q_OBJECT

    Recording m_run;

private slots:
    void initTestCase()
    {
        ChurnConfig config;
        config.eventTtlSeconds = kRecordedTtlSeconds;
        Sim sim(config);
        QHash<QString, qint64> markedAt;
        sim.observer = [&](const StoreEvent &e) { observe(m_run, e, sim.now, markedAt); };
        m_run.initialPods = m_run.lowestPods = m_run.highestPods = sim.store.count(pods());
        sim.run(600, [&] {
            m_run.lowestPods = std::min(m_run.lowestPods, sim.store.count(pods()));
            m_run.highestPods = std::max(m_run.highestPods, sim.store.count(pods()));
        });
        m_run.tally = sim.tally;
        for (const ObjectPtr &event : sim.store.list(type("", "events"), {})) {
            const QString last = event->toJsonObject().value("lastTimestamp"_L1).toString();
            // A TTL plus a second of timestamp precision.
            if (QDateTime::fromString(last, Qt::ISODate).toMSecsSinceEpoch() <
                sim.now - kRecordedTtlSeconds * 1000 - 1000)
                ++m_run.expiredEventsLeft;
        }
    }

    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void churn_writes_added_modified_and_deleted_events()
    {
        auto count = [&](const char *plural, EventType t) {
            return m_run.tally.value(QString::fromLatin1(plural))[int(t)];
        };
        for (const char *plural : {"pods", "events"}) {
            QVERIFY2(count(plural, EventType::Added) > 0, plural);
            QVERIFY2(count(plural, EventType::Modified) > 0, plural);
            QVERIFY2(count(plural, EventType::Deleted) > 0, plural);
        }
        QVERIFY(count("replicasets", EventType::Modified) > 0);
        QVERIFY(count("configmaps", EventType::Modified) > 0);
        QVERIFY(count("replicasets", EventType::Added) > 0); // rollouts
        qInfo("10 simulated minutes: pods +%d ~%d -%d, events +%d ~%d -%d", count("pods", EventType::Added),
              count("pods", EventType::Modified), count("pods", EventType::Deleted),
              count("events", EventType::Added), count("events", EventType::Modified),
              count("events", EventType::Deleted));
    }

    void nothing_happens_that_a_cluster_would_not_do()
    {
        QVERIFY2(m_run.violations.isEmpty(), qPrintable(m_run.violations.mid(0, 5).join(u", "_s)));
    }

    void new_pods_go_from_pending_through_scheduling_and_creation_to_running_and_ready()
    {
        const QStringList full{u"pending"_s, u"scheduled"_s, u"creating"_s, u"running"_s, u"ready"_s};
        int complete = 0;
        for (const QStringList &seen : std::as_const(m_run.stages))
            complete += seen.mid(0, 5) == full ? 1 : 0;
        QVERIFY2(complete >= 20, qPrintable(QString::number(complete)));
    }

    void some_pods_crash_loop_with_growing_restart_counts()
    {
        int growing = 0;
        for (const QSet<int> &counts : std::as_const(m_run.restartsWhileBackingOff))
            growing += counts.size() >= 2 ? 1 : 0;
        QVERIFY(growing >= 1);
    }

    void job_pods_succeed_and_are_cleaned_up()
    {
        QVERIFY(!m_run.jobsSucceeded.isEmpty());
        QVERIFY(!m_run.jobsRemoved.isEmpty());
    }

    void deletion_is_graceful_first_marked_then_removed_after_the_grace_period()
    {
        QVERIFY(m_run.gracefulDeletions > 20);
    }

    void repeated_events_count_up_on_the_same_event()
    {
        QVERIFY(m_run.countedEvents > 0);
        for (const char *reason :
             {"Scheduled", "Pulling", "Pulled", "Created", "Started", "Killing", "BackOff", "Unhealthy",
              "SuccessfulCreate", "SuccessfulDelete", "ScalingReplicaSet"}) {
            QVERIFY2(m_run.reasons.contains(QString::fromLatin1(reason)), reason);
        }
    }

    void events_are_deleted_after_their_ttl()
    {
        QVERIFY(m_run.tally.value(u"events"_s)[int(EventType::Deleted)] > 0);
        QCOMPARE(m_run.expiredEventsLeft, 0);
    }

    void the_pod_population_stays_within_twenty_percent_over_ten_minutes()
    {
        qInfo("pods: initially %d, between %d and %d over 10 simulated minutes", m_run.initialPods,
              m_run.lowestPods, m_run.highestPods);
        QVERIFY(m_run.lowestPods >= m_run.initialPods * 8 / 10);
        QVERIFY(m_run.highestPods <= m_run.initialPods * 12 / 10);
    }

    void rollouts_move_deployments_to_a_new_replicaset()
    {
        ChurnConfig busy;
        busy.deploymentRolloutsPerMinute = 20;
        busy.podChangesPerSecond = 0;
        Sim sim(busy);
        QSet<QString> newReplicaSets;
        QSet<QString> reasons;
        sim.observer = [&](const StoreEvent &e) {
            if (e.object->type == type("apps", "replicasets") && e.type == EventType::Added)
                newReplicaSets.insert(e.object->key());
            if (e.object->type == type("", "events"))
                reasons.insert(e.object->toJsonObject().value("reason"_L1).toString());
        };
        sim.run(120);
        QVERIFY(newReplicaSets.size() >= 10);
        for (const char *reason : {"ScalingReplicaSet", "SuccessfulCreate", "SuccessfulDelete", "Killing"})
            QVERIFY2(reasons.contains(QString::fromLatin1(reason)), reason);
        // A quiet churn takes over mid-rollout and finishes every rollout.
        sim.churn = std::make_unique<Churn>(sim.store, quiet());
        sim.run(180);
        int checked = 0;
        for (const QString &key : std::as_const(newReplicaSets)) {
            const ObjectPtr rs =
                sim.store.get(type("apps", "replicasets"), key.section(u'/', 0, 0), key.section(u'/', 1));
            if (!rs)
                continue; // superseded by a later rollout and cleaned up
            const QJsonObject json = rs->toJsonObject();
            const QJsonObject owner =
                sectionOf(json, "metadata").value("ownerReferences"_L1).toArray().at(0).toObject();
            const ObjectPtr deployment =
                sim.store.get(type("apps", "deployments"), rs->ns, owner.value("name"_L1).toString());
            QVERIFY(deployment);
            const QJsonObject d = deployment->toJsonObject();
            const int desired = sectionOf(d, "spec").value("replicas"_L1).toInt();
            if (sectionOf(json, "spec").value("replicas"_L1).toInt() != desired)
                continue; // an older revision, scaled down
            const QJsonObject status = sectionOf(d, "status");
            QCOMPARE(status.value("updatedReplicas"_L1).toInt(), desired);
            QCOMPARE(status.value("observedGeneration"_L1).toInteger(),
                     sectionOf(d, "metadata").value("generation"_L1).toInteger());
            QCOMPARE(activePodsOf(sim.store, rs), desired);
            ++checked;
        }
        QVERIFY(checked >= 5);
    }

    void configmaps_change_now_and_then()
    {
        ChurnConfig config;
        config.configMapUpdatesPerMinute = 6;
        Sim sim(config);
        sim.run(60);
        QCOMPARE(sim.count("configmaps", EventType::Modified), 6);
    }

    void churn_copes_with_pods_deleted_relabeled_and_scaled_behind_its_back()
    {
        Sim sim;
        sim.run(60);
        // kubectl delete, straight away, on pods in every state: fresh, crash-looping, being deleted,
        // running.
        int deleted = 0;
        const QList<ObjectPtr> all = sim.store.list(pods(), {});
        for (qsizetype i = 0; i < all.size(); i += 7) {
            if (sim.store.remove(pods(), all[i]->ns, all[i]->name).ok())
                ++deleted;
        }
        QVERIFY(deleted > 20);
        // kubectl label: one pod leaves its ReplicaSet, another gets an unrelated label.
        QStringList relabeled;
        for (const ObjectPtr &pod : sim.store.list(pods(), {})) {
            if (!pod->labels.contains(u"pod-template-hash"_s) || pod->isTerminating())
                continue;
            QJsonObject json = pod->toJsonObject();
            QJsonObject meta = sectionOf(json, "metadata");
            QJsonObject labels = sectionOf(meta, "labels");
            if (relabeled.isEmpty())
                labels.remove("pod-template-hash"_L1);
            else
                labels.insert("debug"_L1, u"true"_s);
            meta.insert("labels"_L1, labels);
            json.insert("metadata"_L1, meta);
            QVERIFY(sim.store.update(pods(), json).ok());
            relabeled << pod->key();
            if (relabeled.size() == 2)
                break;
        }
        // kubectl scale: a Deployment grows by two.
        const ObjectPtr deployment = sim.store.list(type("apps", "deployments"), u"shop"_s).value(0);
        QVERIFY(deployment);
        QJsonObject d = deployment->toJsonObject();
        QJsonObject spec = sectionOf(d, "spec");
        const int scaledTo = spec.value("replicas"_L1).toInt() + 2;
        spec.insert("replicas"_L1, scaledTo);
        d.insert("spec"_L1, spec);
        QVERIFY(sim.store.update(type("apps", "deployments"), d).ok());
        sim.run(60);

        // Then a quiet churn lets everything settle: every ReplicaSet has its pods again.
        sim.churn = std::make_unique<Churn>(sim.store, quiet());
        sim.run(60);
        for (const ObjectPtr &rs : sim.store.list(type("apps", "replicasets"), {})) {
            const int desired = sectionOf(rs->toJsonObject(), "spec").value("replicas"_L1).toInt();
            QCOMPARE(activePodsOf(sim.store, rs), desired);
        }
        const QJsonObject status = sectionOf(
            sim.store.get(type("apps", "deployments"), deployment->ns, deployment->name)->toJsonObject(),
            "status");
        QCOMPARE(status.value("replicas"_L1).toInt(), scaledTo);
        QVERIFY(
            sim.store.get(pods(), relabeled.first().section(u'/', 0, 0), relabeled.first().section(u'/', 1)));
    }

    void deleting_a_deployment_takes_its_replicasets_and_pods_along()
    {
        Sim sim(quiet());
        const ObjectPtr deployment = sim.store.list(type("apps", "deployments"), u"payments"_s).value(0);
        QVERIFY(deployment);
        const QList<ObjectPtr> owned =
            sim.store.list(type("apps", "replicasets"), deployment->ns, 0, {}, 0, nullptr, nullptr,
                           [&](const SimObject &rs) { return rs.name.startsWith(deployment->name + u'-'); });
        QVERIFY(!owned.isEmpty());
        QVERIFY(sim.store.remove(type("apps", "deployments"), deployment->ns, deployment->name).ok());
        sim.run(10);
        for (const ObjectPtr &rs : owned) {
            QVERIFY(!sim.store.get(type("apps", "replicasets"), rs->ns, rs->name));
            QCOMPARE(activePodsOf(sim.store, rs), 0);
        }
    }

    void the_same_seed_churns_the_same_way()
    {
        QStringList first;
        QStringList second;
        for (QStringList *log : {&first, &second}) {
            Sim sim;
            sim.observer = [log](const StoreEvent &e) {
                // Names of the CronJob pods populate() made carry the (wall clock) minute they were
                // scheduled.
                static const QRegularExpression minute(u"-\\d{8}\\b"_s);
                *log << QString(QString::fromLatin1(eventTypeName(e.type)) + QLatin1Char(' ') +
                                e.object->type->plural + QLatin1Char(' ') + e.object->key())
                            .replace(minute, u"-MINUTE"_s);
            };
            sim.run(60);
        }
        QVERIFY(first.size() > 100);
        QCOMPARE(first, second);
    }

    void start_runs_it_on_the_wall_clock()
    {
        Store store;
        populate(store, {1, 2, 30, -1, -1, -1, -1, 3});
        ChurnConfig config;
        config.podChangesPerSecond = 20;
        Churn churn(store, config);
        QSignalSpy changes(&store, &Store::changed);
        churn.start();
        QVERIFY(churn.isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(changes.count() > 5, 5000);
        churn.stop();
        QVERIFY(!churn.isRunning());
    }

    void a_warm_up_opens_a_lived_in_cluster_without_history()
    {
        Store store;
        populate(store, {1, 2, 30, -1, -1, -1, -1, 3});
        const ResourceType *events = findResource({}, u"v1"_s, u"events"_s);
        const qsizetype eventsBefore = store.list(events, {}).size();
        const qint64 rvBefore = store.currentRv();
        ChurnConfig config;
        config.podChangesPerSecond = 10;
        config.warmUpSeconds = 60;
        Churn churn(store, config);
        const qint64 startedMs = QDateTime::currentMSecsSinceEpoch();
        churn.start();
        QVERIFY(churn.isRunning());
        QVERIFY(store.currentRv() > rvBefore + 100);
        // What a minute of churn leaves behind is there at once, stamped in that minute.
        const QList<ObjectPtr> recorded = store.list(events, {});
        QVERIFY2(recorded.size() > eventsBefore + 20, qPrintable(QString::number(recorded.size())));
        const QString earliest = Store::timestamp(startedMs - 61'000);
        const QString latest = Store::timestamp(QDateTime::currentMSecsSinceEpoch() + 1000);
        int stampedInWarmUp = 0;
        for (const ObjectPtr &event : recorded) {
            const QString last = event->toJsonObject().value("lastTimestamp"_L1).toString();
            QVERIFY2(last <= latest, qPrintable(last));
            stampedInWarmUp += last >= earliest ? 1 : 0;
        }
        QVERIFY(stampedInWarmUp > 20);
        // Nobody watched it: like a freshly started server, the history starts after it.
        QVERIFY(store.eventsAfter(rvBefore).empty());
        QCOMPARE(store.oldestHistoryRv(), store.currentRv() + 1);
        churn.stop();
    }
};

CW_TEST(TestChurn)
#include "tst_churn.moc"
