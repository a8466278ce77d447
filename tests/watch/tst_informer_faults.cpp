// SPDX-License-Identifier: Apache-2.0
// The whole watch engine (ClusterSession -> Informer -> retry watcher) against the simulated API server over
// real sockets on 127.0.0.1, one fault kind at a time: whatever the fault, the consumer ends up with exactly
// the server's objects, what a gap hid comes back flagged as recovered, and the health log names the fault.
#include "informertestsupport.h"
#include "kubeconfig.h"
#include "listwatchhttp.h"
#include "session.h"
#include "simfixture.h"
#include "testmain.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

using namespace cw::watch;
using namespace cw::test::informer;
using cw::test::SimFixture;

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

    void a_burst_beyond_the_decode_backlog_is_applied_whole_before_the_close()
    {
        // About 15 MB of events: reads wait for the decode thread, and the server's close arrives while
        // reads are still out. Everything read comes first; nothing is dropped and read again.
        waitForMatureWatch();
        const qsizetype mark = mirror.health.size();
        constexpr int Burst = 3000;
        // The sim closes the stream the moment it has handed the whole burst to its socket, while the
        // client is still reading and decoding it.
        sim->thread().invoke([](cw::sim::SimServer &s) {
            const QList<cw::sim::ObjectPtr> pods = s.store()->list(podType(), QString());
            for (int i = 0; i < Burst; ++i) {
                const cw::sim::ObjectPtr &o = pods[i % pods.size()];
                s.store()->touch(s.store()->get(podType(), o->ns, o->name));
            }
            auto *poll = new QTimer(&s);
            poll->setInterval(1);
            QObject::connect(poll, &QTimer::timeout, &s, [&s, poll] {
                if (s.maxWatchLag() > 0)
                    return;
                s.injectFault(faultFrom(fault("close")));
                poll->deleteLater();
            });
            poll->start();
        });
        QTRY_VERIFY_WITH_TIMEOUT(mirror.hasHealth(QStringLiteral("closed by server"), mark), 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(mirror.lines(), truthLines(*sim), 10'000);
        const auto closed = std::find_if(mirror.health.cbegin() + mark, mirror.health.cend(),
                                         [](const HealthEvent &e) { return e.reason == QLatin1StringView("closed by server"); });
        const QRegularExpressionMatch events =
            QRegularExpression(QStringLiteral("and (\\d+) events")).match(closed->detail);
        QVERIFY2(events.hasMatch(), qPrintable(closed->detail));
        QVERIFY2(events.captured(1).toLongLong() >= Burst, qPrintable(closed->detail));
        QVERIFY(mirror.recovered.isEmpty());
        QVERIFY(mirror.gaps.isEmpty());
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

#include "tst_informer_faults.moc"
