// SPDX-License-Identifier: Apache-2.0
#include "streamhealthmodel.h"
#include "testmain.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace cw::model;
using namespace cw::watch;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 T0 = 1'700'000'000'000; // 2023-11-14 22:13:20 UTC
constexpr qint64 Now = T0 + 10'000;

HealthEvent health(const QString &reason, StreamState state, qint64 atMs)
{
    HealthEvent e;
    e.stream = u"pods"_s;
    e.reason = reason;
    e.state = state;
    e.timeMs = atMs;
    return e;
}

} // namespace

class TestStreamHealthModel : public QObject
{
    Q_OBJECT

    std::unique_ptr<StreamHealthModel> model;
    std::unique_ptr<QAbstractItemModelTester> tester;
    qint64 now = Now;

private Q_SLOTS:
    void init()
    {
        now = Now;
        model = std::make_unique<StreamHealthModel>();
        model->setClock([this] { return now; });
        model->setTimeZone(QTimeZone::utc());
        tester = std::make_unique<QAbstractItemModelTester>(model.get(),
                                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
    }
    void cleanup()
    {
        tester.reset();
        model.reset();
    }

    void freshness_and_banner_say_how_far_the_data_can_be_trusted_data()
    {
        QTest::addColumn<int>("state");
        QTest::addColumn<qint64>("staleSince");
        QTest::addColumn<qint64>("retryInMs");
        QTest::addColumn<bool>("listing");
        QTest::addColumn<qint64>("listed");
        QTest::addColumn<qint64>("listTotal");
        QTest::addColumn<qint64>("lastEventAgoMs");
        QTest::addColumn<QString>("freshness");
        QTest::addColumn<QString>("banner");
        const int live = int(StreamState::Live);
        QTest::newRow("live") << live << 0LL << 0LL << false << 0LL << -1LL << 2000LL
                              << u"live · last event 2 s ago"_s << QString();
        QTest::newRow("live, quiet for minutes") << live << 0LL << 0LL << false << 0LL << -1LL << 185'000LL
                                                 << u"live · last event 3 min ago"_s << QString();
        QTest::newRow("live, nothing yet") << live << 0LL << 0LL << false << 0LL << -1LL << -1LL
                                           << u"live · no events yet"_s << QString();
        QTest::newRow("backoff after a failure")
            << int(StreamState::Backoff) << T0 << 3200LL << false << 0LL << -1LL << 2000LL
            << u"stale since 22:13:20 · reconnecting in 3.2 s"_s
            << u"Reconnecting in 3.2 s — data may be stale since 22:13:20"_s;
        QTest::newRow("initial list") << int(StreamState::Listing) << 0LL << 0LL << true << 3500LL << 12000LL << -1LL
                                      << u"listing 3,500 / 12,000"_s
                                      << u"Listing 3,500 / 12,000 — the data is incomplete until the list ends"_s;
        QTest::newRow("relist after a gap") << int(StreamState::Listing) << T0 << 0LL << true << 3500LL << 12000LL
                                            << -1LL << u"stale since 22:13:20 · listing 3,500 / 12,000"_s
                                            << u"Relisting 3,500 / 12,000 — data may be stale since 22:13:20"_s;
        QTest::newRow("list of unknown size") << int(StreamState::Listing) << 0LL << 0LL << true << 42LL << -1LL
                                              << -1LL << u"listing 42"_s
                                              << u"Listing 42 — the data is incomplete until the list ends"_s;
        QTest::newRow("stalled") << int(StreamState::Stalled) << T0 << 0LL << false << 0LL << -1LL << 9000LL
                                 << u"stale since 22:13:20 · stalled"_s
                                 << u"Stalled — data may be stale since 22:13:20"_s;
        QTest::newRow("offline") << int(StreamState::Offline) << T0 << 0LL << false << 0LL << -1LL << 9000LL
                                 << u"stale since 22:13:20 · offline"_s
                                 << u"Offline — data may be stale since 22:13:20"_s;
        QTest::newRow("first connection") << int(StreamState::Connecting) << 0LL << 0LL << false << 0LL << -1LL
                                          << -1LL << u"connecting"_s << u"Connecting — no data yet"_s;
        QTest::newRow("first connection waits") << int(StreamState::Backoff) << 0LL << 800LL << false << 0LL << -1LL
                                                << -1LL << u"connecting in 0.8 s"_s
                                                << u"Connecting in 0.8 s — no data yet"_s;
        QTest::newRow("stopped") << int(StreamState::Stopped) << 0LL << 0LL << false << 0LL << -1LL << -1LL
                                 << u"stopped"_s << u"Stopped — the data is no longer updated"_s;
    }
    void freshness_and_banner_say_how_far_the_data_can_be_trusted()
    {
        QFETCH(int, state);
        QFETCH(qint64, staleSince);
        QFETCH(qint64, retryInMs);
        QFETCH(bool, listing);
        QFETCH(qint64, listed);
        QFETCH(qint64, listTotal);
        QFETCH(qint64, lastEventAgoMs);
        QFETCH(QString, freshness);
        QFETCH(QString, banner);
        Batch b;
        b.stream = u"pods"_s;
        b.sample.timeMs = Now - 100;
        b.sample.state = StreamState(state);
        b.sample.staleSinceMs = staleSince;
        b.sample.retryAtMs = retryInMs > 0 ? Now + retryInMs : 0;
        b.sample.listing = listing;
        b.sample.listed = listed;
        b.sample.listTotal = listTotal;
        b.sample.lastEventMs = lastEventAgoMs >= 0 ? Now - lastEventAgoMs : 0;
        model->applyBatch(b);
        QCOMPARE(model->freshnessText(u"pods"_s, Now), freshness);
        QCOMPARE(model->bannerText(u"pods"_s, Now), banner);
        QCOMPARE(model->index(0, 0).data(StreamHealthModel::BannerRole).toString(), banner);
        QCOMPARE(model->staleSince(u"pods"_s).has_value(), staleSince > 0);
    }

    void failure_names_the_last_error()
    {
        Batch b;
        b.stream = u"pods"_s;
        HealthEvent e = health(u"auth failure"_s, StreamState::Failed, T0);
        e.detail = u"401 Unauthorized"_s;
        e.errors = 1;
        b.health << e;
        model->applyBatch(b);
        QCOMPARE(model->lastError(u"pods"_s), u"auth failure: 401 Unauthorized"_s);
        QCOMPARE(model->freshnessText(u"pods"_s, Now), u"failed: auth failure: 401 Unauthorized"_s);
        QCOMPARE(model->bannerText(u"pods"_s, Now),
                 u"Stream failed: auth failure: 401 Unauthorized — the data is no longer updated"_s);
        QCOMPARE(model->index(0, StreamHealthModel::LastErrorColumn).data().toString(),
                 u"auth failure: 401 Unauthorized"_s);
    }

    void a_health_event_without_a_new_error_keeps_the_last_one()
    {
        Batch b;
        b.stream = u"pods"_s;
        HealthEvent failure = health(u"closed by server"_s, StreamState::Backoff, T0);
        failure.errors = 1;
        HealthEvent connected = health(u"connected"_s, StreamState::Live, T0 + 1000);
        connected.errors = 1;
        b.health << failure << connected;
        model->applyBatch(b);
        QCOMPARE(model->lastError(u"pods"_s), u"closed by server"_s);
    }

    void counters_and_ages_fill_the_row()
    {
        Batch b;
        b.stream = u"pods"_s;
        HealthEvent connected = health(u"connected"_s, StreamState::Live, Now - 65'000);
        connected.reconnects = 2;
        connected.relists = 1;
        connected.gaps = 3;
        connected.stalls = 4;
        connected.lastResourceVersion = u"12345"_s;
        b.health << connected;
        b.sample.timeMs = Now;
        b.sample.state = StreamState::Live;
        b.sample.events = 12000;
        b.sample.bytes = 3 * 1024 * 1024;
        b.sample.lastByteMs = Now - 2000;
        model->applyBatch(b);
        const auto text = [this](int column) { return model->index(0, column).data().toString(); };
        QCOMPARE(text(StreamHealthModel::StreamColumn), u"pods"_s);
        QCOMPARE(text(StreamHealthModel::StateColumn), u"live"_s);
        QCOMPARE(text(StreamHealthModel::UptimeColumn), u"1 min 05 s"_s);
        QCOMPARE(text(StreamHealthModel::EventsColumn), u"12,000"_s);
        QCOMPARE(text(StreamHealthModel::BytesColumn), u"3.0 MiB"_s);
        QCOMPARE(text(StreamHealthModel::ReconnectsColumn), u"2"_s);
        QCOMPARE(text(StreamHealthModel::RelistsColumn), u"1"_s);
        QCOMPARE(text(StreamHealthModel::GapsColumn), u"3"_s);
        QCOMPARE(text(StreamHealthModel::StallsColumn), u"4"_s);
        QCOMPARE(text(StreamHealthModel::LastRvColumn), u"12345"_s);
        QCOMPARE(text(StreamHealthModel::LastByteColumn), u"2 s ago"_s);
        QCOMPARE(model->sample(u"pods"_s).events, 12000);

        // The clock moves on; the tick announces the age columns.
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        now += 3000;
        model->tick();
        QVERIFY(changed.count() >= 2);
        QCOMPARE(text(StreamHealthModel::LastByteColumn), u"5 s ago"_s);
        QCOMPARE(text(StreamHealthModel::UptimeColumn), u"1 min 08 s"_s);
    }

    void uptime_restarts_after_a_disconnect()
    {
        Batch b;
        b.stream = u"pods"_s;
        b.health << health(u"connected"_s, StreamState::Live, Now - 60'000)
                 << health(u"closed by server"_s, StreamState::Backoff, Now - 20'000);
        model->applyBatch(b);
        QCOMPARE(model->index(0, StreamHealthModel::UptimeColumn).data().toString(), u"—"_s);
        Batch again;
        again.stream = u"pods"_s;
        again.health << health(u"connected"_s, StreamState::Live, Now - 7000);
        model->applyBatch(again);
        QCOMPARE(model->index(0, StreamHealthModel::UptimeColumn).data().toString(), u"7 s"_s);
    }

    void one_row_per_stream()
    {
        for (const QString &stream : {u"pods"_s, u"events"_s, u"pods"_s}) {
            Batch b;
            b.stream = stream;
            b.sample.timeMs = Now;
            model->applyBatch(b);
        }
        QCOMPARE(model->rowCount(), 2);
        QCOMPARE(model->streams(), (QStringList{u"pods"_s, u"events"_s}));
        QCOMPARE(model->freshnessText(u"unknown"_s, Now), QString());
    }
};
CW_TEST(TestStreamHealthModel)

#include "tst_streamhealthmodel.moc"
