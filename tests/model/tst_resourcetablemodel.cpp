// SPDX-License-Identifier: Apache-2.0
#include "filterproxies.h"
#include "humanduration.h"
#include "resourcetablemodel.h"
#include "testmain.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

#include <memory>

using namespace cw::model;
using namespace Qt::StringLiterals;
using cw::watch::Batch;
using cw::watch::Change;
using cw::watch::ChangeType;
using cw::watch::ObjectRecord;
using cw::watch::ObjectRef;

namespace {

const QString Stream = u"pods"_s;
const qint64 Base = parseKubeTime(u"2024-05-01T12:00:00Z");

cw::watch::ApiResource podsApi()
{
    cw::watch::ApiResource api;
    api.version = u"v1"_s;
    api.resource = u"pods"_s;
    api.kind = u"Pod"_s;
    api.namespaced = true;
    api.verbs = {u"list"_s, u"watch"_s};
    return api;
}

// A running pod; `restarts` > 0 adds a last termination `restartedMinutesAgo` before Base.
ObjectRef pod(const QString &ns, const QString &name, int restarts = 0, const QJsonObject &labels = {},
              const QString &created = u"2024-05-01T11:00:00Z"_s, int restartedMinutesAgo = 5)
{
    QJsonObject status{{u"phase"_s, u"Running"_s},
                       {u"conditions"_s, QJsonArray{QJsonObject{{u"type"_s, u"Ready"_s}, {u"status"_s, u"True"_s}}}}};
    QJsonObject container{{u"name"_s, u"app"_s},
                          {u"ready"_s, true},
                          {u"restartCount"_s, restarts},
                          {u"state"_s, QJsonObject{{u"running"_s, QJsonObject{}}}}};
    if (restarts > 0) {
        const QString finished = QDateTime::fromMSecsSinceEpoch(Base - restartedMinutesAgo * 60000, Qt::UTC)
                                     .toString(Qt::ISODate);
        container.insert(u"lastState"_s,
                         QJsonObject{{u"terminated"_s, QJsonObject{{u"exitCode"_s, 1}, {u"finishedAt"_s, finished}}}});
    }
    status.insert(u"containerStatuses"_s, QJsonArray{container});
    const QJsonObject root{
        {u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"namespace"_s, ns}, {u"creationTimestamp"_s, created},
                                   {u"labels"_s, labels}}},
        {u"spec"_s, QJsonObject{{u"containers"_s, QJsonArray{QJsonObject{{u"name"_s, u"app"_s}}}},
                               {u"nodeName"_s, u"node-1"_s}}},
        {u"status"_s, status},
    };
    auto record = std::make_shared<ObjectRecord>();
    record->object = QJsonDocument(root).toJson(QJsonDocument::Compact);
    record->ns = ns;
    record->name = name;
    record->uid = ns + u'-' + name;
    record->kind = u"Pod"_s;
    record->apiVersion = u"v1"_s;
    return record;
}

Change change(ChangeType type, const ObjectRef &object, qint64 receivedMs = 0, bool recovered = false)
{
    Change c;
    c.type = type;
    c.object = object;
    c.receivedMs = receivedMs;
    c.recovered = recovered;
    if (recovered)
        c.recoveredReason = u"relist after 410 Expired"_s;
    return c;
}

Batch snapshot(const QList<ObjectRef> &objects, const QList<Change> &changes = {})
{
    Batch b;
    b.stream = Stream;
    b.reset = true;
    b.snapshot = objects;
    b.changes = changes;
    return b;
}

Batch changes(const QList<Change> &list, const QString &stream = Stream)
{
    Batch b;
    b.stream = stream;
    b.changes = list;
    return b;
}

} // namespace

class TestResourceTableModel : public QObject
{
    Q_OBJECT

