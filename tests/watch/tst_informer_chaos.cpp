// SPDX-License-Identifier: Apache-2.0
// A seeded storm of 300 mixed faults over pod churn, against two streams of one session (all namespaces, and
// one namespace): afterwards both consumers hold exactly the server's objects, each stream finishes exactly
// once, and the log holds at most one warning per kind of failure, however often it happened.
#include "informertestsupport.h"
#include "kubeconfig.h"
#include "session.h"
#include "simfixture.h"
#include "testmain.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QMutex>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSet>
#include <QTest>

#include <atomic>

using namespace cw::watch;
using namespace cw::test::informer;
using cw::test::SimFixture;

namespace {

// Counts the engine's warnings from every thread; keeps the test log readable by not echoing its routine
// info lines. Atomics: the handler runs on the watch and sim threads while the test installs and removes it.
struct LogCounter
{
    QMutex mutex;
    QStringList warnings;
    int infos = 0;
};
std::atomic<LogCounter *> logCounter = nullptr;
std::atomic<QtMessageHandler> previousHandler = nullptr;

void countingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const bool ours = context.category && qstrcmp(context.category, "clusterwatch.watch") == 0;
    if (LogCounter *counter = logCounter.load(); ours && counter) {
        QMutexLocker lock(&counter->mutex);
        if (type == QtWarningMsg)
            counter->warnings << message;
        else
            ++counter->infos;
        if (type != QtWarningMsg)
            return;
    }
    if (const QtMessageHandler previous = previousHandler.load())
        previous(type, context, message);
}

} // namespace

class TestInformerChaos : public QObject
{
    Q_OBJECT

    std::unique_ptr<SimFixture> sim;
    QString busyNamespace;
    int serial = 0;

    QStringList truthLines(const QString &ns) { return cw::test::informer::truthLines(*sim, ns); }

    // Churn-like pod changes through the sim's store (runs on the sim thread).
    void churn(cw::sim::SimServer &s, QRandomGenerator &random)
    {
        cw::sim::Store *store = s.store();
        const int creates = int(random.bounded(3));
        for (int i = 0; i < creates; ++i) {
            const QString name = QLatin1StringView("chaos-") + QString::number(++serial);
            const QJsonObject meta{{QStringLiteral("namespace"), busyNamespace}, {QStringLiteral("name"), name}};
            store->create(podType(), QJsonObject{{QStringLiteral("metadata"), meta},
                                                 {QStringLiteral("status"),
                                                  QJsonObject{{QStringLiteral("phase"), QStringLiteral("Pending")}}}});
        }
        const int updates = int(random.bounded(4));
        for (int i = 0; i < updates; ++i) {
            const QList<cw::sim::ObjectPtr> pods = store->list(podType(), QString());
            QJsonObject object = pods.at(int(random.bounded(quint32(pods.size()))))->toJsonObject();
            QJsonObject meta = object.value(QStringLiteral("metadata")).toObject();
            meta.insert(QStringLiteral("labels"), QJsonObject{{QStringLiteral("rev"), QString::number(++serial)}});
            meta.remove(QStringLiteral("resourceVersion"));
            object.insert(QStringLiteral("metadata"), meta);
            store->update(podType(), object);
        }
        const int deletes = int(random.bounded(3));
        for (int i = 0; i < deletes; ++i) {
            const QList<cw::sim::ObjectPtr> pods = store->list(podType(), QString());
            if (pods.size() <= 10)
                break;
            const cw::sim::ObjectPtr victim = pods.at(int(random.bounded(quint32(pods.size()))));
            store->remove(podType(), victim->ns, victim->name);
        }
    }

