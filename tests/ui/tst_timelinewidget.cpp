// SPDX-License-Identifier: Apache-2.0
#include "eventtimelinemodel.h"
#include "outputs.h"
#include "palette.h"
#include "testmain.h"
#include "timelineexport.h"
#include "timelinelanes.h"
#include "timelinewidget.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QToolButton>

#include <memory>

using namespace cw::model;
using namespace cw::ui;
using namespace cw::watch;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 T0 = 1'700'000'000'000;

ObjectRef record(const QString &kind, const QString &ns, const QString &name, int rv, const QByteArray &json = {})
{
    auto o = std::make_shared<ObjectRecord>();
    o->kind = kind;
    o->apiVersion = u"v1"_s;
    o->ns = ns;
    o->name = name;
    o->uid = u"uid-"_s + name;
    o->resourceVersion = QString::number(rv);
    o->object = json.isEmpty() ? "{\"kind\":\"" + kind.toUtf8() + "\",\"metadata\":{\"name\":\"" + name.toUtf8() + "\"}}"
                               : json;
    return o;
}

Change change(ChangeType type, const ObjectRef &object, qint64 atMs, bool recovered = false)
{
    Change c;
    c.type = type;
    c.object = object;
    c.receivedMs = atMs;
    c.recovered = recovered;
    if (recovered)
        c.recoveredReason = u"relist after stalled"_s;
    return c;
}

