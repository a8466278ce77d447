// SPDX-License-Identifier: Apache-2.0
#include "healthseries.h"
#include "healthview.h"
#include "streamhealthmodel.h"
#include "testmain.h"

#include <QAbstractItemModelTester>
#include <QAreaSeries>
#include <QChartView>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace cw::model;
using namespace cw::ui;
using namespace cw::watch;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 T0 = 1'700'000'000'000; // 2023-11-14 22:13:20 UTC

Batch sampleBatch(const QString &stream, qint64 atMs, qint64 events)
{
    Batch b;
    b.stream = stream;
    b.sample.timeMs = atMs;
    b.sample.state = StreamState::Live;
    b.sample.events = events;
    b.sample.bytes = events * 500;
    b.sample.lastByteMs = atMs - 200;
    return b;
}

HealthEvent connected(const QString &stream, qint64 atMs)
{
    HealthEvent e;
    e.stream = stream;
    e.reason = u"connected"_s;
    e.state = StreamState::Live;
    e.timeMs = atMs;
    return e;
}

} // namespace

class TestHealthView : public QObject
{
    Q_OBJECT

    std::unique_ptr<HealthSeries> series;
    std::unique_ptr<StreamHealthModel> health;
    std::unique_ptr<HealthView> view;
    std::unique_ptr<QAbstractItemModelTester> tester;

    template<typename T>
    T *seriesNamed(const QString &name) const
    {
        for (QChartView *chartView : view->findChildren<QChartView *>()) {
            for (QAbstractSeries *s : chartView->chart()->series()) {
                if (s->objectName() == name)
                    return qobject_cast<T *>(s);
            }
        }
        return nullptr;
    }