    // A fault with short parameters, so that 300 of them fit in well under two minutes.
    static cw::sim::FaultSpec randomFault(QRandomGenerator &random, bool armedPending)
    {
        using cw::sim::FaultKind;
        static const QList<FaultKind> kinds = cw::sim::allFaultKinds();
        cw::sim::FaultSpec spec;
        spec.kind = kinds.at(int(random.bounded(quint32(kinds.size()))));
        const bool armed = spec.kind == FaultKind::GoneAtConnect || spec.kind == FaultKind::Throttle ||
                           spec.kind == FaultKind::ErrorStatus || spec.kind == FaultKind::EmptyWatch;
        if (armed && armedPending)
            spec.kind = FaultKind::Close; // one armed fault at a time: a queue of 1 s Retry-Afters adds nothing
        switch (spec.kind) {
        case FaultKind::Drop:
            spec.mode = random.bounded(2) ? QStringLiteral("rst") : QStringLiteral("fin");
            break;
        case FaultKind::Stall:
            spec.seconds = random.bounded(2) ? 0 : 0.3;
            break;
        case FaultKind::Throttle:
            spec.seconds = 1;
            break;
        case FaultKind::ErrorStatus:
            spec.code = QList<int>{500, 503, 504}.at(int(random.bounded(3)));
            break;
        case FaultKind::SlowDrip:
            spec.amount = 4096;
            spec.seconds = 0.3;
            break;
        case FaultKind::Rewind:
            spec.amount = 3 + random.bounded(12);
            break;
        case FaultKind::Unavailable:
            spec.seconds = 0.1 + random.bounded(0.3);
            break;
        default:
            break;
        }
        return spec;
    }

private slots:
    void a_storm_of_faults_over_churn_loses_nothing_and_logs_each_failure_kind_once()
    {
        cw::sim::SimConfig config = SimFixture::defaultConfig();
        config.api.bookmarkIntervalMs = 150;
        config.api.tooLargeWaitMs = 200;
        sim = std::make_unique<SimFixture>(config);
        QVERIFY(sim->start());
        busyNamespace = truthLines(QString()).first().section(QLatin1Char('/'), 0, 0);

        static LogCounter counter; // outlives any handler call still running on another thread
        counter.warnings.clear();
        counter.infos = 0;
        logCounter = &counter;
        previousHandler = qInstallMessageHandler(countingHandler);
        const auto restore = qScopeGuard([] {
            qInstallMessageHandler(previousHandler.load());
            logCounter = nullptr;
        });

        const auto loaded = Kubeconfig::loadFile(sim->kubeconfigPath());
        QVERIFY(std::holds_alternative<Kubeconfig>(loaded));
        const auto resolved = std::get<Kubeconfig>(loaded).resolve();
        QVERIFY(std::holds_alternative<ResolvedContext>(resolved));
        SessionOptions options;
        options.stallTimeoutMs = 600; // bookmarks every 150 ms
        options.coalesceMs = 20;
        options.seed = 42;
        options.backoff.initialMs = 10;
        options.backoff.capMs = 100;
        options.backoff.quietResetMs = 2000;
        auto session = std::make_unique<ClusterSession>(std::get<ResolvedContext>(resolved), options);

        ResourceSpec all;
        all.api.version = QStringLiteral("v1");
        all.api.resource = QStringLiteral("pods");
        all.api.kind = QStringLiteral("Pod");
        ResourceSpec one = all;
        one.ns = busyNamespace;
        QHash<QString, Mirror> mirrors;
        QHash<QString, int> finished;
        connect(session.get(), &ClusterSession::batchReady, this,
                [&mirrors](const Batch &batch) { mirrors[batch.stream].apply(batch); });
        connect(session.get(), &ClusterSession::streamFinished, this,
                [&finished](const QString &stream, const std::optional<StreamError> &error) {
                    QVERIFY(!error);
                    ++finished[stream];
                });
        const QString allId = session->watch(all);
        const QString oneId = session->watch(one);
        QVERIFY(allId != oneId);
        const auto synced = [&] {
            return mirrors[allId].lines() == truthLines(QString()) && mirrors[oneId].lines() == truthLines(busyNamespace);
        };
        // On failure: what differs, and what each stream went through lately.
        const auto explain = [&]() -> QByteArray {
            QString out;
            for (const QString &id : {allId, oneId}) {
                const QStringList mine = mirrors[id].lines();
                const QStringList truth = truthLines(id == allId ? QString() : busyNamespace);
                out += id + QLatin1StringView(": only here: ");
                for (const QString &line : mine)
                    out += truth.contains(line) ? QString() : line + QLatin1StringView("; ");
                out += QLatin1StringView(" only on the server: ");
                for (const QString &line : truth)
                    out += mine.contains(line) ? QString() : line + QLatin1StringView("; ");
                out += QLatin1StringView("\n  last health: ");
                const QList<HealthEvent> &health = mirrors[id].health;
                for (qsizetype i = std::max<qsizetype>(0, health.size() - 12); i < health.size(); ++i)
                    out += health[i].reason + QLatin1Char('/') + streamStateName(health[i].state) +
                           QLatin1StringView(" rv=") + health[i].lastResourceVersion + QLatin1StringView(" (") +
                           health[i].detail + QLatin1StringView("); ");
                out += QLatin1Char('\n');
            }
            return out.toUtf8();
        };
        QTRY_VERIFY_WITH_TIMEOUT(synced(), 10'000);

        QRandomGenerator random(20251126);
        QSet<QString> injectedKinds;
        QElapsedTimer clock;
        clock.start();
        qint64 unavailableUntil = 0;
        for (int i = 0; i < 300; ++i) {
            bool armedPending = false;
            sim->thread().invoke([&armedPending](cw::sim::SimServer &s) {
                for (const cw::sim::FaultRecord &record : s.faultLog())
                    armedPending = armedPending || (record.spec.count > record.affected &&
                                                    (record.spec.kind == cw::sim::FaultKind::GoneAtConnect ||
                                                     record.spec.kind == cw::sim::FaultKind::Throttle ||
                                                     record.spec.kind == cw::sim::FaultKind::ErrorStatus ||
                                                     record.spec.kind == cw::sim::FaultKind::EmptyWatch));
            });
            cw::sim::FaultSpec spec = randomFault(random, armedPending);
            if (spec.kind == cw::sim::FaultKind::Unavailable && clock.elapsed() < unavailableUntil)
                spec.kind = cw::sim::FaultKind::Close; // overlapping outages make the sim re-listen twice
            if (spec.kind == cw::sim::FaultKind::Unavailable)
                unavailableUntil = clock.elapsed() + qint64(spec.seconds * 1000) + 50;
            const bool rewind = spec.kind == cw::sim::FaultKind::Rewind;
            if (rewind) {
                // A restore is only detectable from resourceVersions going backwards, and the sim keeps
                // serving watches from below the rewound counter (its history is empty, not expired): an
                // informer that lagged at that moment would miss what the restore kept. Rewind in sync.
                QTRY_VERIFY2_WITH_TIMEOUT(synced(), explain().constData(), 15'000);
            }
            sim->thread().invoke([&](cw::sim::SimServer &s) {
                s.injectFault(spec);
                if (!rewind)
                    churn(s, random);
            });
            injectedKinds.insert(cw::sim::faultKindName(spec.kind) +
                                 (spec.code ? QLatin1Char(' ') + QString::number(spec.code) : QString()));
            if (rewind) {
                // No churn until both caught up: the counter must stay below what the informers saw.
                QTRY_VERIFY2_WITH_TIMEOUT(synced(), explain().constData(), 15'000);
            } else {
                // The fault interval (not a wait for any backoff): 20-100 ms, so faults land in every phase.
                QTest::qWait(20 + int(random.bounded(80)));
            }
        }
        const qint64 stormMs = clock.elapsed();
        QTRY_VERIFY2_WITH_TIMEOUT(synced(), explain().constData(), 60'000);
        qInfo("300 faults in %lld ms, settled after %lld ms", stormMs, clock.elapsed());

        session->stopAll();
        QTRY_COMPARE_WITH_TIMEOUT(finished.value(allId), 1, 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(finished.value(oneId), 1, 10'000);
        session.reset();
        QCOMPARE(finished.size(), 2);
        QCOMPARE(finished.value(allId), 1);
        QCOMPARE(finished.value(oneId), 1);

        QSet<QString> failureKinds;
        QSet<QString> reasons;
        for (const Mirror &mirror : std::as_const(mirrors)) {
            failureKinds.unite(mirror.failureKinds());
            for (const HealthEvent &e : mirror.health)
                reasons.insert(e.reason);
            QVERIFY(!mirror.recovered.isEmpty());
            for (const Change &c : mirror.recovered)
                QVERIFY2(c.recoveredReason.startsWith(QLatin1StringView("relist after ")), qPrintable(c.recoveredReason));
            QCOMPARE(mirror.health.last().reason, QStringLiteral("stopped"));
        }
        // Stalls are usually cut short by the next fault, so they are not required here (the fault test has
        // them); these kinds are too frequent to be missed by 300 faults.
        for (const char *expected : {"410 expired", "connection reset", "closed by server", "malformed line",
                                     "relist end", "resumed"})
            QVERIFY2(reasons.contains(QLatin1StringView(expected)), expected);
        QStringList seen = reasons.values();
        seen.sort();
        qInfo("health reasons seen: %s", qPrintable(seen.join(QLatin1StringView(", "))));

        QMutexLocker lock(&counter.mutex);
        qInfo("%d kinds injected, %d failure kinds seen, %d warnings, %d info lines",
              int(injectedKinds.size()), int(failureKinds.size()), int(counter.warnings.size()), counter.infos);
        // Every stream warns at most once per kind of failure, whatever the number of its repeats.
        QVERIFY2(counter.warnings.size() <= 2 * failureKinds.size(),
                 qPrintable(counter.warnings.join(QLatin1Char('\n'))));
        QVERIFY(counter.warnings.size() <= 2 * injectedKinds.size());
    }

    void more_streams_than_qt_opens_connections_per_host_all_go_live()
    {
        // Every open watch holds an HTTP/1.1 connection, and Qt opens six per host and network manager.
        cw::sim::SimConfig config = SimFixture::defaultConfig();
        config.api.bookmarkIntervalMs = 250;
        sim = std::make_unique<SimFixture>(config);
        QVERIFY(sim->start());
        const auto loaded = Kubeconfig::loadFile(sim->kubeconfigPath());
        QVERIFY(std::holds_alternative<Kubeconfig>(loaded));
        const auto resolved = std::get<Kubeconfig>(loaded).resolve();
        QVERIFY(std::holds_alternative<ResolvedContext>(resolved));
        SessionOptions options;
        options.stallTimeoutMs = 1000;
        auto session = std::make_unique<ClusterSession>(std::get<ResolvedContext>(resolved), options);
        QHash<QString, QStringList> reasons;
        QHash<QString, Mirror> mirrors;
        QHash<QString, int> finished;
        connect(session.get(), &ClusterSession::batchReady, this, [&](const Batch &batch) {
            mirrors[batch.stream].apply(batch);
            for (const HealthEvent &e : batch.health)
                reasons[batch.stream] << e.reason;
        });
        connect(session.get(), &ClusterSession::streamFinished, this,
                [&finished](const QString &stream) { ++finished[stream]; });
        QStringList ids;
        for (int i = 0; i < 9; ++i) {
            ResourceSpec spec;
            spec.api.version = QStringLiteral("v1");
            spec.api.resource = QStringLiteral("pods");
            spec.labelSelector = QLatin1StringView("shard") + QString::number(i) + QLatin1StringView("!=x");
            ids << session->watch(spec);
        }
        const QStringList truth = truthLines(QString());
        for (const QString &id : std::as_const(ids)) {
            QTRY_VERIFY2_WITH_TIMEOUT(reasons[id].contains(QLatin1StringView("connected")), qPrintable(id), 10'000);
            QCOMPARE(mirrors[id].lines(), truth);
        }
        session->stopAll();
        for (const QString &id : std::as_const(ids))
            QTRY_COMPARE_WITH_TIMEOUT(finished.value(id), 1, 10'000);
        session.reset();
        for (const QString &id : std::as_const(ids))
            QVERIFY2(!reasons[id].contains(QLatin1StringView("stalled")), qPrintable(id));
        sim.reset();
    }
};

CW_TEST(TestInformerChaos)
#include "tst_informer_chaos.moc"
