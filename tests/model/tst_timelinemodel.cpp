// SPDX-License-Identifier: Apache-2.0
#include "eventtimelinemodel.h"
#include "testmain.h"
#include "timelinefilterproxy.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace cw::model;
using namespace cw::watch;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 T0 = 1'700'000'000'000;

ObjectRef record(const QString &kind, const QString &ns, const QString &name, int rv,
                 const QString &apiVersion = u"v1"_s)
{
    auto o = std::make_shared<ObjectRecord>();
    o->kind = kind;
    o->apiVersion = apiVersion;
    o->ns = ns;
    o->name = name;
    o->uid = u"uid-"_s + ns + u'-' + name;
    o->resourceVersion = QString::number(rv);
    o->object = "{\"apiVersion\":\"" + apiVersion.toUtf8() + "\",\"kind\":\"" + kind.toUtf8()
                + "\",\"metadata\":{\"name\":\"" + name.toUtf8() + "\",\"namespace\":\"" + ns.toUtf8()
                + "\",\"resourceVersion\":\"" + QByteArray::number(rv) + "\"}}";
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
        c.recoveredReason = u"relist after 410 Expired"_s;
    return c;
}

HealthEvent health(const QString &stream, const QString &reason, qint64 atMs, qint64 backoffMs = 0)
{
    HealthEvent e;
    e.stream = stream;
    e.timeMs = atMs;
    e.reason = reason;
    e.backoffMs = backoffMs;
    e.state = reason == "connected"_L1 ? StreamState::Live : StreamState::Listing;
    return e;
}

// An initial list of `count` objects of `kind`, as the informer sends it: one reset batch.
Batch initialList(const QString &stream, const QString &kind, int count, qint64 atMs)
{
    Batch b;
    b.stream = stream;
    b.reset = true;
    b.health << health(stream, u"relist start"_s, atMs) << health(stream, u"relist end"_s, atMs + 5);
    for (int i = 0; i < count; ++i) {
        const ObjectRef o = record(kind, u"demo"_s, kind.toLower() + QString::number(i), 100 + i);
        b.snapshot << o;
        b.changes << change(ChangeType::Added, o, atMs + 5);
    }
    b.sample.timeMs = atMs + 5;
    return b;
}

Batch watchBatch(const QString &stream, const QList<Change> &changes)
{
    Batch b;
    b.stream = stream;
    b.changes = changes;
    b.sample.timeMs = changes.isEmpty() ? T0 : changes.last().receivedMs;
    return b;
}

} // namespace

class TestEventTimelineModel : public QObject
{
    Q_OBJECT

    std::unique_ptr<EventTimelineModel> model;
    std::unique_ptr<QAbstractItemModelTester> tester;

private Q_SLOTS:
    void init()
    {
        model = std::make_unique<EventTimelineModel>();
        tester = std::make_unique<QAbstractItemModelTester>(model.get(),
                                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
    }
    void cleanup()
    {
        tester.reset();
        model.reset();
    }

    void first_list_is_one_summary_entry_not_one_per_object()
    {
        model->applyBatch(initialList(u"pods"_s, u"Pod"_s, 500, T0));
        QCOMPARE(model->rowCount(), 3); // relist start, relist end, summary
        const TimelineEntry &summary = model->entry(2);
        QCOMPARE(summary.kind, TimelineEntry::Kind::Watch);
        QCOMPARE(summary.detail(), u"initial list: 500 objects"_s);
        QCOMPARE(summary.timeMs, T0 + 5);
        QCOMPARE(model->entry(0).type(), u"relist start"_s);
        QCOMPARE(model->entry(0).kind, TimelineEntry::Kind::Connection);
    }

    void watch_changes_arrive_in_one_insert_per_batch()
    {
        model->applyBatch(initialList(u"pods"_s, u"Pod"_s, 2, T0));
        QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
        const ObjectRef a = record(u"Pod"_s, u"demo"_s, u"a"_s, 200);
        model->applyBatch(watchBatch(u"pods"_s, {change(ChangeType::Added, a, T0 + 100),
                                                 change(ChangeType::Modified, a, T0 + 110),
                                                 change(ChangeType::Deleted, a, T0 + 120)}));
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 3);
        QCOMPARE(inserted.at(0).at(2).toInt(), 5);
        QCOMPARE(model->rowCount(), 6);
        const QModelIndex type = model->index(4, EventTimelineModel::TypeColumn);
        QCOMPARE(type.data().toString(), u"MODIFIED"_s);
        QCOMPARE(type.data(EventTimelineModel::NameRole).toString(), u"a"_s);
        QCOMPARE(type.data(EventTimelineModel::NamespaceRole).toString(), u"demo"_s);
        QCOMPARE(type.data(EventTimelineModel::TimeRole).toLongLong(), T0 + 110);
        QCOMPARE(type.data(EventTimelineModel::ObjectRole).value<ObjectRef>(), a);
        QCOMPARE(model->index(5, EventTimelineModel::TypeColumn).data().toString(), u"DELETED"_s);
    }