    // pods: a sample in each of 6 seconds (the first only sets the baseline: rate 0), a reconnect and a gap;
    // events: 3 seconds.
    void feed()
    {
        for (int s = 0; s < 6; ++s) {
            Batch b = sampleBatch(u"pods"_s, T0 + s * 1000 + 100, s * 10);
            if (s == 0)
                b.health << connected(u"pods"_s, T0);
            if (s == 4) {
                b.health << connected(u"pods"_s, T0 + 4000);
                b.gaps << Gap{u"pods"_s, T0 + 2000, T0 + 4000, u"stalled"_s, 0, 0, 0};
            }
            series->applyBatch(b);
            health->applyBatch(b);
        }
        for (int s = 0; s < 3; ++s) {
            const Batch b = sampleBatch(u"events"_s, T0 + s * 1000 + 300, s * 4);
            series->applyBatch(b);
            health->applyBatch(b);
        }
    }

private Q_SLOTS:
    void init()
    {
        series = std::make_unique<HealthSeries>();
        health = std::make_unique<StreamHealthModel>();
        health->setClock([] { return T0 + 10'000; });
        tester = std::make_unique<QAbstractItemModelTester>(health.get(),
                                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        view = std::make_unique<HealthView>(series.get(), health.get());
        view->setClock([] { return T0 + 3'723'000; }); // 23:15:23 UTC
        view->setTimeZone(QTimeZone::utc());
        view->resize(900, 700);
        view->show();
        QVERIFY(QTest::qWaitForWindowExposed(view.get()));
    }
    void cleanup()
    {
        view.reset();
        tester.reset();
        health.reset();
        series.reset();
    }

    void charts_show_one_point_per_second_and_the_markers()
    {
        feed();
        QSignalSpy updated(series.get(), &HealthSeries::updated);
        QVERIFY(updated.wait(2000)); // the view redraws on the coalesced signal
        auto *events = seriesNamed<QLineSeries>(u"eventsPerSecond"_s);
        auto *bytes = seriesNamed<QLineSeries>(u"bytesPerSecond"_s);
        auto *silence = seriesNamed<QLineSeries>(u"sinceLastByte"_s);
        auto *reconnects = seriesNamed<QScatterSeries>(u"reconnects"_s);
        auto *gaps = seriesNamed<QAreaSeries>(u"gaps"_s);
        QVERIFY(events && bytes && silence && reconnects && gaps);
        // All streams: seconds 0..5 of pods, seconds 0..2 of events share theirs.
        QCOMPARE(events->count(), 6);
        QCOMPARE(events->at(1).y(), 10.0 + 4.0);
        QCOMPARE(bytes->at(1).y(), 14.0 * 500);
        QCOMPARE(silence->count(), 6);
        QCOMPARE(reconnects->count(), 1);
        QCOMPARE(reconnects->at(0).x(), qreal(T0 + 4000));
        QCOMPARE(gaps->upperSeries()->count(), 4);

        view->setSelectedStream(u"events"_s);
        QCOMPARE(events->count(), 3);
        QCOMPARE(events->at(2).y(), 4.0);
        QCOMPARE(reconnects->count(), 0);
        QCOMPARE(gaps->upperSeries()->count(), 0);
        // The table lists both streams.
        QCOMPARE(view->table()->model()->rowCount(), 2);
    }

    void clicking_a_table_row_selects_its_stream()
    {
        feed();
        QTableView *table = view->table();
        const QModelIndex second = table->model()->index(1, 0);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(second).center());
        QCOMPARE(view->selectedStream(), u"events"_s);
        QCOMPARE(view->findChild<QComboBox *>(u"streamSelect"_s)->currentText(), u"events"_s);
    }

    void verify_asks_for_the_selected_stream_or_all_of_them()
    {
        auto *button = view->findChild<QPushButton *>(u"verifyNow"_s);
        QVERIFY(!button->isEnabled()); // nothing to verify yet
        feed();
        QVERIFY(button->isEnabled());
        QSignalSpy requested(view.get(), &HealthView::verifyRequested);
        button->click();
        QCOMPARE(requested.count(), 2);
        QCOMPARE(requested.at(0).at(0).toString(), u"pods"_s);
        QCOMPARE(requested.at(1).at(0).toString(), u"events"_s);
        view->setSelectedStream(u"pods"_s);
        button->click();
        QCOMPARE(requested.count(), 3);
        QCOMPARE(requested.at(2).at(0).toString(), u"pods"_s);
    }

    void verify_result_is_shown_in_words_data()
    {
        QTest::addColumn<int>("missing");
        QTest::addColumn<int>("extra");
        QTest::addColumn<int>("stale");
        QTest::addColumn<QStringList>("examples");
        QTest::addColumn<QString>("error");
        QTest::addColumn<QString>("expected");
        QTest::newRow("clean") << 0 << 0 << 0 << QStringList() << QString()
                               << u"Verified 23:15:23: 0 missing, 0 extra, 0 stale"_s;
        QTest::newRow("differences") << 2 << 1 << 0 << QStringList{u"demo/a"_s, u"demo/b"_s, u"demo/c"_s} << QString()
                                     << u"Verified 23:15:23: 2 missing, 1 extra, 0 stale — e.g. demo/a, demo/b, demo/c"_s;
        QTest::newRow("error") << 0 << 0 << 0 << QStringList() << u"connection refused"_s
                               << u"Verify of pods failed at 23:15:23: connection refused"_s;
    }
    void verify_result_is_shown_in_words()
    {
        QFETCH(int, missing);
        QFETCH(int, extra);
        QFETCH(int, stale);
        QFETCH(QStringList, examples);
        QFETCH(QString, error);
        QFETCH(QString, expected);
        VerifyResult result;
        result.stream = u"pods"_s;
        result.missing = missing;
        result.extra = extra;
        result.stale = stale;
        result.examples = examples;
        if (!error.isEmpty())
            result.error = StreamError{StreamError::Kind::Network, 0, QString(), error};
        view->showVerifyResult(result);
        QCOMPARE(view->verifyText(), expected);
        QCOMPARE(view->findChild<QLabel *>(u"verifyResult"_s)->text(), expected);
    }

    void chart_png_is_written()
    {
        feed();
        view->refresh();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"chart.png"_s);
        QVERIFY(view->saveChartPng(path));
        QImage image;
        QVERIFY(image.load(path, "PNG"));
        QVERIFY(image.width() > 100 && image.height() > 100);
        QVERIFY(!view->saveChartPng(dir.filePath(u"missing/dir/chart.png"_s)));
    }
};
CW_TEST(TestHealthView)

#include "tst_healthview.moc"
