// SPDX-License-Identifier: Apache-2.0
#include "store.h"
#include "testmain.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace cw::sim;

namespace {
const ResourceType *pods()
{
    return findResource(QString(), QStringLiteral("v1"), QStringLiteral("pods"));
}
const ResourceType *configmaps()
{
    return findResource(QString(), QStringLiteral("v1"), QStringLiteral("configmaps"));
}
QJsonObject object(const QString &ns, const QString &name, const QJsonObject &labels = {})
{
    QJsonObject meta{{QStringLiteral("namespace"), ns}, {QStringLiteral("name"), name}};
    if (!labels.isEmpty())
        meta.insert(QStringLiteral("labels"), labels);
    return QJsonObject{{QStringLiteral("metadata"), meta}, {QStringLiteral("data"), QJsonObject{{QStringLiteral("k"), name}}}};
}
QStringList names(const QList<ObjectPtr> &objects)
{
    QStringList out;
    for (const ObjectPtr &o : objects)
        out << o->key();
    return out;
}
} // namespace

class TestStore : public QObject
{
    Q_OBJECT
private slots:
    void every_write_takes_the_next_global_resource_version()
    {
        Store store(20'000);
        const ObjectPtr a = store.create(configmaps(), object(QStringLiteral("ns"), QStringLiteral("a"))).object;
        const ObjectPtr b = store.create(pods(), object(QStringLiteral("ns"), QStringLiteral("b"))).object;
        QCOMPARE(a->rv, 20'001);
        QCOMPARE(b->rv, 20'002);
        QVERIFY(a->json.contains("\"resourceVersion\":\"20001\""));
        QVERIFY(!a->json.contains("\"kind\""));
        QVERIFY(!a->uid.isEmpty());
    }

    void create_of_an_existing_name_is_a_conflict()
    {
        Store store;
        QVERIFY(store.create(configmaps(), object(QStringLiteral("ns"), QStringLiteral("a"))).ok());
        const WriteResult again = store.create(configmaps(), object(QStringLiteral("ns"), QStringLiteral("a")));
        QCOMPARE(again.code, 409);
        QCOMPARE(again.reason, QStringLiteral("AlreadyExists"));
    }

    void update_with_a_stale_resource_version_is_a_conflict()
    {
        Store store;
        const ObjectPtr a = store.create(configmaps(), object(QStringLiteral("ns"), QStringLiteral("a"))).object;
        QJsonObject changed = a->toJsonObject();
        QVERIFY(store.update(configmaps(), changed).ok());
        const WriteResult stale = store.update(configmaps(), changed);
        QCOMPARE(stale.code, 409);
        QCOMPARE(stale.reason, QStringLiteral("Conflict"));
    }

    void list_at_an_older_resource_version_shows_the_snapshot_of_then()
    {
        Store store;
        store.create(configmaps(), object(QStringLiteral("ns"), QStringLiteral("a")));
        const qint64 then = store.currentRv();
        store.create(configmaps(), object(QStringLiteral("ns"), QStringLiteral("b")));
        store.remove(configmaps(), QStringLiteral("ns"), QStringLiteral("a"));
        QCOMPARE(names(store.list(configmaps(), QString())), QStringList{QStringLiteral("ns/b")});
        QCOMPARE(names(store.list(configmaps(), QString(), then)), QStringList{QStringLiteral("ns/a")});
    }

    void list_pages_by_key_and_counts_what_remains()
    {
        Store store;
        for (const char *n : {"a", "b", "c", "d", "e"})
            store.create(configmaps(), object(QStringLiteral("ns"), QString::fromLatin1(n)));
        bool more = false;
        qint64 remaining = 0;
        const QList<ObjectPtr> first = store.list(configmaps(), QString(), 0, QString(), 2, &more, &remaining);
        QCOMPARE(names(first), (QStringList{QStringLiteral("ns/a"), QStringLiteral("ns/b")}));
        QVERIFY(more);
        QCOMPARE(remaining, 3);
        const QList<ObjectPtr> second = store.list(configmaps(), QString(), 0, first.last()->key(), 2, &more);
        QCOMPARE(names(second), (QStringList{QStringLiteral("ns/c"), QStringLiteral("ns/d")}));
    }

    void namespace_listing_does_not_leak_into_prefix_sharing_namespaces()
    {
        Store store;
        store.create(configmaps(), object(QStringLiteral("app"), QStringLiteral("x")));
        store.create(configmaps(), object(QStringLiteral("app-2"), QStringLiteral("y")));
        QCOMPARE(names(store.list(configmaps(), QStringLiteral("app"))), QStringList{QStringLiteral("app/x")});
    }

    void delete_event_carries_the_last_state_at_the_deletion_version()
    {
        Store store;
        store.create(configmaps(), object(QStringLiteral("ns"), QStringLiteral("a")));
        QSignalSpy spy(&store, &Store::changed);
        const WriteResult removed = store.remove(configmaps(), QStringLiteral("ns"), QStringLiteral("a"));
        QVERIFY(removed.ok());
        QCOMPARE(spy.count(), 1);
        const auto event = spy.at(0).at(0).value<StoreEvent>();
        QCOMPARE(event.type, EventType::Deleted);
        QCOMPARE(event.object->rv, store.currentRv());
        QVERIFY(event.object->json.contains(QByteArray("\"resourceVersion\":\"" + QByteArray::number(store.currentRv()) + '"')));
        QVERIFY(!store.get(configmaps(), QStringLiteral("ns"), QStringLiteral("a")));
    }

    void touch_splices_a_new_resource_version_into_the_same_content()
    {
        Store store;
        const ObjectPtr a = store.create(pods(), object(QStringLiteral("ns"), QStringLiteral("a"))).object;
        const ObjectPtr touched = store.touch(a);
        QCOMPARE(touched->rv, a->rv + 1);
        QJsonObject before = QJsonDocument::fromJson(a->json).object();
        QJsonObject after = QJsonDocument::fromJson(touched->json).object();
        QCOMPARE(after.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("resourceVersion")).toString(),
                 QString::number(touched->rv));
        before.remove(QStringLiteral("metadata"));
        after.remove(QStringLiteral("metadata"));
        QCOMPARE(after, before);
    }

    void compaction_expires_history_and_old_snapshots()
    {
        Store store;
        store.create(configmaps(), object(QStringLiteral("ns"), QStringLiteral("a")));
        const qint64 old = store.currentRv();
        store.create(configmaps(), object(QStringLiteral("ns"), QStringLiteral("b")));
        QVERIFY(store.canWatchFrom(old));
        store.compactNow();
        QVERIFY(!store.canWatchFrom(old));
        QVERIFY(store.canWatchFrom(store.currentRv()));
        QVERIFY(store.compactedRv() > old);
        QCOMPARE(store.list(configmaps(), QString()).size(), 2);
    }

    void history_is_bounded_in_count()
    {
        Store store;
        store.setHistoryLimits(3, 75);
        const qint64 start = store.currentRv();
        for (int i = 0; i < 5; ++i)
            store.create(configmaps(), object(QStringLiteral("ns"), QStringLiteral("o%1").arg(i)));
        QCOMPARE(store.eventsAfter(start).size(), size_t(3));
        QVERIFY(!store.canWatchFrom(start));
    }

    void rewind_restores_the_old_state_and_counter()
    {
        Store store;
        store.create(configmaps(), object(QStringLiteral("ns"), QStringLiteral("a")));
        const qint64 then = store.currentRv();
        store.create(configmaps(), object(QStringLiteral("ns"), QStringLiteral("b")));
        store.remove(configmaps(), QStringLiteral("ns"), QStringLiteral("a"));
        store.rewind(2);
        QCOMPARE(store.currentRv(), then);
        QCOMPARE(names(store.list(configmaps(), QString())), QStringList{QStringLiteral("ns/a")});
        QCOMPARE(store.count(configmaps()), 1);
        // Watch history restarts at the restored revision.
        QVERIFY(!store.canWatchFrom(then - 1));
        QVERIFY(store.canWatchFrom(then));
        // The next write reuses revisions clients have already seen: the restore hazard.
        QCOMPARE(store.create(configmaps(), object(QStringLiteral("ns"), QStringLiteral("c"))).object->rv, then + 1);
    }

    void labels_and_field_values_are_indexed_on_write()
    {
        Store store;
        QJsonObject pod = object(QStringLiteral("ns"), QStringLiteral("p"), QJsonObject{{QStringLiteral("app"), QStringLiteral("web")}});
        pod.insert(QStringLiteral("spec"), QJsonObject{{QStringLiteral("nodeName"), QStringLiteral("node-1")}});
        pod.insert(QStringLiteral("status"), QJsonObject{{QStringLiteral("phase"), QStringLiteral("Running")}});
        const ObjectPtr p = store.create(pods(), pod).object;
        QCOMPARE(p->labels.value(QStringLiteral("app")), QStringLiteral("web"));
        QCOMPARE(p->fields.value(QStringLiteral("spec.nodeName")), QStringLiteral("node-1"));
        QCOMPARE(p->fields.value(QStringLiteral("status.phase")), QStringLiteral("Running"));
        QCOMPARE(p->fields.value(QStringLiteral("metadata.namespace")), QStringLiteral("ns"));
    }
};

CW_TEST(TestStore)
#include "tst_store.moc"