// pods: ADDED a at +10 s, MODIFIED b (kube-system) at +30 s, a gap from +20 s to +40 s closed with a
// recovered DELETED at +40 s; a connection event at +45 s. events: ADDED e at +50 s.
void feed(EventTimelineModel &model)
{
    Batch b;
    b.stream = u"pods"_s;
    b.changes << change(ChangeType::Added, record(u"Pod"_s, u"demo"_s, u"a"_s, 1), T0 + 10'000)
              << change(ChangeType::Modified, record(u"Pod"_s, u"kube-system"_s, u"b"_s, 2), T0 + 30'000);
    model.applyBatch(b);
    Batch gap;
    gap.stream = u"pods"_s;
    gap.changes << change(ChangeType::Deleted, record(u"Pod"_s, u"demo"_s, u"c"_s, 3), T0 + 40'000, true);
    gap.gaps << Gap{u"pods"_s, T0 + 20'000, T0 + 40'000, u"stalled"_s, 0, 0, 1};
    HealthEvent connected;
    connected.stream = u"pods"_s;
    connected.reason = u"connected"_s;
    connected.timeMs = T0 + 45'000;
    connected.state = StreamState::Live;
    gap.health << connected;
    model.applyBatch(gap);
    Batch events;
    events.stream = u"events"_s;
    events.changes << change(ChangeType::Added, record(u"Event"_s, u"demo"_s, u"e"_s, 4), T0 + 50'000);
    model.applyBatch(events);
}

Batch watchBatchOf(const QString &stream, const QList<Change> &changes)
{
    Batch b;
    b.stream = stream;
    b.changes = changes;
    return b;
}

QColor blend(const QColor &over, const QColor &base)
{
    const double a = over.alphaF();
    return QColor::fromRgbF(float(over.redF() * a + base.redF() * (1 - a)),
                            float(over.greenF() * a + base.greenF() * (1 - a)),
                            float(over.blueF() * a + base.blueF() * (1 - a)));
}

bool near(const QColor &a, const QColor &b)
{
    return std::abs(a.red() - b.red()) <= 3 && std::abs(a.green() - b.green()) <= 3
           && std::abs(a.blue() - b.blue()) <= 3;
}

} // namespace

class TestTimelineWidget : public QObject
{
    Q_OBJECT

    std::unique_ptr<EventTimelineModel> model;
    std::unique_ptr<TimelineWidget> widget;
    std::unique_ptr<QAbstractItemModelTester> sourceTester;
    std::unique_ptr<QAbstractItemModelTester> proxyTester;

    TimelineLanes *lanes() const { return widget->lanes(); }

private Q_SLOTS:
    void init()
    {
        model = std::make_unique<EventTimelineModel>();
        widget = std::make_unique<TimelineWidget>(model.get());
        sourceTester = std::make_unique<QAbstractItemModelTester>(
            model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxyTester = std::make_unique<QAbstractItemModelTester>(
            widget->proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        widget->setClock([] { return T0 + 60'000; });
        feed(*model);
        widget->resize(1000, 600);
        widget->show();
        QVERIFY(QTest::qWaitForWindowExposed(widget.get()));
        QCOMPARE(lanes()->viewEndMs(), T0 + 60'000); // following live: the right edge is now
        lanes()->setView(T0 + 60'000, 60'000);
    }
    void cleanup()
    {
        proxyTester.reset();
        sourceTester.reset();
        widget.reset();
        model.reset();
    }

    void lanes_shade_the_gap_and_only_the_gap()
    {
        QCOMPARE(lanes()->lanes(), (QStringList{u"pods"_s, u"events"_s}));
        const QImage image = lanes()->grab().toImage();
        const QColor shaded = blend(stateColors(lanes()->palette()).gap, lanes()->palette().color(QPalette::Base));
        const QRect lane = lanes()->laneRect(0);
        const int y = lane.bottom() - 3; // below the tick marks, which span the middle
        const int gapLeft = lanes()->xForTime(T0 + 20'000);
        const int gapRight = lanes()->xForTime(T0 + 40'000);
        int inside = 0;
        for (int x = gapLeft + 2; x <= gapRight - 2; ++x)
            inside += near(image.pixelColor(x, y), shaded) ? 1 : 0;
        QVERIFY2(inside >= (gapRight - gapLeft - 4) * 9 / 10, qPrintable(QString::number(inside)));
        int outside = 0;
        for (int x = lane.left() + 2; x < gapLeft - 2; ++x)
            outside += near(image.pixelColor(x, y), shaded) ? 1 : 0;
        QCOMPARE(outside, 0);
        // The second lane has no gap.
        QVERIFY(!near(image.pixelColor((gapLeft + gapRight) / 2, lanes()->laneRect(1).bottom() - 3), shaded));
    }

    void marks_have_their_type_colour_and_filters_remove_them()
    {
        const StateColors colors = stateColors(lanes()->palette());
        const auto pixelAt = [this](qint64 t, int lane) {
            return lanes()->grab().toImage().pixelColor(lanes()->xForTime(t), lanes()->laneRect(lane).center().y());
        };
        QVERIFY(near(pixelAt(T0 + 10'000, 0), colors.live));
        QVERIFY(near(pixelAt(T0 + 40'000, 0), colors.recovered)); // the recovered DELETED is a diamond
        QVERIFY(near(pixelAt(T0 + 50'000, 1), colors.live));
        widget->findChild<QCheckBox *>(u"typeAdded"_s)->setChecked(false);
        QVERIFY(!near(pixelAt(T0 + 10'000, 0), colors.live));
        QVERIFY(!near(pixelAt(T0 + 50'000, 1), colors.live));
        QVERIFY(near(pixelAt(T0 + 40'000, 0), colors.recovered));
    }

    void clicking_a_lane_mark_activates_its_entry()
    {
        QSignalSpy activated(widget.get(), &TimelineWidget::entryActivated);
        const int y = lanes()->laneRect(0).center().y();
        QTest::mouseClick(lanes(), Qt::LeftButton, {}, QPoint(lanes()->xForTime(T0 + 30'000) + 2, y));
        QCOMPARE(activated.count(), 1);
        auto entry = activated.at(0).at(0).value<TimelineEntry>();
        QCOMPARE(entry.name(), u"b"_s);
        QCOMPARE(entry.type(), u"MODIFIED"_s);
        // The table follows the click.
        QCOMPARE(widget->proxy()->entryAt(widget->table()->currentIndex().row()).name(), u"b"_s);

        // Inside the gap but away from any mark: the gap itself.
        QTest::mouseClick(lanes(), Qt::LeftButton, {}, QPoint(lanes()->xForTime(T0 + 25'000), y));
        QCOMPARE(activated.count(), 2);
        entry = activated.at(1).at(0).value<TimelineEntry>();
        QCOMPARE(entry.kind, TimelineEntry::Kind::Gap);

        // Nothing there: nothing activated.
        QTest::mouseClick(lanes(), Qt::LeftButton, {}, QPoint(lanes()->xForTime(T0 + 5'000), y));
        QCOMPARE(activated.count(), 2);
    }

    void clicking_a_table_row_activates_its_entry()
    {
        QSignalSpy activated(widget.get(), &TimelineWidget::entryActivated);
        QTableView *table = widget->table();
        const QModelIndex last = widget->proxy()->index(widget->proxy()->rowCount() - 1, 0);
        table->scrollTo(last);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(last).center());
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).value<TimelineEntry>().name(), u"e"_s);
    }

    void filters_narrow_the_table_data()
    {
        QTest::addColumn<QString>("ns");
        QTest::addColumn<QString>("uncheck");
        QTest::addColumn<bool>("recoveredOnly");
        QTest::addColumn<int>("rows");
        QTest::newRow("all") << QString() << QString() << false << 6;
        QTest::newRow("namespace") << u"kube-system"_s << QString() << false << 3; // b, the gap, connected
        QTest::newRow("no gaps") << QString() << u"typeGap"_s << false << 5;
        QTest::newRow("no connection entries") << QString() << u"typeConnection"_s << false << 5;
        QTest::newRow("recovered only") << QString() << QString() << true << 1;
    }
    void filters_narrow_the_table()
    {
        QFETCH(QString, ns);
        QFETCH(QString, uncheck);
        QFETCH(bool, recoveredOnly);
        QFETCH(int, rows);
        widget->findChild<QLineEdit *>(u"namespaceFilter"_s)->setText(ns);
        if (!uncheck.isEmpty())
            widget->findChild<QCheckBox *>(uncheck)->setChecked(false);
        widget->findChild<QCheckBox *>(u"recoveredOnly"_s)->setChecked(recoveredOnly);
        QCOMPARE(widget->table()->model()->rowCount(), rows);
        QCOMPARE(widget->exportRows().size(), rows);
    }

    void zoom_buttons_and_ctrl_wheel_change_the_window()
    {
        const qint64 span = lanes()->viewSpanMs();
        widget->findChild<QToolButton *>(u"zoomIn"_s)->click();
        QCOMPARE(lanes()->viewSpanMs(), qint64(double(span) / 1.5));
        widget->findChild<QToolButton *>(u"zoomOut"_s)->click();
        QVERIFY(std::abs(lanes()->viewSpanMs() - span) <= 1);

        const QPoint at(lanes()->xForTime(T0 + 30'000), lanes()->laneRect(0).center().y());
        QWheelEvent wheel(at, lanes()->mapToGlobal(at), {}, QPoint(0, 120), Qt::NoButton, Qt::ControlModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(lanes(), &wheel);
        QVERIFY(lanes()->viewSpanMs() < span);
        // The time under the cursor stays under it.
        QVERIFY(std::abs(lanes()->timeForX(at.x()) - (T0 + 30'000)) < lanes()->viewSpanMs() / 100);
    }

    void follow_live_keeps_now_at_the_right_edge()
    {
        auto *follow = widget->findChild<QToolButton *>(u"followLive"_s);
        QVERIFY(!follow->isChecked()); // setView() in init() left the live edge
        qint64 now = T0 + 90'000;
        widget->setClock([&now] { return now; });
        follow->click();
        QVERIFY(lanes()->followLive());
        QCOMPARE(lanes()->viewEndMs(), T0 + 90'000);
        now += 5000;
        QTRY_COMPARE(lanes()->viewEndMs(), T0 + 95'000);
        // Scrolling back in time stops following.
        const QPoint at(lanes()->width() / 2, lanes()->laneRect(0).center().y());
        QWheelEvent wheel(at, lanes()->mapToGlobal(at), {}, QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(lanes(), &wheel);
        QVERIFY(!follow->isChecked());
        QVERIFY(lanes()->viewEndMs() < T0 + 95'000);
        widget->setClock([] { return T0; }); // `now` goes out of scope
    }
};
CW_TEST(TestTimelineWidget)

class TestTimelineExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void watch_entries_are_written_as_the_headless_events_out_writes_them()
    {
        EventTimelineModel model;
        Batch b;
        b.stream = u"pods@demo"_s;
        const Change added = change(ChangeType::Added, record(u"Pod"_s, u"demo"_s, u"a"_s, 7), T0, true);
        b.changes << added;
        model.applyBatch(b);
        const QByteArray json = TimelineExport::toJsonLines(model, {0}, u"kind-ctx"_s, false);
        QByteArray expected = cw::app::EventWriter::line(cw::app::EventWriter::Format::JsonLines, u"kind-ctx"_s,
                                                         u"pods"_s, added);
        expected.chop(2);
        QVERIFY2(json.startsWith(QByteArray(expected + ',')), json.constData());
        QVERIFY(json.contains("\"kind\":\"watch\""));
        QVERIFY(json.endsWith("}\n"));

        const QByteArray csv = TimelineExport::toCsv(model, {0}, u"kind-ctx"_s);
        QByteArray csvLine = cw::app::EventWriter::line(cw::app::EventWriter::Format::Csv, u"kind-ctx"_s, u"pods"_s,
                                                        added);
        csvLine.chop(2);
        QCOMPARE(csv.split('\n').at(0) + '\n', TimelineExport::csvHeader());
        QVERIFY2(csv.contains(QByteArray(csvLine + ",watch,pods@demo,")), csv.constData());
    }

    void secrets_are_masked_unless_shown()
    {
        EventTimelineModel model;
        Batch b;
        b.stream = u"secrets"_s;
        b.changes << change(ChangeType::Modified,
                            record(u"Secret"_s, u"demo"_s, u"token"_s, 9,
                                   R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"token"},"data":{"password":"aHVudGVyMg=="}})"),
                            T0);
        model.applyBatch(b);
        const QByteArray masked = TimelineExport::toJsonLines(model, {0}, u"ctx"_s, false);
        QVERIFY(!masked.contains("aHVudGVyMg=="));
        QVERIFY(masked.contains("\"password\":\"***\""));
        QVERIFY(TimelineExport::toJsonLines(model, {0}, u"ctx"_s, true).contains("aHVudGVyMg=="));
        QVERIFY(!TimelineExport::toCsv(model, {0}, u"ctx"_s).contains("aHVudGVyMg=="));
    }

    // Entries whose object the model released write what identifies them; the bytes are pinned so that a
    // change in how entries are stored cannot change an export.
    void export_bytes_of_kept_and_released_entries_are_stable()
    {
        EventTimelineModel model;
        model.setObjectRetention(1);
        const auto version = [](const QString &uid, const QString &rv) {
            auto o = std::make_shared<ObjectRecord>();
            o->kind = u"Pod"_s;
            o->apiVersion = u"v1"_s;
            o->ns = u"demo"_s;
            o->name = u"web-1"_s;
            o->uid = uid;
            o->resourceVersion = rv;
            o->object = R"({"kind":"Pod","metadata":{"name":"web-1"}})";
            return ObjectRef(o);
        };
        const QString uuid = u"0b6f3a2e-5c1d-4e8f-9a7b-2c3d4e5f6a7b"_s;
        const auto modified = [&](const QString &uid, const QString &from, const QString &to, qint64 at) {
            Change c = change(ChangeType::Modified, version(uid, to), at);
            c.previous = version(uid, from);
            return c;
        };
        Batch list =
            watchBatchOf(u"pods@demo"_s, {change(ChangeType::Added, version(uuid, u"3"_s), T0 - 2000)});
        list.reset = true;
        list.snapshot << list.changes.at(0).object;
        list.sample.timeMs = T0 - 2000;
        model.applyBatch(list);
        Batch b;
        b.stream = list.stream;
        b.changes << modified(uuid, u"40"_s, u"41"_s, T0)
                  << modified(u"uid-web-1"_s, u"0007"_s, u"a1b2"_s, T0 + 1)
                  << modified(uuid.toUpper(), u""_s, u"18446744073709551616"_s, T0 + 2)
                  << change(ChangeType::Deleted, version(u'{' + uuid + u'}', u"18446744073709551615"_s),
                            T0 + 3, true);
        HealthEvent e;
        e.stream = b.stream;
        e.reason = u"closed by server"_s;
        e.detail = u"idle, 5 min"_s;
        e.timeMs = T0 + 4;
        e.backoffMs = 800;
        e.httpCode = 200;
        e.lastResourceVersion = u"42"_s;
        b.health << e;
        b.gaps << Gap{b.stream, T0 - 1000, T0 + 5, u"stalled"_s, 1, 2, 3};
        model.applyBatch(b);
        model.applyBatch(watchBatchOf(b.stream, {change(ChangeType::Added, version(uuid, u"7"_s), T0 + 6)}));
        QCOMPARE(model.rowCount(), 8);
        QList<int> rows;
        for (int row = 0; row < model.rowCount(); ++row)
            rows << row;
        // A released entry's line carries neither `recovered` nor the reason: only its detail tells.
        const QByteArray expectedJson =
            R"({"time":"2023-11-14T22:13:18.000Z","cluster":"ctx","resource":"pods","type":"ADDED","namespace":"","name":"","uid":"","resourceVersion":"","recovered":false,"reason":"","kind":"watch","stream":"pods@demo","end":"2023-11-14T22:13:18.000Z","detail":"initial list: 1 objects"})" "\n"
            R"({"time":"2023-11-14T22:13:20.000Z","cluster":"ctx","resource":"pods","type":"MODIFIED","namespace":"demo","name":"web-1","uid":"0b6f3a2e-5c1d-4e8f-9a7b-2c3d4e5f6a7b","resourceVersion":"41","recovered":false,"reason":"","kind":"watch","stream":"pods@demo","end":"2023-11-14T22:13:20.000Z","detail":"resourceVersion 40 → 41"})" "\n"
            R"({"time":"2023-11-14T22:13:20.001Z","cluster":"ctx","resource":"pods","type":"MODIFIED","namespace":"demo","name":"web-1","uid":"uid-web-1","resourceVersion":"a1b2","recovered":false,"reason":"","kind":"watch","stream":"pods@demo","end":"2023-11-14T22:13:20.001Z","detail":"resourceVersion 0007 → a1b2"})" "\n"
            R"({"time":"2023-11-14T22:13:20.002Z","cluster":"ctx","resource":"pods","type":"MODIFIED","namespace":"demo","name":"web-1","uid":"0B6F3A2E-5C1D-4E8F-9A7B-2C3D4E5F6A7B","resourceVersion":"18446744073709551616","recovered":false,"reason":"","kind":"watch","stream":"pods@demo","end":"2023-11-14T22:13:20.002Z","detail":"resourceVersion  → 18446744073709551616"})" "\n"
            R"({"time":"2023-11-14T22:13:20.003Z","cluster":"ctx","resource":"pods","type":"DELETED","namespace":"demo","name":"web-1","uid":"{0b6f3a2e-5c1d-4e8f-9a7b-2c3d4e5f6a7b}","resourceVersion":"18446744073709551615","recovered":false,"reason":"","kind":"watch","stream":"pods@demo","end":"2023-11-14T22:13:20.003Z","detail":"recovered: relist after stalled"})" "\n"
            R"({"time":"2023-11-14T22:13:20.004Z","cluster":"ctx","resource":"pods","type":"closed by server","namespace":"","name":"","uid":"","resourceVersion":"42","recovered":false,"reason":"","kind":"connection","stream":"pods@demo","end":"2023-11-14T22:13:20.804Z","detail":"idle, 5 min · retry in 0.8 s · HTTP 200 · state connecting"})" "\n"
            R"({"time":"2023-11-14T22:13:19.000Z","cluster":"ctx","resource":"pods","type":"gap","namespace":"","name":"","uid":"","resourceVersion":"","recovered":false,"reason":"","kind":"gap","stream":"pods@demo","end":"2023-11-14T22:13:20.005Z","detail":"stalled: stale for 1.0 s; recovered 1 added, 2 modified, 3 deleted","expiredEvents":-1})" "\n"
            R"({"time":"2023-11-14T22:13:20.006Z","cluster":"ctx","resource":"pods","type":"ADDED","namespace":"demo","name":"web-1","uid":"0b6f3a2e-5c1d-4e8f-9a7b-2c3d4e5f6a7b","resourceVersion":"7","recovered":false,"reason":"","kind":"watch","stream":"pods@demo","end":"2023-11-14T22:13:20.006Z","detail":"resourceVersion 7","object":{"kind":"Pod","metadata":{"name":"web-1"}}})" "\n";
        const QByteArray expectedCsv =
            R"(time,cluster,resource,type,namespace,name,uid,resourceVersion,recovered,reason,kind,stream,end,detail)" "\r\n"
            R"(2023-11-14T22:13:18.000Z,ctx,pods,ADDED,,,,,false,,watch,pods@demo,2023-11-14T22:13:18.000Z,initial list: 1 objects)" "\r\n"
            R"(2023-11-14T22:13:20.000Z,ctx,pods,MODIFIED,demo,web-1,0b6f3a2e-5c1d-4e8f-9a7b-2c3d4e5f6a7b,41,false,,watch,pods@demo,2023-11-14T22:13:20.000Z,resourceVersion 40 → 41)" "\r\n"
            R"(2023-11-14T22:13:20.001Z,ctx,pods,MODIFIED,demo,web-1,uid-web-1,a1b2,false,,watch,pods@demo,2023-11-14T22:13:20.001Z,resourceVersion 0007 → a1b2)" "\r\n"
            R"(2023-11-14T22:13:20.002Z,ctx,pods,MODIFIED,demo,web-1,0B6F3A2E-5C1D-4E8F-9A7B-2C3D4E5F6A7B,18446744073709551616,false,,watch,pods@demo,2023-11-14T22:13:20.002Z,resourceVersion  → 18446744073709551616)" "\r\n"
            R"(2023-11-14T22:13:20.003Z,ctx,pods,DELETED,demo,web-1,{0b6f3a2e-5c1d-4e8f-9a7b-2c3d4e5f6a7b},18446744073709551615,false,,watch,pods@demo,2023-11-14T22:13:20.003Z,recovered: relist after stalled)" "\r\n"
            R"(2023-11-14T22:13:20.004Z,ctx,pods,closed by server,,,,42,false,,connection,pods@demo,2023-11-14T22:13:20.804Z,"idle, 5 min · retry in 0.8 s · HTTP 200 · state connecting")" "\r\n"
            R"(2023-11-14T22:13:19.000Z,ctx,pods,gap,,,,,false,,gap,pods@demo,2023-11-14T22:13:20.005Z,"stalled: stale for 1.0 s; recovered 1 added, 2 modified, 3 deleted")" "\r\n"
            R"(2023-11-14T22:13:20.006Z,ctx,pods,ADDED,demo,web-1,0b6f3a2e-5c1d-4e8f-9a7b-2c3d4e5f6a7b,7,false,,watch,pods@demo,2023-11-14T22:13:20.006Z,resourceVersion 7)" "\r\n";
        QCOMPARE(TimelineExport::toJsonLines(model, rows, u"ctx"_s, false), expectedJson);
        QCOMPARE(TimelineExport::toCsv(model, rows, u"ctx"_s), expectedCsv);
    }

    void connection_and_gap_entries_use_the_same_fields()
    {
        EventTimelineModel model;
        Batch b;
        b.stream = u"events"_s;
        HealthEvent e;
        e.stream = u"events"_s;
        e.reason = u"410 expired"_s;
        e.timeMs = T0;
        b.health << e;
        b.gaps << Gap{u"events"_s, T0 - 5000, T0 + 1000, u"410 Expired"_s, 0, 0, 2};
        model.applyBatch(b);
        const QList<QByteArray> lines = TimelineExport::toJsonLines(model, {0, 1}, u"ctx"_s, false).split('\n');
        QVERIFY(lines.at(0).contains("\"type\":\"410 expired\""));
        QVERIFY(lines.at(0).contains("\"kind\":\"connection\""));
        QVERIFY(lines.at(1).contains("\"type\":\"gap\""));
        QVERIFY(lines.at(1).contains("\"expiredEvents\":0"));
        QVERIFY(lines.at(1).contains(QByteArray("\"end\":\"" + cw::app::rfc3339(T0 + 1000).toUtf8() + '"')));
        QCOMPARE(TimelineExport::resourceOf(u"deployments.apps@shop?l=app=web"_s), u"deployments.apps"_s);
    }
};
CW_TEST(TestTimelineExport)

#include "tst_timelinewidget.moc"