    void relist_shows_only_the_changes_it_recovered()
    {
        model->applyBatch(initialList(u"pods"_s, u"Pod"_s, 3, T0));
        Batch relist;
        relist.stream = u"pods"_s;
        relist.reset = true;
        relist.health << health(u"pods"_s, u"relist start"_s, T0 + 1000)
                      << health(u"pods"_s, u"relist end"_s, T0 + 1100);
        relist.snapshot << record(u"Pod"_s, u"demo"_s, u"pod0"_s, 100) << record(u"Pod"_s, u"demo"_s, u"new"_s, 300);
        relist.changes << change(ChangeType::Added, relist.snapshot.at(1), T0 + 1100, true)
                       << change(ChangeType::Deleted, record(u"Pod"_s, u"demo"_s, u"pod1"_s, 101), T0 + 1100, true)
                       << change(ChangeType::Deleted, record(u"Pod"_s, u"demo"_s, u"pod2"_s, 102), T0 + 1100, true);
        QSignalSpy reset(model.get(), &QAbstractItemModel::modelReset);
        model->applyBatch(relist);
        QCOMPARE(reset.count(), 0); // the timeline only grows: a relist is news, not a new content
        QCOMPARE(model->rowCount(), 3 + 2 + 3);
        int recovered = 0;
        for (int row = 3; row < model->rowCount(); ++row) {
            if (model->index(row, 0).data(EventTimelineModel::RecoveredRole).toBool()) {
                ++recovered;
                QVERIFY(model->entry(row).detail().contains(u"relist after 410 Expired"_s));
            }
        }
        QCOMPARE(recovered, 3);
    }

