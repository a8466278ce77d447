// SPDX-License-Identifier: Apache-2.0
// The whole watch engine (ClusterSession -> Informer -> retry watcher) against the simulated API server over
// real sockets on 127.0.0.1, one fault kind at a time: whatever the fault, the consumer ends up with exactly
// the server's objects, what a gap hid comes back flagged as recovered, and the health log names the fault.
#include "kubeconfig.h"
#include "listwatchhttp.h"
#include "session.h"
#include "simfixture.h"
#include "testmain.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

using namespace cw::watch;
using cw::test::SimFixture;

namespace {

const cw::sim::ResourceType *podType()
{
    return cw::sim::findResource(QString(), QStringLiteral("v1"), QStringLiteral("pods"));
}

ResourceSpec podsSpec()
{
    ResourceSpec spec;
    spec.api.version = QStringLiteral("v1");
    spec.api.resource = QStringLiteral("pods");
    spec.api.kind = QStringLiteral("Pod");
    return spec;
}

QString keyOf(const ObjectRecord &o)
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

// The sim's exact pods, in Mirror::lines() form.
QStringList truthLines(SimFixture &sim)
{
    QStringList out;
    sim.thread().invoke([&out](cw::sim::SimServer &s) {
        const QJsonArray items = s.truth(podType()).value(QStringLiteral("items")).toArray();
        for (const QJsonValue &v : items) {
            const auto field = [o = v.toObject()](const char *name) { return o.value(QLatin1StringView(name)).toString(); };
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

cw::sim::FaultSpec faultFrom(const QJsonValue &json)
{
    QString error;
    return cw::sim::FaultSpec::fromJson(json.toObject(), &error).value();
}

QJsonObject fault(const char *kind, QJsonObject extra = {})
{
    extra.insert(QStringLiteral("kind"), QString::fromLatin1(kind));
    return extra;
}
QJsonObject errorStatus(int code, int count = 1)
{
    return fault("error-status", {{QStringLiteral("code"), code}, {QStringLiteral("count"), count}});
}

} // namespace

class TestInformerFaults : public QObject
{
    Q_OBJECT

    std::unique_ptr<SimFixture> sim;
    std::unique_ptr<ClusterSession> session;
    Mirror mirror;
    Churner churner;
    QString stream;
    int finishedCount = 0;
    std::optional<StreamError> finishedError;

    void startSession()
    {
        const auto loaded = Kubeconfig::loadFile(sim->kubeconfigPath());
        QVERIFY(std::holds_alternative<Kubeconfig>(loaded));
        const auto resolved = std::get<Kubeconfig>(loaded).resolve();
        QVERIFY(std::holds_alternative<ResolvedContext>(resolved));
        SessionOptions options;
        options.stallTimeoutMs = 2000; // the sim sends a bookmark every 500 ms
        options.coalesceMs = 20;
        options.seed = 7;
        options.listPageSize = 5; // every (re)list of the 20 pods takes several pages
        // Recoveries in tens of milliseconds instead of client-go's 0.8 s and up.
        options.backoff.initialMs = 20;
        options.backoff.capMs = 200;
        session = std::make_unique<ClusterSession>(std::get<ResolvedContext>(resolved), options);
        connect(session.get(), &ClusterSession::batchReady, this, [this](const Batch &batch) {
            if (batch.stream == stream)
                mirror.apply(batch);
        });
        connect(session.get(), &ClusterSession::streamFinished, this,
                [this](const QString &id, const std::optional<StreamError> &error) {
                    finishedCount += id == stream ? 1 : 0;
                    finishedError = id == stream ? error : finishedError;
                });
        stream = session->watch(podsSpec());
    }

    // Faults, then churn, in one turn of the sim's event loop: nothing the fault cut off can be delivered
    // before the churn happens, so these changes fall into the gap.
    QStringList injectWithChurn(const QJsonArray &before, const QJsonArray &after)
    {
        QStringList deleted;
        sim->thread().invoke([&](cw::sim::SimServer &s) {
            for (const QJsonValue &f : before)
                s.injectFault(faultFrom(f));
            deleted = churner.change(s, 1, 2, 2);
            for (const QJsonValue &f : after)
                s.injectFault(faultFrom(f));
        });
        return deleted;
    }

    void churn(int creates, int updates, int deletes)
    {
        sim->thread().invoke([&](cw::sim::SimServer &s) { churner.change(s, creates, updates, deletes); });
    }

    // A watch younger than a second that ends without events is a failure by itself (client-go's rule),
    // which would turn the resume a fault should cause into a relist: let the watch mature first.
    void waitForMatureWatch() { QTRY_VERIFY_WITH_TIMEOUT(mirror.liveForMs() > 1200, 10'000); }

private slots:
    void init()
    {
        cw::sim::SimConfig config = SimFixture::defaultConfig();
        config.api.bookmarkIntervalMs = 500;
        config.api.tooLargeWaitMs = 300; // a too-new resourceVersion is refused quickly
        sim = std::make_unique<SimFixture>(config);
        QVERIFY(sim->start());
        mirror = Mirror{};
        finishedCount = 0;
        finishedError.reset();
        startSession();
        QTRY_VERIFY_WITH_TIMEOUT(mirror.hasHealth(QStringLiteral("connected")), 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(mirror.lines(), truthLines(*sim), 10'000);
        QCOMPARE(mirror.objects.size(), 20);
        QVERIFY(mirror.recovered.isEmpty()); // the initial list is news, not recovery
    }

    void cleanup()
    {
        if (session) {
            session->stopAll();
            QTRY_COMPARE_WITH_TIMEOUT(finishedCount, 1, 10'000);
            session.reset();
        }
        QCOMPARE(finishedCount, 1); // exactly once, also after the session is gone
        sim.reset();
    }

    void a_fault_costs_no_change_data()
    {
        QTest::addColumn<QJsonArray>("before");
        QTest::addColumn<QJsonArray>("after");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<bool>("recovers");
        const auto close = fault("close");
        QTest::newRow("drop rst resumes from the last resourceVersion")
            << QJsonArray{fault("drop", {{QStringLiteral("mode"), QStringLiteral("rst")}})} << QJsonArray{}
            << QStringLiteral("connection reset") << false;
        QTest::newRow("drop fin resumes from the last resourceVersion")
            << QJsonArray{fault("drop", {{QStringLiteral("mode"), QStringLiteral("fin")}})} << QJsonArray{}
            << QStringLiteral("connection reset") << false;
        QTest::newRow("a stalled stream is abandoned and resumed")
            << QJsonArray{fault("stall")} << QJsonArray{} << QStringLiteral("stalled") << false;
        QTest::newRow("a clean close resumes at once")
            << QJsonArray{close} << QJsonArray{} << QStringLiteral("closed by server") << false;
        QTest::newRow("compaction during a stall costs a relist")
            << QJsonArray{fault("stall")} << QJsonArray{fault("compact")} << QStringLiteral("410 expired") << true;
        QTest::newRow("in-stream 410 expired relists")
            << QJsonArray{fault("expire")} << QJsonArray{} << QStringLiteral("410 expired") << true;
        QTest::newRow("http 410 at connect relists")
            << QJsonArray{fault("gone-at-connect"), close} << QJsonArray{} << QStringLiteral("410 expired") << true;
        QTest::newRow("429 waits the retry-after and resumes")
            << QJsonArray{fault("throttle", {{QStringLiteral("seconds"), 1}}), close} << QJsonArray{}
            << QStringLiteral("throttled 429") << false;
        QTest::newRow("500 backs off and resumes")
            << QJsonArray{errorStatus(500), close} << QJsonArray{}
            << QStringLiteral("server error 500") << false;
        QTest::newRow("503 backs off and resumes")
            << QJsonArray{errorStatus(503), close} << QJsonArray{}
            << QStringLiteral("server error 503") << false;
        QTest::newRow("504 too large resourceVersion relists")
            << QJsonArray{errorStatus(504), close} << QJsonArray{}
            << QStringLiteral("resourceVersion too large 504") << true;
        QTest::newRow("a malformed line is reported and relisted")
            << QJsonArray{fault("malformed")} << QJsonArray{} << QStringLiteral("malformed line") << true;
        QTest::newRow("a slow drip is slow, not a failure")
            << QJsonArray{fault("slow-drip", {{QStringLiteral("amount"), 4096}, {QStringLiteral("seconds"), 1.5}})}
            << QJsonArray{} << QString() << false;
        QTest::newRow("an unavailable server is retried until it is back")
            << QJsonArray{fault("unavailable", {{QStringLiteral("seconds"), 1}})} << QJsonArray{}
            << QStringLiteral("connection refused") << false;
        QTest::newRow("an empty watch counts as a failure and relists")
            << QJsonArray{fault("empty-watch"), close} << QJsonArray{} << QStringLiteral("empty watch") << true;
    }
    void a_fault_costs_no_change()
    {
        QFETCH(QJsonArray, before);
        QFETCH(QJsonArray, after);
        QFETCH(QString, reason);
        QFETCH(bool, recovers);

        churn(1, 2, 1);
        QTRY_COMPARE_WITH_TIMEOUT(mirror.lines(), truthLines(*sim), 10'000);
        waitForMatureWatch();

        const qsizetype healthMark = mirror.health.size();
        const qsizetype recoveredMark = mirror.recovered.size();
        const qsizetype gapMark = mirror.gaps.size();
        const qint64 errorsBefore = mirror.health.last().errors;
        const auto seen = [&] { return mirror.reasons(healthMark).join(QLatin1StringView(", ")).toUtf8(); };
        const QStringList deletedInGap = injectWithChurn(before, after);
        QVERIFY(!deletedInGap.isEmpty());
        if (!reason.isEmpty())
            QTRY_VERIFY2_WITH_TIMEOUT(mirror.hasHealth(reason, healthMark), seen().constData(), 15'000);
        churn(1, 1, 1);
        QTRY_COMPARE_WITH_TIMEOUT(mirror.lines(), truthLines(*sim), 20'000);

        const QList<Change> recovered = mirror.recovered.mid(recoveredMark);
        if (recovers) {
            // Every deletion the gap hid comes back as a recovered tombstone with the reason.
            for (const QString &key : deletedInGap) {
                const bool found = std::any_of(recovered.cbegin(), recovered.cend(), [&key](const Change &c) {
                    return c.type == ChangeType::Deleted && keyOf(*c.object) == key;
                });
                QVERIFY2(found, qPrintable(key));
            }
            for (const Change &c : recovered)
                QVERIFY(c.recoveredReason.startsWith(QLatin1StringView("relist after ")));
            const QList<Gap> gaps = mirror.gaps.mid(gapMark);
            QVERIFY(std::any_of(gaps.cbegin(), gaps.cend(), [](const Gap &g) {
                return g.deleted >= 1 && g.endMs >= g.startMs && !g.cause.isEmpty();
            }));
            QVERIFY(mirror.hasHealth(QStringLiteral("relist end"), healthMark));
        } else {
            // The server still had the history: the resumed watch replayed it, nothing needed recovering.
            QVERIFY2(recovered.isEmpty(), seen().constData());
        }
        if (reason.isEmpty())
            QCOMPARE(mirror.health.last().errors, errorsBefore); // slow is not broken
        QVERIFY(mirror.health.last().bytes > 0);
        QCOMPARE(finishedCount, 0);
    }

    void a_second_401_stops_the_stream_with_an_auth_error()
    {
        waitForMatureWatch();
        const qsizetype mark = mirror.health.size();
        injectWithChurn({errorStatus(401, 2), fault("close")}, {});
        QTRY_COMPARE_WITH_TIMEOUT(finishedCount, 1, 10'000);
        QVERIFY(finishedError.has_value());
        QCOMPARE(finishedError->kind, StreamError::Kind::Auth);
        QCOMPARE(finishedError->httpCode, 401);
        QVERIFY(!finishedError->message.contains(QLatin1StringView(SimFixture::adminToken)));
        QVERIFY(mirror.hasHealth(QStringLiteral("auth failure 401"), mark));
        QCOMPARE(mirror.health.last().state, StreamState::Failed);
    }

    void a_single_401_refreshes_credentials_and_recovers()
    {
        waitForMatureWatch();
        const qsizetype mark = mirror.health.size();
        injectWithChurn({errorStatus(401), fault("close")}, {});
        QTRY_VERIFY_WITH_TIMEOUT(mirror.hasHealth(QStringLiteral("auth failure 401"), mark), 10'000);
        churn(1, 1, 1);
        QTRY_COMPARE_WITH_TIMEOUT(mirror.lines(), truthLines(*sim), 10'000);
        QCOMPARE(finishedCount, 0);
    }

    void a_403_stops_the_stream_with_a_forbidden_error()
    {
        waitForMatureWatch();
        const qsizetype mark = mirror.health.size();
        injectWithChurn({errorStatus(403), fault("close")}, {});
        QTRY_COMPARE_WITH_TIMEOUT(finishedCount, 1, 10'000);
        QVERIFY(finishedError.has_value());
        QCOMPARE(finishedError->kind, StreamError::Kind::Forbidden);
        QCOMPARE(finishedError->httpCode, 403);
        QCOMPARE(finishedError->reason, QStringLiteral("Forbidden"));
        QVERIFY(mirror.hasHealth(QStringLiteral("forbidden 403"), mark));
    }

    void a_rewound_server_is_caught_by_its_resource_versions_and_relisted()
    {
        // More changes than the rewind takes back, so that it undoes some the informer has seen.
        for (int i = 0; i < 5; ++i)
            churn(2, 3, 1);
        QTRY_COMPARE_WITH_TIMEOUT(mirror.lines(), truthLines(*sim), 10'000);
        const qsizetype mark = mirror.health.size();
        const qsizetype recoveredMark = mirror.recovered.size();
        sim->thread().invoke([&](cw::sim::SimServer &s) {
            s.injectFault(faultFrom(fault("rewind", {{QStringLiteral("amount"), 20}})));
            // Fewer changes than the rewind: the counter stays below what the informer saw, so only the
            // resourceVersions going backwards can tell it the server lost its memory.
            churner.change(s, 1, 1, 1);
        });
        QTRY_VERIFY2_WITH_TIMEOUT(mirror.hasHealth(QStringLiteral("resourceVersion regression"), mark),
                                  qPrintable(mirror.reasons(mark).join(QLatin1StringView(", "))), 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(mirror.lines(), truthLines(*sim), 10'000);
        QVERIFY(mirror.recovered.size() > recoveredMark);
        churn(1, 1, 1);
        QTRY_COMPARE_WITH_TIMEOUT(mirror.lines(), truthLines(*sim), 10'000);
    }

    void verify_reports_what_a_stalled_stream_missed_without_touching_the_store()
    {
        QSignalSpy verified(session.get(), &ClusterSession::verified);
        session->verify(stream);
        QTRY_COMPARE_WITH_TIMEOUT(verified.size(), 1, 5000);
        auto result = verified.takeFirst().at(0).value<VerifyResult>();
        QVERIFY(!result.error);
        QCOMPARE(result.missing + result.extra + result.stale, 0);

        const qsizetype mark = mirror.health.size();
        injectWithChurn({fault("stall")}, {});
        const QStringList before = mirror.lines();
        session->verify(stream);
        QTRY_COMPARE_WITH_TIMEOUT(verified.size(), 1, 5000);
        result = verified.takeFirst().at(0).value<VerifyResult>();
        QVERIFY(!result.error);
        QCOMPARE(result.stream, stream);
        QCOMPARE(result.missing, 1); // one create
        QCOMPARE(result.extra, 2);   // two deletes
        QVERIFY(result.stale >= 1);  // updates
        QVERIFY(!result.examples.isEmpty());
        QVERIFY(!result.listedResourceVersion.isEmpty());
        QCOMPARE(mirror.lines(), before); // nothing was replaced

        QTRY_VERIFY_WITH_TIMEOUT(mirror.hasHealth(QStringLiteral("stalled"), mark), 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(mirror.lines(), truthLines(*sim), 10'000);
    }

    void a_long_list_reports_its_progress_while_it_runs()
    {
        // 3,000 pods in pages of 5: hundreds of round trips, so coalesced batches go out mid-list.
        cw::sim::SimConfig config = SimFixture::defaultConfig();
        config.shape.pods = 3000;
        SimFixture big(config);
        QVERIFY(big.start());
        const auto resolved = std::get<Kubeconfig>(Kubeconfig::loadFile(big.kubeconfigPath())).resolve();
        QVERIFY(std::holds_alternative<ResolvedContext>(resolved));
        SessionOptions options;
        options.coalesceMs = 20;
        options.listPageSize = 5;
        ClusterSession listing(std::get<ResolvedContext>(resolved), options);
        QList<StreamSample> samples;
        connect(&listing, &ClusterSession::batchReady, this, [&samples](const Batch &b) { samples.append(b.sample); });
        listing.watch(podsSpec());
        QTRY_VERIFY_WITH_TIMEOUT(!samples.isEmpty() && samples.last().objects == big.podCount(), 30'000);
        QVERIFY(std::any_of(samples.cbegin(), samples.cend(), [&big](const StreamSample &s) {
            return s.listing && s.listed > 0 && s.listed < big.podCount() && s.listTotal == big.podCount();
        }));
        QCOMPARE(samples.last().listTotal, big.podCount());
        QVERIFY(!samples.last().listing);
    }

    void idle_streams_still_report_their_counters_once_a_second()
    {
        const qsizetype mark = mirror.samples.size();
        QTest::qWait(2600); // no churn: only heartbeats (and bookmarks, which are no change)
        QVERIFY2(mirror.samples.size() - mark >= 2, qPrintable(QString::number(mirror.samples.size() - mark)));
        const StreamSample last = mirror.samples.last();
        QCOMPARE(last.state, StreamState::Live);
        QCOMPARE(last.objects, 20);
        QVERIFY(!last.listing);
        QCOMPARE(last.staleSinceMs, 0);
        QCOMPARE(last.retryAtMs, 0);
        QVERIFY(last.bytes > 0);
        // Bookmarks arrive every 500 ms: the last byte is recent, measured on the wall clock.
        QVERIFY(last.timeMs - last.lastByteMs < 1500);
        QVERIFY(last.timeMs >= QDateTime::currentMSecsSinceEpoch() - 2000);
    }

    void an_offline_stream_reports_since_when_it_is_stale_until_it_is_back()
    {
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        session->networkLost();
        const qsizetype mark = mirror.samples.size();
        // The heartbeat keeps reporting while nothing else happens.
        QTRY_VERIFY_WITH_TIMEOUT(mirror.samples.size() > mark + 1, 5000);
        QCOMPARE(mirror.samples.last().state, StreamState::Offline);
        QVERIFY(mirror.samples.last().staleSinceMs >= before);
        session->networkRestored();
        QTRY_COMPARE_WITH_TIMEOUT(mirror.samples.last().staleSinceMs, 0, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(mirror.samples.last().state, StreamState::Live, 5000);
    }

    void fetch_returns_the_whole_object_and_a_typed_error_for_a_missing_one()
    {
        const ObjectRef pod = mirror.objects.cbegin().value();
        QVERIFY(!pod->object.contains("\"managedFields\"")); // the store strips them
        QSignalSpy fetched(session.get(), &ClusterSession::fetched);
        session->fetch(stream, pod->ns, pod->name);
        QTRY_COMPARE_WITH_TIMEOUT(fetched.size(), 1, 5000);
        FetchResult result = fetched.takeFirst().at(0).value<FetchResult>();
        QVERIFY(!result.error);
        QCOMPARE(result.name, pod->name);
        QVERIFY(result.object.contains("\"managedFields\""));
        QVERIFY(result.object.contains(pod->uid.toUtf8()));

        session->fetch(stream, pod->ns, QStringLiteral("no-such-pod"));
        QTRY_COMPARE_WITH_TIMEOUT(fetched.size(), 1, 5000);
        result = fetched.takeFirst().at(0).value<FetchResult>();
        QVERIFY(result.error);
        QCOMPARE(result.error->kind, StreamError::Kind::NotFound);
        QCOMPARE(result.error->httpCode, 404);
        QVERIFY(result.object.isEmpty());
    }

    void network_lost_and_restored_resume_from_the_last_resource_version()
    {
        const qsizetype mark = mirror.health.size();
        session->networkLost();
        QTRY_VERIFY_WITH_TIMEOUT(mirror.hasHealth(QStringLiteral("network lost"), mark), 5000);
        QCOMPARE(mirror.health.last().state, StreamState::Offline);
        churn(1, 2, 2);
        session->networkRestored();
        QTRY_COMPARE_WITH_TIMEOUT(mirror.lines(), truthLines(*sim), 10'000);
        QVERIFY(mirror.hasHealth(QStringLiteral("network restored"), mark));
        QTRY_VERIFY_WITH_TIMEOUT(mirror.health.last().state == StreamState::Live, 5000);
        const QList<Gap> gaps = mirror.gaps;
        QVERIFY(std::any_of(gaps.cbegin(), gaps.cend(),
                            [](const Gap &g) { return g.cause == QLatin1StringView("network lost"); }));
    }

    void an_expired_continue_token_restarts_the_relist_from_page_one()
    {
        // On the sim thread: a write and a compaction every 2 ms, so that continue tokens (and watch
        // positions) keep expiring between the pages of a 5-pod-per-page relist.
        QTimer *storm = nullptr;
        sim->thread().invoke([&storm, this](cw::sim::SimServer &s) {
            storm = new QTimer(&s);
            QObject::connect(storm, &QTimer::timeout, &s, [&s, this] {
                churner.change(s, 0, 1, 0);
                s.store()->compactNow();
            });
            storm->start(2);
        });
        const qsizetype mark = mirror.health.size();
        sim->inject(fault("expire"));
        const auto restarted = [this, mark] {
            for (qsizetype i = mark; i < mirror.health.size(); ++i) {
                if (mirror.health[i].reason == QLatin1StringView("relist cancelled") &&
                    mirror.health[i].detail == QLatin1StringView("continue token expired"))
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(restarted(), 15'000);
        sim->thread().invoke([storm](cw::sim::SimServer &) { delete storm; });
        churn(1, 1, 1);
        QTRY_COMPARE_WITH_TIMEOUT(mirror.lines(), truthLines(*sim), 15'000);
    }

    void stopping_twice_finishes_once_and_watching_again_restarts()
    {
        session->stop(stream);
        session->stop(stream);
        QTRY_COMPARE_WITH_TIMEOUT(finishedCount, 1, 5000);
        QCOMPARE(mirror.health.last().reason, QStringLiteral("stopped"));
        QVERIFY(!finishedError);
        finishedCount = 0;
        mirror = Mirror{};
        churn(1, 1, 1);
        QCOMPARE(session->watch(podsSpec()), stream);
        QTRY_COMPARE_WITH_TIMEOUT(mirror.lines(), truthLines(*sim), 10'000);
    }
};

CW_TEST(TestInformerFaults)

// ---------------------------------------------------------------------------------------------------------
// Prefetch: the next page of a LIST is asked for as soon as the head of this one names it.

namespace {

// A TCP relay in front of the sim that logs every request line and holds back pod list pages: the first
// `headBytes` of each answer (status line, headers, the ListMeta) pass at once, the rest waits until another
// pod list request arrives or `holdMs` passes. Without a prefetch the next page is only asked for once the
// whole page is in, so a page released by a request is the proof that the next one was asked for early.
class HoldingRelay
{
public:
    static constexpr qint64 headBytes = 600;
    static constexpr int holdMs = 1500;

    QStringList requests; // request lines, in arrival order
    bool releaseOnRequest = true;
    int releasedByRequest = 0;
    // Runs before a pod list request is forwarded; `prefetch` is true while another page is held back.
    std::function<void(const QByteArray &line, bool prefetch)> onList;

    ~HoldingRelay()
    {
        // The sockets are the server's children: they must not call back into a half-destroyed relay.
        for (const std::shared_ptr<Pipe> &pipe : std::as_const(m_pipes)) {
            pipe->server->disconnect();
            pipe->client->disconnect();
        }
    }

    bool listen(quint16 target)
    {
        m_target = target;
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *client = m_server.nextPendingConnection())
                accept(client);
        });
        return m_server.listen(QHostAddress::LocalHost);
    }
    quint16 port() const { return m_server.serverPort(); }
    QStringList listRequests() const
    {
        QStringList out;
        for (const QString &line : requests) {
            if (isPodList(line.toUtf8()))
                out << line;
        }
        return out;
    }

private:
    struct Pipe
    {
        QTcpSocket *client = nullptr;
        QTcpSocket *server = nullptr;
        QByteArray fromClient;
        qint64 budget = -1; // bytes of the answer still let through; -1: everything
        QByteArray held;
        QTimer *timer = nullptr;
    };

    static bool isPodList(const QByteArray &line)
    {
        return line.startsWith("GET /api/v1/pods?") && !line.contains("watch=");
    }

    void accept(QTcpSocket *client)
    {
        auto pipe = std::make_shared<Pipe>();
        pipe->client = client;
        pipe->server = new QTcpSocket(client);
        pipe->timer = new QTimer(client);
        pipe->timer->setSingleShot(true);
        m_pipes.append(pipe);
        QObject::connect(pipe->timer, &QTimer::timeout, client, [this, pipe] { release(*pipe); });
        QObject::connect(client, &QTcpSocket::readyRead, client, [this, pipe] { fromClient(pipe); });
        QObject::connect(pipe->server, &QTcpSocket::readyRead, client, [this, pipe] { fromServer(*pipe); });
        QObject::connect(client, &QTcpSocket::disconnected, client, [this, pipe] {
            pipe->server->abort();
            m_pipes.removeOne(pipe);
            pipe->client->deleteLater();
        });
        QObject::connect(pipe->server, &QTcpSocket::disconnected, client, [this, pipe] {
            release(*pipe);
            pipe->client->disconnectFromHost();
        });
        pipe->server->connectToHost(QHostAddress::LocalHost, m_target);
    }

    void fromClient(const std::shared_ptr<Pipe> &pipe)
    {
        pipe->fromClient += pipe->client->readAll();
        // GET requests have no body: each one ends with its blank line.
        qsizetype end = 0;
        while ((end = pipe->fromClient.indexOf("\r\n\r\n")) >= 0) {
            const QByteArray head = pipe->fromClient.left(end + 4);
            pipe->fromClient.remove(0, end + 4);
            const QByteArray line = head.left(head.indexOf("\r\n"));
            requests << QString::fromUtf8(line);
            if (isPodList(line)) {
                bool prefetch = false;
                for (const std::shared_ptr<Pipe> &other : std::as_const(m_pipes))
                    prefetch = prefetch || (other != pipe && !other->held.isEmpty());
                if (onList)
                    onList(line, prefetch);
                for (const std::shared_ptr<Pipe> &other : std::as_const(m_pipes)) {
                    if (releaseOnRequest && other != pipe && !other->held.isEmpty()) {
                        ++releasedByRequest;
                        release(*other);
                    }
                }
                pipe->budget = headBytes;
            } else {
                pipe->budget = -1;
            }
            pipe->server->write(head);
        }
    }

    void fromServer(Pipe &pipe)
    {
        const QByteArray data = pipe.server->readAll();
        if (pipe.budget < 0) {
            pipe.client->write(data);
            return;
        }
        const qsizetype pass = std::min<qsizetype>(pipe.budget, data.size());
        pipe.client->write(data.left(pass));
        pipe.budget -= pass;
        pipe.held += data.mid(pass);
        if (!pipe.held.isEmpty() && !pipe.timer->isActive())
            pipe.timer->start(holdMs);
    }

    void release(Pipe &pipe)
    {
        pipe.timer->stop();
        pipe.budget = -1;
        if (!pipe.held.isEmpty())
            pipe.client->write(std::exchange(pipe.held, QByteArray()));
    }

    QTcpServer m_server;
    quint16 m_target = 0;
    QList<std::shared_ptr<Pipe>> m_pipes;
};

QString continueOf(const QString &line)
{
    const qsizetype at = line.indexOf(QLatin1StringView("continue="));
    if (at < 0)
        return QString();
    const qsizetype end = line.indexOf(QLatin1Char('&'), at);
    const qsizetype stop = std::min(end < 0 ? line.size() : end, line.indexOf(QLatin1Char(' '), at));
    return line.mid(at + 9, stop - at - 9);
}

} // namespace

class TestListPrefetch : public QObject
{
    Q_OBJECT

    std::unique_ptr<SimFixture> sim;
    std::unique_ptr<HoldingRelay> relay;
    std::unique_ptr<ClusterSession> session;
    Mirror mirror;
    Churner churner;
    QString stream;

    // A session that reaches the sim through the relay, listing 20 pods in pages of 5.
    void startSession()
    {
        const auto loaded = Kubeconfig::loadFile(sim->kubeconfigPath());
        QVERIFY(std::holds_alternative<Kubeconfig>(loaded));
        auto resolved = std::get<Kubeconfig>(loaded).resolve();
        QVERIFY(std::holds_alternative<ResolvedContext>(resolved));
        ResolvedContext context = std::get<ResolvedContext>(resolved);
        context.cluster.server.setPort(relay->port());
        SessionOptions options;
        options.coalesceMs = 20;
        options.seed = 7;
        options.listPageSize = 5;
        options.backoff.initialMs = 20;
        options.backoff.capMs = 200;
        session = std::make_unique<ClusterSession>(context, options);
        connect(session.get(), &ClusterSession::batchReady, this, [this](const Batch &batch) {
            if (batch.stream == stream)
                mirror.apply(batch);
        });
        stream = session->watch(podsSpec());
    }

    void waitForTheServersObjects()
    {
        QTRY_VERIFY_WITH_TIMEOUT(mirror.hasHealth(QStringLiteral("connected")), 15'000);
        QTRY_COMPARE_WITH_TIMEOUT(mirror.lines(), truthLines(*sim), 15'000);
        QCOMPARE(mirror.objects.size(), sim->podCount());
    }

    qint64 lastErrors() const { return mirror.health.isEmpty() ? 0 : mirror.health.last().errors; }

private slots:
    void init()
    {
        sim = std::make_unique<SimFixture>();
        QVERIFY(sim->start());
        relay = std::make_unique<HoldingRelay>();
        QVERIFY(relay->listen(sim->port()));
        mirror = Mirror{};
    }

    void cleanup()
    {
        session.reset();
        relay.reset();
        sim.reset();
    }

    void a_prefetched_page_is_used_and_each_page_is_asked_for_once()
    {
        startSession();
        waitForTheServersObjects();
        const QStringList lists = relay->listRequests();
        QStringList tokens;
        for (const QString &line : lists)
            tokens << continueOf(line);
        QCOMPARE(lists.size(), 4); // 20 pods, 5 a page
        QVERIFY(tokens.first().isEmpty());
        QCOMPARE(QSet<QString>(tokens.cbegin(), tokens.cend()).size(), tokens.size()); // none asked for twice
        // Every page but the last was still held back when the next one was asked for.
        QCOMPARE(relay->releasedByRequest, lists.size() - 1);
        QCOMPARE(mirror.reasons().count(QStringLiteral("relist start")), 1);
        QCOMPARE(mirror.reasons().count(QStringLiteral("relist end")), 1);
        QCOMPARE(lastErrors(), 0);
        QVERIFY(!mirror.hasHealth(QStringLiteral("relist cancelled")));
        // Each page's bytes count once: the body of all four pages, and no more than that.
        QTRY_VERIFY_WITH_TIMEOUT(!mirror.samples.isEmpty() && mirror.samples.last().state == StreamState::Live,
                                 5000);
        const cw::test::HttpResponse all = sim->request("GET", "/api/v1/pods");
        QVERIFY(all.ok());
        const qint64 bytes = mirror.samples.last().bytes;
        QVERIFY2(bytes >= all.body.size() && bytes < all.body.size() + 4 * 1024,
                 qPrintable(QString::number(bytes) + QLatin1StringView(" of ") + QString::number(all.body.size())));
    }

    void an_expired_continue_token_met_by_a_prefetch_restarts_the_list_from_page_one()
    {
        // The first prefetch finds its token expired: a write and a compaction just before it reaches the sim.
        bool compacted = false;
        relay->onList = [this, &compacted](const QByteArray &line, bool prefetch) {
            if (compacted || !prefetch || !line.contains("continue="))
                return;
            compacted = true;
            sim->thread().invoke([this](cw::sim::SimServer &s) {
                churner.change(s, 0, 1, 0);
                s.store()->compactNow();
            });
        };
        startSession();
        waitForTheServersObjects();
        QVERIFY(compacted);
        QVERIFY(mirror.hasHealth(QStringLiteral("relist cancelled")));
        const auto cancelled = std::find_if(mirror.health.cbegin(), mirror.health.cend(), [](const HealthEvent &e) {
            return e.reason == QLatin1StringView("relist cancelled");
        });
        QCOMPARE(cancelled->detail, QStringLiteral("continue token expired"));
        // The expired page was asked for once: the machine's request for it was the prefetch's answer.
        QStringList tokens;
        for (const QString &line : relay->listRequests())
            tokens << continueOf(line);
        QCOMPARE(tokens.count(QString()), 2); // page 1, then page 1 again
        tokens.removeAll(QString());
        QCOMPARE(QSet<QString>(tokens.cbegin(), tokens.cend()).size(), tokens.size());
    }

    void a_relist_during_a_prefetch_drops_it_without_a_trace()
    {
        // While the first page is held and the second is being prefetched, the network changes: the machine
        // starts the list over and the prefetch must vanish without a failure, a count or an object. The held
        // page stays held, so the prefetch cannot have been adopted before the change is seen.
        relay->releaseOnRequest = false;
        bool restarted = false;
        relay->onList = [this, &restarted](const QByteArray &line, bool prefetch) {
            if (restarted || !prefetch || !line.contains("continue="))
                return;
            restarted = true;
            sim->thread().invoke([this](cw::sim::SimServer &s) { churner.change(s, 1, 1, 1); });
            session->networkRestored();
        };
        startSession();
        waitForTheServersObjects();
        QVERIFY(restarted);
        const auto cancelled = std::find_if(mirror.health.cbegin(), mirror.health.cend(), [](const HealthEvent &e) {
            return e.reason == QLatin1StringView("relist cancelled");
        });
        QVERIFY(cancelled != mirror.health.cend());
        QCOMPARE(cancelled->detail, QStringLiteral("network changed"));
        QCOMPARE(lastErrors(), 0); // the aborted page and the dropped prefetch are no failures
        QCOMPARE(mirror.reasons().count(QStringLiteral("relist end")), 1);
        QVERIFY(mirror.recovered.isEmpty()); // the initial list, though restarted, is news
    }

    void verify_prefetches_its_pages_too()
    {
        startSession();
        waitForTheServersObjects();
        const qsizetype mark = relay->listRequests().size();
        const int released = relay->releasedByRequest;
        QSignalSpy verified(session.get(), &ClusterSession::verified);
        session->verify(stream);
        QTRY_COMPARE_WITH_TIMEOUT(verified.size(), 1, 10'000);
        const auto result = verified.takeFirst().at(0).value<VerifyResult>();
        QVERIFY(!result.error);
        QCOMPARE(result.missing + result.extra + result.stale, 0);
        const QStringList lists = relay->listRequests().mid(mark);
        QStringList tokens;
        for (const QString &line : lists)
            tokens << continueOf(line);
        QCOMPARE(lists.size(), 4);
        QCOMPARE(QSet<QString>(tokens.cbegin(), tokens.cend()).size(), tokens.size());
        QCOMPARE(relay->releasedByRequest - released, lists.size() - 1);
    }

    void verify_restarts_from_page_one_when_its_prefetch_meets_an_expired_token()
    {
        startSession();
        waitForTheServersObjects();
        const qsizetype mark = relay->listRequests().size();
        bool compacted = false;
        relay->onList = [this, &compacted](const QByteArray &line, bool prefetch) {
            if (compacted || !prefetch || !line.contains("continue="))
                return;
            compacted = true;
            sim->thread().invoke([this](cw::sim::SimServer &s) {
                churner.change(s, 0, 1, 0);
                s.store()->compactNow();
            });
        };
        QSignalSpy verified(session.get(), &ClusterSession::verified);
        session->verify(stream);
        QTRY_COMPARE_WITH_TIMEOUT(verified.size(), 1, 10'000);
        const auto result = verified.takeFirst().at(0).value<VerifyResult>();
        QVERIFY(compacted);
        QVERIFY(!result.error);
        QCOMPARE(result.missing + result.extra, 0);
        QVERIFY(result.stale <= 1); // the one update may not have reached the store yet
        QStringList tokens;
        for (const QString &line : relay->listRequests().mid(mark))
            tokens << continueOf(line);
        QCOMPARE(tokens.count(QString()), 2); // page 1, then page 1 again after the expired token
        // Page 1 and the expired page 2 (asked for once: by the prefetch), then all four pages again.
        QCOMPARE(tokens.size(), 2 + 4);
    }

    void the_continue_token_is_read_from_the_head_of_a_page_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<int>("result");
        QTest::addColumn<QString>("token");
        const int needMore = int(ContinuePeek::Result::NeedMore);
        const int found = int(ContinuePeek::Result::Token);
        const int none = int(ContinuePeek::Result::NoToken);
        const QByteArray page = R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42",)"
                                R"("continue":"eyJ2IjoibWV0YSJ9","remainingItemCount":15},"items":[{"metadata":)";
        QTest::newRow("the sim's order") << page << found << QStringLiteral("eyJ2IjoibWV0YSJ9");
        QTest::newRow("cut inside the token") << page.left(page.indexOf("J9")) << needMore << QString();
        QTest::newRow("cut before the list meta") << page.left(20) << needMore << QString();
        QTest::newRow("cut inside a number") << page.left(page.indexOf("15") + 1) << needMore << QString();
        QTest::newRow("nothing yet") << QByteArray() << needMore << QString();
        QTest::newRow("pretty printed, selfLink first")
            << QByteArray("{\n  \"kind\": \"PodList\",\n  \"metadata\": {\n    \"selfLink\": \"/api/v1/pods\",\n"
                          "    \"continue\": \"abc\"\n  },\n  \"items\": [")
            << found << QStringLiteral("abc");
        QTest::newRow("the last page")
            << QByteArray(R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42"},"items":[)")
            << none << QString();
        QTest::newRow("an empty token") << QByteArray(R"({"metadata":{"continue":""},"items":[)") << none << QString();
        QTest::newRow("items before the list meta")
            << QByteArray(R"({"kind":"PodList","items":[],"metadata":{"continue":"abc"}})") << none << QString();
        QTest::newRow("an escaped token") << QByteArray(R"({"metadata":{"continue":"a\/b"},"items":[)") << none
                                          << QString();
        QTest::newRow("a nested list meta member")
            << QByteArray(R"({"metadata":{"x":{"continue":"abc"},"continue":"abc"},"items":[)") << none << QString();
        QTest::newRow("a plain text answer") << QByteArray("Too many requests, please try again later.\n") << none
                                             << QString();
        QTest::newRow("no list meta at all") << QByteArray(R"({"kind":"Status","code":410})") << none << QString();
    }

    void the_continue_token_is_read_from_the_head_of_a_page()
    {
        QFETCH(QByteArray, head);
        QFETCH(int, result);
        QFETCH(QString, token);
        const ContinuePeek peek = peekContinueToken(head);
        QCOMPARE(int(peek.result), result);
        QCOMPARE(peek.token, token);
    }
};

CW_TEST(TestListPrefetch)
#include "tst_informer_faults.moc"