    qint64 m_now = Base;
    std::unique_ptr<ResourceTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    QVariant cell(int row, const QString &title, int role = Qt::DisplayRole) const
    {
        for (int c = 0; c < m_model->columnCount(); ++c) {
            if (m_model->headerData(c, Qt::Horizontal).toString() == title)
                return m_model->index(row, c).data(role);
        }
        return {};
    }
    int column(const QString &title) const
    {
        for (int c = 0; c < m_model->columnCount(); ++c) {
            if (m_model->columns().at(c).title == title)
                return c;
        }
        return -1;
    }
    QVariant at(int row, int role) const { return m_model->index(row, 0).data(role); }
    void seed(int count)
    {
        QList<ObjectRef> pods;
        for (int i = 0; i < count; ++i)
            pods.append(pod(u"shop"_s, u"web-%1"_s.arg(i)));
        m_model->applyBatch(snapshot(pods));
    }

private Q_SLOTS:
    void init()
    {
        m_now = Base;
        m_model = std::make_unique<ResourceTableModel>();
        m_model->setClock([this] { return m_now; });
        m_model->setResource(podsApi(), Stream);
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    }
    void cleanup()
    {
        m_tester.reset();
        m_model.reset();
    }

    void snapshot_resets_model_once()
    {
        QSignalSpy resets(m_model.get(), &QAbstractItemModel::modelReset);
        QSignalSpy inserts(m_model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy counts(m_model.get(), &ResourceTableModel::countsChanged);
        const ObjectRef a = pod(u"shop"_s, u"a"_s);
        const ObjectRef b = pod(u"shop"_s, u"b"_s, 2);
        const ObjectRef c = pod(u"kube-system"_s, u"c"_s);
        m_model->applyBatch(snapshot({a, b, c}, {change(ChangeType::Added, a), change(ChangeType::Added, b),
                                                 change(ChangeType::Added, c)}));
        QCOMPARE(resets.size(), 1);
        QCOMPARE(inserts.size(), 0);
        QCOMPARE(counts.size(), 1);
        QCOMPARE(m_model->rowCount(), 3);
        QCOMPARE(m_model->liveCount(), 3);
        for (int r = 0; r < 3; ++r) {
            QCOMPARE(at(r, ResourceTableModel::ChangedAtRole).toLongLong(), 0);
            QCOMPARE(at(r, ResourceTableModel::ChangeKindRole).toString(), QString());
            QCOMPARE(at(r, ResourceTableModel::FadingRole).toBool(), false);
        }
        QCOMPARE(m_model->rowOf(u"kube-system"_s, u"c"_s), 2);
        QCOMPARE(cell(1, u"RESTARTS"_s).toString(), u"2 (5m ago)"_s);
        QCOMPARE(cell(1, u"STATUS"_s).toString(), u"Running"_s);
        QCOMPARE(cell(2, u"NAMESPACE"_s).toString(), u"kube-system"_s);
        QCOMPARE(m_model->objectAt(1), b);
        QCOMPARE(at(1, ResourceTableModel::ObjectRole).value<ObjectRef>(), b);
    }

    void batches_of_other_streams_are_ignored()
    {
        seed(2);
        QSignalSpy inserts(m_model.get(), &QAbstractItemModel::rowsInserted);
        m_model->applyBatch(changes({change(ChangeType::Added, pod(u"shop"_s, u"new"_s))}, u"deployments.apps"_s));
        Batch other = snapshot({});
        other.stream = u"pods@other"_s;
        m_model->applyBatch(other);
        QCOMPARE(inserts.size(), 0);
        QCOMPARE(m_model->rowCount(), 2);
    }

    void added_change_inserts_a_row_at_the_end()
    {
        seed(2);
        QSignalSpy inserts(m_model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy resets(m_model.get(), &QAbstractItemModel::modelReset);
        m_model->applyBatch(changes({change(ChangeType::Added, pod(u"shop"_s, u"new"_s), Base + 5)}));
        QCOMPARE(resets.size(), 0);
        QCOMPARE(inserts.size(), 1);
        QCOMPARE(inserts.at(0).at(1).toInt(), 2);
        QCOMPARE(inserts.at(0).at(2).toInt(), 2);
        QCOMPARE(at(2, ResourceTableModel::NameRole).toString(), u"new"_s);
        QCOMPARE(at(2, ResourceTableModel::ChangeKindRole).toString(), u"added"_s);
        QCOMPARE(at(2, ResourceTableModel::ChangedAtRole).toLongLong(), Base + 5);
        QCOMPARE(m_model->liveCount(), 3);
    }

    void added_for_a_present_key_is_a_modification()
    {
        seed(3);
        QSignalSpy inserts(m_model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        m_model->applyBatch(changes({change(ChangeType::Added, pod(u"shop"_s, u"web-1"_s, 4))}));
        QCOMPARE(inserts.size(), 0);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex(), m_model->index(1, 0));
        QCOMPARE(changed.at(0).at(1).toModelIndex(), m_model->index(1, m_model->columnCount() - 1));
        QCOMPARE(cell(1, u"RESTARTS"_s).toString(), u"4 (5m ago)"_s);
        QCOMPARE(cell(1, u"RESTARTS"_s, ResourceTableModel::SortRole).toDouble(), 4.0);
        QCOMPARE(at(1, ResourceTableModel::ChangeKindRole).toString(), u"modified"_s);
        QCOMPARE(at(1, ResourceTableModel::ChangedAtRole).toLongLong(), m_now);
    }

    void modified_for_an_unknown_key_is_an_insertion()
    {
        seed(1);
        QSignalSpy inserts(m_model.get(), &QAbstractItemModel::rowsInserted);
        m_model->applyBatch(changes({change(ChangeType::Modified, pod(u"shop"_s, u"stranger"_s))}));
        QCOMPARE(inserts.size(), 1);
        QCOMPARE(m_model->rowOf(u"shop"_s, u"stranger"_s), 1);
        QCOMPARE(m_model->liveCount(), 2);
    }

    void deleted_row_fades_then_the_sweep_removes_it()
    {
        seed(3);
        m_model->setFadeMs(1000);
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy counts(m_model.get(), &ResourceTableModel::countsChanged);
        m_model->applyBatch(changes({change(ChangeType::Deleted, m_model->objectAt(1))}));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(removed.size(), 0);
        QCOMPARE(m_model->rowCount(), 3);
        QCOMPARE(m_model->liveCount(), 2);
        QCOMPARE(counts.size(), 1);
        QCOMPARE(at(1, ResourceTableModel::FadingRole).toBool(), true);
        QCOMPARE(at(1, ResourceTableModel::ChangeKindRole).toString(), u"deleted"_s);

        m_now += 999;
        m_model->removeFaded();
        QCOMPARE(m_model->rowCount(), 3);
        m_now += 1;
        m_model->removeFaded();
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 1);
        QCOMPARE(m_model->rowCount(), 2);
        QCOMPARE(m_model->liveCount(), 2);
        QCOMPARE(counts.size(), 2);
        QCOMPARE(m_model->rowOf(u"shop"_s, u"web-1"_s), -1);
        QCOMPARE(m_model->rowOf(u"shop"_s, u"web-2"_s), 1);
    }

    void removing_scattered_rows_keeps_the_key_index_right()
    {
        seed(12);
        m_model->setFadeMs(100);
        const QList<int> doomed{1, 2, 5, 9, 11};
        QList<Change> list;
        for (const int r : doomed)
            list.append(change(ChangeType::Deleted, m_model->objectAt(r)));
        m_model->applyBatch(changes(list));
        QCOMPARE(m_model->liveCount(), 7);
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        m_now += 100;
        m_model->removeFaded();
        QCOMPARE(removed.size(), 4); // runs: 11, 9, 5, 1-2
        QCOMPARE(m_model->rowCount(), 7);
        for (int r = 0; r < m_model->rowCount(); ++r) {
            const ObjectRef o = m_model->objectAt(r);
            QCOMPARE(m_model->rowOf(o->ns, o->name), r);
            QVERIFY(!at(r, ResourceTableModel::FadingRole).toBool());
        }
        for (const int r : doomed)
            QCOMPARE(m_model->rowOf(u"shop"_s, u"web-%1"_s.arg(r)), -1);
        // A change after the removals lands on the row the index names.
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        m_model->applyBatch(changes({change(ChangeType::Modified, pod(u"shop"_s, u"web-10"_s, 7))}));
        const int row = m_model->rowOf(u"shop"_s, u"web-10"_s);
        QCOMPARE(row, 6);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), row);
        QCOMPARE(cell(row, u"RESTARTS"_s, ResourceTableModel::SortRole).toDouble(), 7.0);
    }

    void re_added_key_while_fading_revives_the_row()
    {
        seed(2);
        m_model->applyBatch(changes({change(ChangeType::Deleted, m_model->objectAt(0))}));
        QCOMPARE(m_model->liveCount(), 1);
        QSignalSpy inserts(m_model.get(), &QAbstractItemModel::rowsInserted);
        m_model->applyBatch(changes({change(ChangeType::Added, pod(u"shop"_s, u"web-0"_s, 1))}));
        QCOMPARE(inserts.size(), 0);
        QCOMPARE(m_model->rowCount(), 2);
        QCOMPARE(m_model->liveCount(), 2);
        QCOMPARE(at(0, ResourceTableModel::FadingRole).toBool(), false);
        QCOMPARE(at(0, ResourceTableModel::ChangeKindRole).toString(), u"added"_s);
        m_now += 60'000;
        m_model->removeFaded();
        QCOMPARE(m_model->rowCount(), 2);
    }

    void fade_zero_removes_deleted_rows_at_once()
    {
        seed(3);
        m_model->applyBatch(changes({change(ChangeType::Deleted, m_model->objectAt(2))}));
        QCOMPARE(m_model->rowCount(), 3);
        m_model->setFadeMs(0); // rows already fading go too
        QCOMPARE(m_model->rowCount(), 2);
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        m_model->applyBatch(changes({change(ChangeType::Deleted, m_model->objectAt(0))}));
        QCOMPARE(changed.size(), 0);
        QCOMPARE(removed.size(), 1);
        QCOMPARE(m_model->rowCount(), 1);
        QCOMPARE(m_model->rowOf(u"shop"_s, u"web-1"_s), 0);
    }

    void sweep_timer_removes_faded_rows_on_the_real_clock()
    {
        ResourceTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setResource(podsApi(), Stream);
        model.setFadeMs(40);
        model.applyBatch(snapshot({pod(u"a"_s, u"1"_s), pod(u"a"_s, u"2"_s)}));
        model.applyBatch(changes({change(ChangeType::Deleted, model.objectAt(0))}));
        QCOMPARE(model.rowCount(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, 2000);
        QCOMPARE(model.rowOf(u"a"_s, u"2"_s), 0);
    }

    void relist_resets_model_once_and_marks_recovered_changes()
    {
        const ObjectRef a = pod(u"shop"_s, u"a"_s);
        const ObjectRef b = pod(u"shop"_s, u"b"_s);
        const ObjectRef c = pod(u"shop"_s, u"c"_s);
        m_model->applyBatch(snapshot({a, b, c}));
        QSignalSpy resets(m_model.get(), &QAbstractItemModel::modelReset);
        QSignalSpy inserts(m_model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        const ObjectRef a2 = pod(u"shop"_s, u"a"_s, 9);
        const ObjectRef d = pod(u"shop"_s, u"d"_s);
        m_model->applyBatch(snapshot({a2, c, d}, {change(ChangeType::Modified, a2, Base + 1, true),
                                                  change(ChangeType::Deleted, b, Base + 2, true),
                                                  change(ChangeType::Added, d, Base + 3, true)}));
        QCOMPARE(resets.size(), 1);
        QCOMPARE(inserts.size() + removed.size() + changed.size(), 0);
        QCOMPARE(m_model->rowCount(), 4);
        QCOMPARE(m_model->liveCount(), 3);
        const int ra = m_model->rowOf(u"shop"_s, u"a"_s);
        const int rb = m_model->rowOf(u"shop"_s, u"b"_s);
        const int rc = m_model->rowOf(u"shop"_s, u"c"_s);
        const int rd = m_model->rowOf(u"shop"_s, u"d"_s);
        QCOMPARE(at(ra, ResourceTableModel::ChangeKindRole).toString(), u"modified"_s);
        QCOMPARE(at(ra, ResourceTableModel::ChangedAtRole).toLongLong(), Base + 1);
        QCOMPARE(cell(ra, u"RESTARTS"_s, ResourceTableModel::SortRole).toDouble(), 9.0);
        QCOMPARE(at(rb, ResourceTableModel::ChangeKindRole).toString(), u"deleted"_s);
        QCOMPARE(at(rb, ResourceTableModel::FadingRole).toBool(), true);
        QCOMPARE(at(rc, ResourceTableModel::ChangeKindRole).toString(), QString());
        QCOMPARE(at(rc, ResourceTableModel::ChangedAtRole).toLongLong(), 0);
        QCOMPARE(at(rd, ResourceTableModel::ChangeKindRole).toString(), u"added"_s);

        m_now += m_model->fadeMs();
        m_model->removeFaded();
        QCOMPARE(m_model->rowCount(), 3);
        QCOMPARE(m_model->rowOf(u"shop"_s, u"b"_s), -1);
        QCOMPARE(m_model->rowOf(u"shop"_s, u"d"_s), 2);
    }

    void age_ticks_with_one_dataChanged_per_time_column()
    {
        seed(3);
        const int age = column(u"AGE"_s);
        const int restarts = column(u"RESTARTS"_s);
        m_model->applyBatch(changes({change(ChangeType::Modified, pod(u"shop"_s, u"web-1"_s, 2))}));
        QCOMPARE(m_model->index(0, age).data().toString(), u"60m"_s);
        QCOMPARE(m_model->index(1, restarts).data().toString(), u"2 (5m ago)"_s);
        QCOMPARE(m_model->index(0, age).data(ResourceTableModel::SortRole).toDouble(), 3600.0);

        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        m_now += 5 * 60'000;
        QTRY_VERIFY_WITH_TIMEOUT(changed.size() >= 2, 2500);
        QCOMPARE(changed.size(), 2); // one tick: RESTARTS and AGE, each over all rows at once
        QSet<int> columns;
        for (const auto &args : changed) {
            const QModelIndex from = args.at(0).toModelIndex();
            const QModelIndex to = args.at(1).toModelIndex();
            QCOMPARE(from.row(), 0);
            QCOMPARE(to.row(), 2);
            QCOMPARE(from.column(), to.column());
            QCOMPARE(args.at(2).value<QList<int>>(), QList<int>{Qt::DisplayRole});
            columns.insert(from.column());
        }
        QCOMPARE(columns, (QSet<int>{age, restarts}));
        QCOMPARE(m_model->index(0, age).data().toString(), u"65m"_s);
        QCOMPARE(m_model->index(1, restarts).data().toString(), u"2 (10m ago)"_s);
        QCOMPARE(m_model->index(0, age).data(ResourceTableModel::SortRole).toDouble(), 3900.0);
    }

    void sorting_through_the_last_proxy_follows_sort_role_and_changes()
    {
        m_model->applyBatch(snapshot({pod(u"shop"_s, u"b"_s, 1, {}, u"2024-05-01T10:00:00Z"_s),
                                      pod(u"shop"_s, u"a"_s, 5, {}, u"2024-05-01T11:59:00Z"_s),
                                      pod(u"shop"_s, u"c"_s, 12, {}, u"2024-04-01T11:00:00Z"_s)}));
        TextFilterProxy proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(m_model.get());
        QCOMPARE(proxy.sortRole(), int(ResourceTableModel::SortRole));
        const auto names = [&proxy] {
            QStringList out;
            for (int r = 0; r < proxy.rowCount(); ++r)
                out.append(proxy.index(r, 0).data(ResourceTableModel::NameRole).toString());
            return out;
        };
        proxy.sort(column(u"RESTARTS"_s), Qt::DescendingOrder);
        QCOMPARE(names(), (QStringList{u"c"_s, u"a"_s, u"b"_s})); // 12 > 5 > 1, not "5" > "12" > "1"
        proxy.sort(column(u"AGE"_s), Qt::AscendingOrder);
        QCOMPARE(names(), (QStringList{u"a"_s, u"b"_s, u"c"_s})); // youngest first
        proxy.sort(column(u"NAME"_s), Qt::AscendingOrder);
        QCOMPARE(names(), (QStringList{u"a"_s, u"b"_s, u"c"_s}));

        proxy.sort(column(u"RESTARTS"_s), Qt::DescendingOrder);
        m_model->applyBatch(changes({change(ChangeType::Modified, pod(u"shop"_s, u"b"_s, 40))}));
        QCOMPARE(names(), (QStringList{u"b"_s, u"c"_s, u"a"_s}));
        m_model->applyBatch(changes({change(ChangeType::Added, pod(u"shop"_s, u"d"_s, 7))}));
        QCOMPARE(names(), (QStringList{u"b"_s, u"c"_s, u"d"_s, u"a"_s}));
        m_model->setFadeMs(0);
        m_model->applyBatch(changes({change(ChangeType::Deleted, m_model->objectAt(m_model->rowOf(u"shop"_s, u"c"_s)))}));
        QCOMPARE(names(), (QStringList{u"b"_s, u"d"_s, u"a"_s}));
    }

    void search_text_holds_name_namespace_and_fixed_cells_in_lower_case()
    {
        m_model->applyBatch(snapshot({pod(u"Shop"_s, u"Web-1"_s, 3)}));
        const QString search = at(0, ResourceTableModel::SearchTextRole).toString();
        QVERIFY(search.contains(u"web-1"_s));
        QVERIFY(search.contains(u"shop"_s));
        QVERIFY(search.contains(u"running"_s));
        QVERIFY(search.contains(u"node-1"_s));
        QVERIFY(search.contains(u"1/1"_s));
        QCOMPARE(search, search.toLower());
        QVERIFY(!search.contains(u"60m"_s)); // time cells change every second and stay out
    }

    void secrets_never_expose_values_in_cells_or_search_text()
    {
        cw::watch::ApiResource secrets;
        secrets.resource = u"secrets"_s;
        secrets.kind = u"Secret"_s;
        secrets.namespaced = true;
        m_model->setResource(secrets, u"secrets"_s);
        auto record = std::make_shared<ObjectRecord>();
        record->object = R"({"metadata":{"name":"db","namespace":"shop","creationTimestamp":"2024-05-01T11:00:00Z"},
            "type":"Opaque","data":{"password":"aHVudGVyMg=="},"stringData":{"token":"plain-token"}})";
        record->ns = u"shop"_s;
        record->name = u"db"_s;
        record->kind = u"Secret"_s;
        Batch b = snapshot({record});
        b.stream = u"secrets"_s;
        m_model->applyBatch(b);
        QStringList shown;
        for (int c = 0; c < m_model->columnCount(); ++c)
            shown.append(m_model->index(0, c).data().toString());
        QCOMPARE(shown, (QStringList{u"shop"_s, u"db"_s, u"Opaque"_s, u"1"_s, u"60m"_s}));
        const QString search = at(0, ResourceTableModel::SearchTextRole).toString();
        QVERIFY(!search.contains(u"ahvudgvymg"_s));
        QVERIFY(!search.contains(u"plain-token"_s));
    }

    void columns_and_headers_follow_the_resource()
    {
        QCOMPARE(m_model->namespaceColumn(), 0);
        QCOMPARE(m_model->headerData(0, Qt::Horizontal).toString(), u"NAMESPACE"_s);
        QCOMPARE(m_model->stream(), Stream);
        QCOMPARE(m_model->resource().resource, u"pods"_s);
        seed(2);
        QSignalSpy resets(m_model.get(), &QAbstractItemModel::modelReset);
        cw::watch::ApiResource nodes;
        nodes.resource = u"nodes"_s;
        nodes.kind = u"Node"_s;
        nodes.namespaced = false;
        m_model->setResource(nodes, u"nodes"_s);
        QCOMPARE(resets.size(), 1);
        QCOMPARE(m_model->rowCount(), 0);
        QCOMPARE(m_model->namespaceColumn(), -1);
        QCOMPARE(m_model->columnCount(), 5);
        QCOMPARE(m_model->headerData(1, Qt::Horizontal).toString(), u"STATUS"_s);
    }

    void labels_role_is_a_variant_map()
    {
        m_model->applyBatch(snapshot({pod(u"shop"_s, u"a"_s, 0, {{u"app"_s, u"web"_s}, {u"tier"_s, u"front"_s}})}));
        const QVariantMap labels = at(0, ResourceTableModel::LabelsRole).toMap();
        QCOMPARE(labels.value(u"app"_s).toString(), u"web"_s);
        QCOMPARE(labels.size(), 2);
        QCOMPARE(at(0, ResourceTableModel::NamespaceRole).toString(), u"shop"_s);
    }
};

CW_TEST(TestResourceTableModel)
#include "tst_resourcetablemodel.moc"