    void gap_on_an_events_stream_counts_the_events_that_expired()
    {
        model->applyBatch(initialList(u"events"_s, u"Event"_s, 10, T0));
        Batch relist;
        relist.stream = u"events"_s;
        relist.reset = true;
        for (int i = 0; i < 3; ++i)
            relist.changes << change(ChangeType::Deleted, record(u"Event"_s, u"demo"_s, u"event"_s + QString::number(i), 100 + i),
                                     T0 + 60'000, true);
        relist.changes << change(ChangeType::Added, record(u"Event"_s, u"demo"_s, u"fresh"_s, 900), T0 + 60'000, true);
        Gap gap;
        gap.stream = u"events"_s;
        gap.startMs = T0 + 10'000;
        gap.endMs = T0 + 60'000;
        gap.cause = u"410 Expired"_s;
        gap.added = 1;
        gap.deleted = 3;
        relist.gaps << gap;
        model->applyBatch(relist);

        const TimelineEntry &last = model->entry(model->rowCount() - 1);
        QCOMPARE(last.kind, TimelineEntry::Kind::Gap); // sorted by when the gap closed: after its changes
        QCOMPARE(last.timeMs, T0 + 10'000);
        QCOMPARE(last.endMs, T0 + 60'000);
        QCOMPARE(last.expiredEvents, 3);
        QVERIFY2(last.detail().contains(u"3 Events expired during the gap"_s), qPrintable(last.detail()));
        QVERIFY(last.detail().contains(u"unknown number"_s));
        QVERIFY(last.detail().startsWith(u"410 Expired: stale for 50.0 s"_s));
    }

    void expired_events_wait_for_a_gap_in_a_later_batch()
    {
        model->applyBatch(initialList(u"events.events.k8s.io"_s, u"Event"_s, 2, T0));
        Batch relist;
        relist.stream = u"events.events.k8s.io"_s;
        relist.reset = true;
        relist.changes << change(ChangeType::Deleted,
                                 record(u"Event"_s, u"demo"_s, u"event0"_s, 100, u"events.k8s.io/v1"_s), T0 + 500, true);
        model->applyBatch(relist);
        Batch later;
        later.stream = relist.stream;
        later.gaps << Gap{relist.stream, T0 + 100, T0 + 600, u"stalled"_s, 0, 0, 1};
        model->applyBatch(later);
        QCOMPARE(model->entry(model->rowCount() - 1).expiredEvents, 1);
        // Counted once: the next gap starts from zero.
        model->applyBatch(later);
        QCOMPARE(model->entry(model->rowCount() - 1).expiredEvents, 0);
    }

    void gap_on_a_pods_stream_does_not_talk_about_events()
    {
        model->applyBatch(initialList(u"pods"_s, u"Pod"_s, 1, T0));
        Batch b;
        b.stream = u"pods"_s;
        b.gaps << Gap{u"pods"_s, T0, T0 + 2000, u"stalled"_s, 0, 1, 0};
        model->applyBatch(b);
        const TimelineEntry &gap = model->entry(model->rowCount() - 1);
        QCOMPARE(gap.expiredEvents, -1);
        QVERIFY(!gap.detail().contains(u"Events"_s));
        QCOMPARE(model->index(model->rowCount() - 1, EventTimelineModel::KindColumn).data().toString(), u"gap"_s);
    }

    void backoff_wait_is_a_span_of_its_duration()
    {
        Batch b;
        b.stream = u"pods"_s;
        b.health << health(u"pods"_s, u"closed by server"_s, T0, 3200);
        model->applyBatch(b);
        const QModelIndex first = model->index(0, 0);
        QCOMPARE(first.data(EventTimelineModel::EndTimeRole).toLongLong(), T0 + 3200);
        QVERIFY(model->entry(0).detail().contains(u"retry in 3.2 s"_s));
        QCOMPARE(model->spanRowsBetween(T0 + 3000, T0 + 9000), QList<int>{0});
        QCOMPARE(model->spanRowsBetween(T0 + 3300, T0 + 9000), QList<int>{});
    }

    void capacity_drops_the_oldest_entries_in_one_removal()
    {
        model->setCapacity(10);
        QSignalSpy removed(model.get(), &QAbstractItemModel::rowsRemoved);
        for (int batch = 0; batch < 3; ++batch) {
            QList<Change> changes;
            for (int i = 0; i < 4; ++i) {
                const int n = batch * 4 + i;
                changes << change(ChangeType::Added, record(u"Pod"_s, u"demo"_s, u"p"_s + QString::number(n), n),
                                  T0 + n);
            }
            model->applyBatch(watchBatch(u"pods"_s, changes));
        }
        QCOMPARE(model->rowCount(), 10);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(2).toInt(), 1); // rows 0..1 went
        QCOMPARE(model->entry(0).name(), u"p2"_s);
        model->setCapacity(5);
        QCOMPARE(removed.count(), 2);
        QCOMPARE(model->rowCount(), 5);
        QCOMPARE(model->entry(0).name(), u"p7"_s);
        QCOMPARE(model->rowsBetween(T0, T0 + 8), std::make_pair(0, 5)); // slack lets later rows in
        QCOMPARE(model->rowsBetween(T0 + 9, T0 + 9).first, 2);
    }

    void only_the_newest_entries_keep_their_objects()
    {
        model->setObjectRetention(3);
        QList<Change> changes;
        for (int n = 0; n < 5; ++n)
            changes << change(ChangeType::Modified, record(u"Pod"_s, u"demo"_s, u"p"_s + QString::number(n), n), T0 + n);
        model->applyBatch(watchBatch(u"pods"_s, changes));
        QCOMPARE(model->rowCount(), 5);
        QVERIFY(!model->entry(0).object);
        QVERIFY(!model->entry(1).object);
        QCOMPARE(model->entry(1).name(), u"p1"_s); // what identifies it stays
        QVERIFY(model->entry(2).object);
        QVERIFY(model->entry(4).object);
        model->applyBatch(watchBatch(u"pods"_s, {change(ChangeType::Deleted, record(u"Pod"_s, u"demo"_s, u"p9"_s, 9), T0 + 9)}));
        QVERIFY(!model->entry(2).object);
        QVERIFY(model->entry(3).object);
        QVERIFY(model->entry(5).object);
    }

    void rows_between_skips_entries_before_the_window()
    {
        QList<Change> changes;
        for (int i = 0; i < 100; ++i)
            changes << change(ChangeType::Modified, record(u"Pod"_s, u"demo"_s, u"p"_s, i), T0 + i * 1000);
        model->applyBatch(watchBatch(u"pods"_s, changes));
        const auto [first, last] = model->rowsBetween(T0 + 50'000, T0 + 60'000);
        QCOMPARE(first, 50);
        QCOMPARE(last, 71); // 60 s plus the 10 s order slack
        QCOMPARE(model->rowsBetween(T0 + 200'000, T0 + 300'000).first, 100);
    }

    // What an entry keeps in binary must read back as the text it was given; what has no exact binary form
    // (resourceVersions are opaque strings by protocol) is kept as text.
    void uid_resource_versions_and_detail_read_back_as_given_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QString>("uid");
        QTest::addColumn<QString>("rv");
        QTest::addColumn<QString>("previous"); // null: no previous version
        QTest::addColumn<bool>("recovered");
        QTest::addColumn<QString>("detail");
        const int added = int(ChangeType::Added);
        const int modified = int(ChangeType::Modified);
        const int deleted = int(ChangeType::Deleted);
        const QString uuid = u"6f9619ff-8b86-4011-b42d-00c04fc964ff"_s;
        QTest::newRow("uuid, decimal") << added << uuid << u"12"_s << QString() << false
                                       << u"resourceVersion 12"_s;
        QTest::newRow("modified from decimal to decimal")
            << modified << uuid << u"13"_s << u"12"_s << false << u"resourceVersion 12 → 13"_s;
        QTest::newRow("modified from leading zero to hex")
            << modified << uuid << u"a1b2"_s << u"0007"_s << false << u"resourceVersion 0007 → a1b2"_s;
        QTest::newRow("largest 64-bit and one beyond")
            << modified << uuid << u"18446744073709551616"_s << u"18446744073709551615"_s << false
            << u"resourceVersion 18446744073709551615 → 18446744073709551616"_s;
        QTest::newRow("zero and signed") << modified << uuid << u"+1"_s << u"0"_s << false
                                         << u"resourceVersion 0 → +1"_s;
        QTest::newRow("empty previous") << modified << uuid << u"5"_s << u""_s << false
                                        << u"resourceVersion  → 5"_s;
        QTest::newRow("uppercase uuid") << added << uuid.toUpper() << u"1"_s << QString() << false
                                        << u"resourceVersion 1"_s;
        QTest::newRow("braced uuid") << added << u'{' + uuid + u'}' << u"1"_s << QString() << false
                                     << u"resourceVersion 1"_s;
        QTest::newRow("nil uuid") << added << u"00000000-0000-0000-0000-000000000000"_s << u"1"_s << QString()
                                  << false << u"resourceVersion 1"_s;
        QTest::newRow("uid that is no uuid") << added << u"uid-demo-web"_s << u"1"_s << QString() << false
                                             << u"resourceVersion 1"_s;
        QTest::newRow("no uid, no resourceVersion") << added << QString() << QString() << QString() << false
                                                    << u"resourceVersion "_s;
        QTest::newRow("recovered modified keeps its previous version")
            << modified << uuid << u"5"_s << u"4"_s << true << u"recovered: relist after 410 Expired"_s;
        QTest::newRow("recovered deleted") << deleted << u"uid-x"_s << u"x9"_s << QString() << true
                                           << u"recovered: relist after 410 Expired"_s;
        QTest::newRow("deleted has no previous version") << deleted << uuid << u"9"_s << u"9"_s << false
                                                         << u"resourceVersion 9"_s;
    }
    void uid_resource_versions_and_detail_read_back_as_given()
    {
        QFETCH(int, type);
        QFETCH(QString, uid);
        QFETCH(QString, rv);
        QFETCH(QString, previous);
        QFETCH(bool, recovered);
        QFETCH(QString, detail);
        model->setObjectRetention(0); // what the entry itself keeps, not what its object says
        auto object = std::make_shared<ObjectRecord>(*record(u"Pod"_s, u"demo"_s, u"web"_s, 0));
        object->uid = uid;
        object->resourceVersion = rv;
        Change c = change(ChangeType(type), object, T0, recovered);
        if (!previous.isNull()) {
            auto before = std::make_shared<ObjectRecord>(*object);
            before->resourceVersion = previous;
            c.previous = before;
        }
        model->applyBatch(watchBatch(u"pods"_s, {c}));
        const TimelineEntry &e = model->entry(0);
        QVERIFY(!e.object);
        QCOMPARE(e.uid(), uid);
        QCOMPARE(e.resourceVersion(), rv);
        const bool hasPrevious = !previous.isNull() && ChangeType(type) == ChangeType::Modified;
        QCOMPARE(e.hasPreviousResourceVersion(), hasPrevious);
        QCOMPARE(e.previousResourceVersion(), hasPrevious ? previous : QString());
        QCOMPARE(e.recoveredReason(), recovered ? u"relist after 410 Expired"_s : QString());
        QCOMPARE(e.detail(), detail);
        QCOMPARE(model->index(0, EventTimelineModel::DetailColumn).data().toString(), detail);
        QCOMPARE(e.changeType(), ChangeType(type));
        QCOMPARE(e.ns(), u"demo"_s);
        QCOMPARE(e.name(), u"web"_s);
        // As the entryActivated signal carries it.
        const auto copy = QVariant::fromValue(e).value<TimelineEntry>();
        QCOMPARE(copy.uid(), uid);
        QCOMPARE(copy.detail(), detail);
    }

    void entries_share_their_stream_namespace_and_reason()
    {
        QList<Change> changes;
        for (int n = 0; n < 3; ++n) {
            const ObjectRef o = record(u"Pod"_s, u"demo"_s, u"p"_s + QString::number(n), n);
            changes << change(ChangeType::Added, o, T0 + n, true);
        }
        model->applyBatch(watchBatch(u"pods"_s, changes));
        const ObjectRef other = record(u"Pod"_s, u"other"_s, u"q"_s, 9);
        model->applyBatch(watchBatch(u"pods"_s, {change(ChangeType::Added, other, T0 + 9)}));
        QCOMPARE(&model->entry(0).ns(), &model->entry(2).ns());
        QCOMPARE(&model->entry(0).recoveredReason(), &model->entry(2).recoveredReason());
        QCOMPARE(model->entry(3).ns(), u"other"_s);
        QCOMPARE(model->entry(3).recoveredReason(), QString());
        QCOMPARE(model->entry(3).stream(), u"pods"_s);
    }

    void new_streams_are_announced_once()
    {
        QSignalSpy spy(model.get(), &EventTimelineModel::streamsChanged);
        model->applyBatch(initialList(u"pods"_s, u"Pod"_s, 1, T0));
        model->applyBatch(watchBatch(u"pods"_s, {}));
        model->applyBatch(initialList(u"events"_s, u"Event"_s, 1, T0));
        QCOMPARE(spy.count(), 2);
        QCOMPARE(model->streams(), (QStringList{u"pods"_s, u"events"_s}));
    }
};
CW_TEST(TestEventTimelineModel)

class TestTimelineFilterProxy : public QObject
{
    Q_OBJECT

    // pods: an empty first list (2 connection entries and its summary), then 2 ADDED and 1 MODIFIED in demo,
    // 1 DELETED in kube-system, a relist recovering one ADDED (+1 connection entry); events: a gap. 10 entries.
    static void feed(EventTimelineModel &model)
    {
        model.applyBatch(initialList(u"pods"_s, u"Pod"_s, 0, T0 - 100));
        model.applyBatch(watchBatch(u"pods"_s, {change(ChangeType::Added, record(u"Pod"_s, u"demo"_s, u"a"_s, 1), T0),
                                               change(ChangeType::Added, record(u"Pod"_s, u"demo"_s, u"b"_s, 2), T0 + 1),
                                               change(ChangeType::Modified, record(u"Pod"_s, u"demo"_s, u"a"_s, 3), T0 + 2),
                                               change(ChangeType::Deleted, record(u"Pod"_s, u"kube-system"_s, u"c"_s, 4), T0 + 3)}));
        Batch relist;
        relist.stream = u"pods"_s;
        relist.reset = true;
        relist.changes << change(ChangeType::Added, record(u"Pod"_s, u"demo"_s, u"d"_s, 5), T0 + 4, true);
        relist.health << health(u"pods"_s, u"relist end"_s, T0 + 4);
        model.applyBatch(relist);
        Batch gap;
        gap.stream = u"events"_s;
        gap.gaps << Gap{u"events"_s, T0, T0 + 5, u"stalled"_s, 0, 0, 0};
        model.applyBatch(gap);
    }

private Q_SLOTS:
    void filters_narrow_the_entries_data()
    {
        QTest::addColumn<QStringList>("streams");
        QTest::addColumn<QString>("ns");
        QTest::addColumn<int>("types");
        QTest::addColumn<bool>("recoveredOnly");
        QTest::addColumn<int>("expected");
        const int all = TimelineFilterProxy::AllTypes;
        QTest::newRow("everything") << QStringList() << QString() << all << false << 10;
        QTest::newRow("one stream") << QStringList{u"events"_s} << QString() << all << false << 1;
        QTest::newRow("namespace keeps stream-wide entries") << QStringList() << u"demo"_s << all << false << 8;
        QTest::newRow("deleted only") << QStringList() << QString() << int(TimelineFilterProxy::Deleted) << false << 1;
        QTest::newRow("added and gaps") << QStringList() << QString()
                                        << int(TimelineFilterProxy::Added | TimelineFilterProxy::Gap) << false << 5;
        QTest::newRow("connection only") << QStringList() << QString() << int(TimelineFilterProxy::Connection) << false
                                         << 3;
        QTest::newRow("recovered only") << QStringList() << QString() << all << true << 1;
        QTest::newRow("recovered in another namespace") << QStringList() << u"kube-system"_s << all << true << 0;
    }
    void filters_narrow_the_entries()
    {
        QFETCH(QStringList, streams);
        QFETCH(QString, ns);
        QFETCH(int, types);
        QFETCH(bool, recoveredOnly);
        QFETCH(int, expected);
        EventTimelineModel model;
        TimelineFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester sourceTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setStreams(streams);
        proxy.setNamespace(ns);
        proxy.setTypes(TimelineFilterProxy::Types(types));
        proxy.setRecoveredOnly(recoveredOnly);
        feed(model); // filters set first: rows are filtered as they arrive
        QCOMPARE(proxy.rowCount(), expected);
        for (int row = 0; row < proxy.rowCount(); ++row)
            QVERIFY(proxy.acceptsEntry(proxy.entryAt(row)));
        // And the same when the filter changes afterwards.
        proxy.setTypes(TimelineFilterProxy::AllTypes);
        proxy.setStreams({});
        proxy.setNamespace({});
        proxy.setRecoveredOnly(false);
        QCOMPARE(proxy.rowCount(), 10);
    }

    void proxy_follows_capacity_trimming()
    {
        EventTimelineModel model;
        TimelineFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setTypes(TimelineFilterProxy::Deleted);
        model.setCapacity(4);
        feed(model); // the newest four: the DELETED, the relist's two entries, the gap
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.entryAt(0).name(), u"c"_s);
        model.setCapacity(2);
        QCOMPARE(proxy.rowCount(), 0);
    }
};
CW_TEST(TestTimelineFilterProxy)

#include "tst_timelinemodel.moc"
