// SPDX-License-Identifier: Apache-2.0
#include "healthseries.h"
#include "testmain.h"

#include <QSignalSpy>
#include <QTest>

using namespace cw::model;
using namespace cw::watch;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 T0 = 1'700'000'000'000;

Batch sampleBatch(const QString &stream, qint64 atMs, qint64 events, qint64 bytes, qint64 lastByteMs = 0)
{
    Batch b;
    b.stream = stream;
    b.sample.timeMs = atMs;
    b.sample.events = events;
    b.sample.bytes = bytes;
    b.sample.lastByteMs = lastByteMs;
    return b;
}

HealthEvent health(const QString &stream, const QString &reason, qint64 atMs, qint64 backoffMs = 0)
{
    HealthEvent e;
    e.stream = stream;
    e.reason = reason;
    e.timeMs = atMs;
    e.backoffMs = backoffMs;
    return e;
}

} // namespace

class TestHealthSeries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rates_are_the_deltas_of_the_totals_per_second_data()
    {
        QTest::addColumn<QList<qint64>>("offsetsMs");
        QTest::addColumn<QList<qint64>>("eventTotals");
        QTest::addColumn<QList<double>>("expectedRates");
        // The first sample is the baseline: no rate from it.
        QTest::newRow("one per second") << QList<qint64>{0, 1000, 2000, 3000} << QList<qint64>{100, 110, 130, 130}
                                        << QList<double>{0, 10, 20, 0};
        QTest::newRow("several in one second add up")
            << QList<qint64>{0, 200, 400, 1100} << QList<qint64>{0, 5, 12, 20} << QList<double>{12, 8};
        QTest::newRow("a restarted stream sets a new baseline")
            << QList<qint64>{0, 1000, 2000, 3000} << QList<qint64>{50, 60, 5, 9} << QList<double>{0, 10, 0, 4};
    }
    void rates_are_the_deltas_of_the_totals_per_second()
    {
        QFETCH(QList<qint64>, offsetsMs);
        QFETCH(QList<qint64>, eventTotals);
        QFETCH(QList<double>, expectedRates);
        HealthSeries series;
        for (qsizetype i = 0; i < offsetsMs.size(); ++i)
            series.applyBatch(sampleBatch(u"pods"_s, T0 + offsetsMs[i], eventTotals[i], eventTotals[i] * 100));
        const StreamSeries pods = series.series(u"pods"_s);
        QList<double> rates;
        for (const SeriesPoint &p : pods.points) {
            rates << p.eventsPerSec;
            QCOMPARE(p.bytesPerSec, p.eventsPerSec * 100);
            QCOMPARE(p.timeMs % 1000, 0);
        }
        QCOMPARE(rates, expectedRates);
    }

    void all_streams_add_up_and_report_the_worst_silence()
    {
        HealthSeries series;
        series.applyBatch(sampleBatch(u"pods"_s, T0, 0, 0, T0));
        series.applyBatch(sampleBatch(u"events"_s, T0 + 10, 0, 0, T0));
        series.applyBatch(sampleBatch(u"pods"_s, T0 + 1000, 7, 700, T0 + 900));
        series.applyBatch(sampleBatch(u"events"_s, T0 + 1010, 3, 300, T0 - 4000));
        const StreamSeries all = series.series();
        QCOMPARE(all.points.size(), 2);
        QCOMPARE(all.points.last().eventsPerSec, 10.0);
        QCOMPARE(all.points.last().bytesPerSec, 1000.0);
        QCOMPARE(all.points.last().sinceLastByteSec, 5.01);
        QCOMPARE(series.series(u"pods"_s).points.last().sinceLastByteSec, 0.1);
        QCOMPARE(series.streams(), (QStringList{u"pods"_s, u"events"_s}));
    }

    void markers_record_reconnects_backoffs_gaps_and_stalls()
    {
        HealthSeries series;
        Batch b;
        b.stream = u"pods"_s;
        b.health << health(u"pods"_s, u"connected"_s, T0) // the first connection is no reconnect
                 << health(u"pods"_s, u"stalled"_s, T0 + 1000)
                 << health(u"pods"_s, u"closed by server"_s, T0 + 2000, 1600)
                 << health(u"pods"_s, u"connected"_s, T0 + 4000);
        b.gaps << Gap{u"pods"_s, T0 + 1000, T0 + 4000, u"stalled"_s, 0, 0, 0};
        series.applyBatch(b);
        for (const StreamSeries &s : {series.series(u"pods"_s), series.series()}) {
            QCOMPARE(s.reconnects, QList<qint64>{T0 + 4000});
            QCOMPARE(s.stalls, QList<qint64>{T0 + 1000});
            QCOMPARE(s.backoffs.size(), 1);
            QCOMPARE(s.backoffs.first().startMs, T0 + 2000);
            QCOMPARE(s.backoffs.first().endMs, T0 + 3600);
            QCOMPARE(s.gaps.size(), 1);
            QCOMPARE(s.gaps.first().label, u"stalled"_s);
        }
    }

    void old_points_and_markers_fall_out_of_the_window()
    {
        HealthSeries series;
        series.setRetentionMs(10'000);
        Batch first = sampleBatch(u"pods"_s, T0, 0, 0);
        first.health << health(u"pods"_s, u"stalled"_s, T0);
        series.applyBatch(first);
        for (int s = 1; s <= 30; ++s)
            series.applyBatch(sampleBatch(u"pods"_s, T0 + s * 1000, s, s));
        const StreamSeries pods = series.series(u"pods"_s);
        QCOMPARE(pods.points.size(), 11); // seconds 20..30
        QCOMPARE(pods.points.first().timeMs, T0 + 20'000);
        QVERIFY(pods.stalls.isEmpty());
        QCOMPARE(series.series().points.size(), 11);
    }

    void updates_are_coalesced()
    {
        HealthSeries series;
        series.setUpdateIntervalMs(50);
        QSignalSpy updated(&series, &HealthSeries::updated);
        for (int i = 0; i < 20; ++i)
            series.applyBatch(sampleBatch(u"pods"_s, T0 + i * 10, i, i));
        QCOMPARE(updated.count(), 0);
        QVERIFY(updated.wait(1000));
        QTest::qWait(120);
        QCOMPARE(updated.count(), 1);
    }
};
CW_TEST(TestHealthSeries)

#include "tst_healthseries.moc"
