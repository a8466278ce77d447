// SPDX-License-Identifier: Apache-2.0
#include "backoff.h"
#include "testmain.h"

#include <QTest>

#include <algorithm>
#include <limits>

using namespace cw::watch;

namespace {
Backoff::Config withoutJitter()
{
    Backoff::Config config;
    config.jitter = 0.0;
    return config;
}
} // namespace

class TestBackoff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void delays_double_from_800ms_and_stop_growing_at_30s_data()
    {
        QTest::addColumn<int>("failure");
        QTest::addColumn<qint64>("expectedMs");
        const qint64 expected[] = {800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000};
        for (int i = 0; i < int(std::size(expected)); ++i)
            QTest::addRow("failure %d", i + 1) << i + 1 << expected[i];
    }
    void delays_double_from_800ms_and_stop_growing_at_30s()
    {
        QFETCH(int, failure);
        QFETCH(qint64, expectedMs);
        Backoff backoff(1, withoutJitter());
        qint64 delay = 0;
        for (int i = 0; i < failure; ++i)
            delay = backoff.next(i * 1000); // failures one second apart: no quiet period in between
        QCOMPARE(delay, expectedMs);
        QCOMPARE(backoff.failures(), failure);
    }

    void jittered_delay_lies_in_d_to_2d_data()
    {
        QTest::addColumn<int>("failure");
        QTest::addColumn<qint64>("baseMs");
        const qint64 bases[] = {800, 1600, 3200, 6400, 12800, 25600, 30000, 30000};
        for (int i = 0; i < int(std::size(bases)); ++i)
            QTest::addRow("failure %d", i + 1) << i + 1 << bases[i];
    }
    void jittered_delay_lies_in_d_to_2d()
    {
        QFETCH(int, failure);
        QFETCH(qint64, baseMs);
        qint64 lowest = std::numeric_limits<qint64>::max();
        qint64 highest = 0;
        for (quint64 seed = 1; seed <= 2000; ++seed) {
            Backoff backoff(seed);
            qint64 delay = 0;
            for (int i = 0; i < failure; ++i)
                delay = backoff.next(i * 1000);
            QVERIFY2(delay >= baseMs && delay < 2 * baseMs, qPrintable(QString::number(delay)));
            lowest = std::min(lowest, delay);
            highest = std::max(highest, delay);
        }
        // Full jitter really uses the whole range, not a sliver of it.
        QVERIFY(lowest < baseMs + baseMs / 20);
        QVERIFY(highest > 2 * baseMs - baseMs / 20);
    }

    void the_same_seed_replays_the_same_delays()
    {
        Backoff a(42);
        Backoff b(42);
        Backoff c(43);
        bool anyDifferent = false;
        for (int i = 0; i < 20; ++i) {
            const qint64 da = a.next(i);
            QCOMPARE(b.next(i), da);
            anyDifferent |= c.next(i) != da;
        }
        QVERIFY(anyDifferent);
    }

    void two_quiet_minutes_start_the_sequence_over_data()
    {
        QTest::addColumn<qint64>("gapMs");
        QTest::addColumn<qint64>("expectedMs");
        QTest::newRow("one minute later it keeps growing") << qint64(60'000) << qint64(6400);
        QTest::newRow("just under two minutes it keeps growing") << qint64(119'999) << qint64(6400);
        QTest::newRow("two minutes later it starts over") << qint64(120'000) << qint64(800);
        QTest::newRow("an hour later it starts over") << qint64(3'600'000) << qint64(800);
    }
    void two_quiet_minutes_start_the_sequence_over()
    {
        QFETCH(qint64, gapMs);
        QFETCH(qint64, expectedMs);
        Backoff backoff(1, withoutJitter());
        ManualClock clock(5'000'000);
        backoff.next(clock.nowMs()); // 800
        backoff.next(clock.nowMs()); // 1600
        backoff.next(clock.nowMs()); // 3200
        clock.advance(gapMs);
        QCOMPARE(backoff.next(clock.nowMs()), expectedMs);
    }

    void a_continuous_outage_stays_at_the_cap()
    {
        // Failures keep coming one capped delay apart for an hour: the quiet period never elapses.
        Backoff backoff(7, withoutJitter());
        ManualClock clock;
        qint64 delay = 0;
        for (int i = 0; i < 200; ++i) {
            delay = backoff.next(clock.nowMs());
            clock.advance(delay);
        }
        QCOMPARE(delay, qint64(30'000));
    }

    void reset_starts_the_sequence_over()
    {
        Backoff backoff(1, withoutJitter());
        for (int i = 0; i < 5; ++i)
            backoff.next(i);
        backoff.reset();
        QCOMPARE(backoff.failures(), 0);
        QCOMPARE(backoff.next(10), qint64(800));
    }

    void a_clock_going_backwards_is_not_a_quiet_period()
    {
        Backoff backoff(1, withoutJitter());
        backoff.next(1'000'000);
        QCOMPARE(backoff.next(0), qint64(1600));
    }

    void random_between_stays_in_its_half_open_range()
    {
        Random random(3);
        qint64 lowest = 1000;
        qint64 highest = 0;
        for (int i = 0; i < 10'000; ++i) {
            const qint64 value = random.between(300, 600);
            QVERIFY(value >= 300 && value < 600);
            lowest = std::min(lowest, value);
            highest = std::max(highest, value);
        }
        QCOMPARE(lowest, qint64(300));
        QCOMPARE(highest, qint64(599));
        QCOMPARE(random.between(5, 5), qint64(5));
    }

    void manual_clock_moves_only_when_told()
    {
        ManualClock clock(10);
        QCOMPARE(clock.nowMs(), qint64(10));
        clock.advance(5);
        QCOMPARE(clock.nowMs(), qint64(15));
        clock.set(100);
        QCOMPARE(clock.nowMs(), qint64(100));
    }
};

CW_TEST(TestBackoff)
#include "tst_backoff.moc"
