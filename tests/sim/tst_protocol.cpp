// SPDX-License-Identifier: Apache-2.0
// The sim's protocol rules, checked on the wire (protocol doc §2–§6).
#include "simfixture.h"
#include "testmain.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>

using namespace cw::test;

namespace {
QJsonObject parseLine(const QByteArray &line)
{
    return QJsonDocument::fromJson(line).object();
}
QString typeOf(const QByteArray &line)
{
    return parseLine(line).value(QStringLiteral("type")).toString();
}
QJsonObject objectOf(const QByteArray &line)
{
    return parseLine(line).value(QStringLiteral("object")).toObject();
}
QString nameOf(const QJsonObject &object)
{
    return object.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("name")).toString();
}
QString rvOf(const QJsonObject &object)
{
    return object.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("resourceVersion")).toString();
}
QByteArray configMap(const QString &ns, const QString &name, const QString &labels = {})
{
    QJsonObject meta{{QStringLiteral("name"), name}, {QStringLiteral("namespace"), ns}};
    if (!labels.isEmpty()) {
        QJsonObject l;
        for (const QString &pair : labels.split(QLatin1Char(','))) {
            const QStringList kv = pair.split(QLatin1Char('='));
            l.insert(kv[0], kv.value(1));
        }
        meta.insert(QStringLiteral("labels"), l);
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("apiVersion"), QStringLiteral("v1")},
                                     {QStringLiteral("kind"), QStringLiteral("ConfigMap")},
                                     {QStringLiteral("metadata"), meta},
                                     {QStringLiteral("data"), QJsonObject{{QStringLiteral("k"), QStringLiteral("v")}}}})
        .toJson(QJsonDocument::Compact);
}
} // namespace

class TestProtocol : public QObject
{
    Q_OBJECT
    std::unique_ptr<SimFixture> sim;

    void createNamespace(const QString &name)
    {
        const QByteArray body = "{\"metadata\":{\"name\":\"" + name.toUtf8() + "\"}}";
        const HttpResponse r = sim->request("POST", "/api/v1/namespaces", body);
        QVERIFY2(r.code == 201 || r.code == 409, r.body.constData());
    }

private slots:
    void initTestCase()
    {
        auto config = SimFixture::defaultConfig();
        config.api.bookmarkIntervalMs = 300;
        config.api.tooLargeWaitMs = 300;
        config.api.maxGraceSec = 1;
        sim = std::make_unique<SimFixture>(config);
        QVERIFY(sim->start());
        createNamespace(QStringLiteral("proto"));
    }

    void discovery_serves_legacy_roots_without_api_version()
    {
        const HttpResponse api = sim->request("GET", "/api");
        QCOMPARE(api.code, 200);
        QCOMPARE(api.json().value(QStringLiteral("kind")).toString(), QStringLiteral("APIVersions"));
        const HttpResponse core = sim->request("GET", "/api/v1");
        QCOMPARE(core.json().value(QStringLiteral("kind")).toString(), QStringLiteral("APIResourceList"));
        QVERIFY(!core.json().contains(QStringLiteral("apiVersion")));
        const HttpResponse apps = sim->request("GET", "/apis/apps/v1");
        QCOMPARE(apps.json().value(QStringLiteral("apiVersion")).toString(), QStringLiteral("v1"));
        QSet<QString> served;
        for (const QJsonValue &r : core.json().value(QStringLiteral("resources")).toArray())
            served << r.toObject().value(QStringLiteral("name")).toString();
        for (const char *r : {"pods", "namespaces", "nodes", "services", "configmaps", "secrets", "events"})
            QVERIFY2(served.contains(QLatin1String(r)), r);
        const HttpResponse events = sim->request("GET", "/apis/events.k8s.io/v1");
        QCOMPARE(events.code, 200);
        const HttpResponse version = sim->request("GET", "/version", {}, {}, {});
        QCOMPARE(version.code, 200);
        QVERIFY(version.json().value(QStringLiteral("gitVersion")).toString().startsWith(QLatin1String("v1.")));
    }

    void aggregated_discovery_answers_when_asked_for_v2()
    {
        const HttpResponse r = sim->request("GET", "/apis", {},
                                            {{"Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"}});
        QCOMPARE(r.code, 200);
        QVERIFY(r.headers.value("content-type").contains("as=APIGroupDiscoveryList"));
        QCOMPARE(r.json().value(QStringLiteral("kind")).toString(), QStringLiteral("APIGroupDiscoveryList"));
    }

    void list_items_carry_no_kind_and_empty_lists_are_arrays()
    {
        const HttpResponse pods = sim->request("GET", "/api/v1/pods");
        QCOMPARE(pods.code, 200);
        const QJsonObject list = pods.json();
        QCOMPARE(list.value(QStringLiteral("kind")).toString(), QStringLiteral("PodList"));
        QCOMPARE(list.value(QStringLiteral("items")).toArray().size(), 20);
        QVERIFY(!list.value(QStringLiteral("items")).toArray().first().toObject().contains(QStringLiteral("kind")));
        QVERIFY(!rvOf(list).isEmpty());
        const HttpResponse none = sim->request("GET", "/api/v1/namespaces/no-such-namespace/pods");
        QCOMPARE(none.code, 200);
        QVERIFY(none.json().value(QStringLiteral("items")).isArray());
        QCOMPARE(none.json().value(QStringLiteral("items")).toArray().size(), 0);
    }

    void paginated_list_is_one_consistent_snapshot_despite_writes_between_pages()
    {
        QStringList seen;
        QByteArray target = "/api/v1/pods?limit=7";
        QString listRv;
        int pages = 0;
        while (true) {
            const HttpResponse page = sim->request("GET", target);
            QCOMPARE(page.code, 200);
            const QJsonObject meta = page.json().value(QStringLiteral("metadata")).toObject();
            if (listRv.isEmpty())
                listRv = meta.value(QStringLiteral("resourceVersion")).toString();
            QCOMPARE(meta.value(QStringLiteral("resourceVersion")).toString(), listRv);
            for (const QJsonValue &item : page.json().value(QStringLiteral("items")).toArray())
                seen << nameOf(item.toObject());
            ++pages;
            // A write between pages must not show up in this list.
            sim->request("POST", "/api/v1/namespaces/proto/configmaps", configMap(QStringLiteral("proto"), QStringLiteral("page-%1").arg(pages)));
            const QString token = meta.value(QStringLiteral("continue")).toString();
            if (token.isEmpty()) {
                QVERIFY(!meta.contains(QStringLiteral("remainingItemCount")));
                break;
            }
            QCOMPARE(meta.value(QStringLiteral("remainingItemCount")).toInteger(), 20 - seen.size());
            target = "/api/v1/pods?limit=7&continue=" + token.toLatin1();
        }
        QCOMPARE(pages, 3);
        QCOMPARE(seen.size(), 20);
        QCOMPARE(QSet<QString>(seen.begin(), seen.end()).size(), 20);
    }

    void list_option_combinations_are_validated_like_the_apiserver_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<int>("code");
        QTest::newRow("match without resourceVersion") << QByteArray("resourceVersionMatch=NotOlderThan") << 422;
        QTest::newRow("exact match with rv 0") << QByteArray("resourceVersion=0&resourceVersionMatch=Exact") << 422;
        QTest::newRow("unknown match") << QByteArray("resourceVersion=5&resourceVersionMatch=Newest") << 422;
        QTest::newRow("sendInitialEvents on a list") << QByteArray("sendInitialEvents=true") << 422;
        QTest::newRow("continue with a resourceVersion") << QByteArray("continue=abc&resourceVersion=12") << 400;
        QTest::newRow("malformed continue token") << QByteArray("continue=%25%25garbage") << 400;
        QTest::newRow("bad label selector") << QByteArray("labelSelector=a%20in%20(") << 400;
        QTest::newRow("unsupported field label") << QByteArray("fieldSelector=spec.color%3Dred") << 400;
        QTest::newRow("rv 0 means any") << QByteArray("resourceVersion=0") << 200;
        QTest::newRow("empty first pair is tolerated") << QByteArray("&limit=5") << 200;
    }
    void list_option_combinations_are_validated_like_the_apiserver()
    {
        QFETCH(QByteArray, query);
        QFETCH(int, code);
        const HttpResponse r = sim->request("GET", "/api/v1/pods?" + query);
        QCOMPARE(r.code, code);
        if (code != 200) {
            QCOMPARE(r.json().value(QStringLiteral("kind")).toString(), QStringLiteral("Status"));
            QCOMPARE(r.json().value(QStringLiteral("code")).toInt(), code);
        }
    }

    void too_new_resource_version_answers_504_with_its_cause()
    {
        const qint64 future = sim->currentRv() + 100000;
        const HttpResponse r = sim->request("GET", "/api/v1/pods?resourceVersion=" + QByteArray::number(future));
        QCOMPARE(r.code, 504);
        QCOMPARE(r.headers.value("retry-after"), QByteArray("1"));
        const QJsonArray causes = r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("causes")).toArray();
        QCOMPARE(causes.first().toObject().value(QStringLiteral("reason")).toString(), QStringLiteral("ResourceVersionTooLarge"));
    }

    void selectors_filter_lists_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QStringList>("expected");
        const QStringList all{QStringLiteral("sel-a"), QStringLiteral("sel-b"), QStringLiteral("sel-c")};
        QTest::newRow("equals") << QByteArray("labelSelector=tier%3Dweb") << QStringList{QStringLiteral("sel-a"), QStringLiteral("sel-b")};
        QTest::newRow("not equals") << QByteArray("labelSelector=tier!%3Dweb") << QStringList{QStringLiteral("sel-c")};
        QTest::newRow("in") << QByteArray("labelSelector=env%20in%20(prod,qa)") << QStringList{QStringLiteral("sel-a"), QStringLiteral("sel-c")};
        QTest::newRow("notin") << QByteArray("labelSelector=env%20notin%20(prod)") << QStringList{QStringLiteral("sel-b"), QStringLiteral("sel-c")};
        QTest::newRow("exists") << QByteArray("labelSelector=canary") << QStringList{QStringLiteral("sel-b")};
        QTest::newRow("does not exist") << QByteArray("labelSelector=!canary") << QStringList{QStringLiteral("sel-a"), QStringLiteral("sel-c")};
        QTest::newRow("field name") << QByteArray("fieldSelector=metadata.name%3Dsel-c") << QStringList{QStringLiteral("sel-c")};
        QTest::newRow("field name not") << QByteArray("fieldSelector=metadata.name!%3Dsel-c") << QStringList{QStringLiteral("sel-a"), QStringLiteral("sel-b")};
        QTest::newRow("paged with selector") << QByteArray("labelSelector=tier&limit=1") << QStringList{QStringLiteral("sel-a")};
        Q_UNUSED(all)
    }
    void selectors_filter_lists()
    {
        QFETCH(QByteArray, query);
        QFETCH(QStringList, expected);
        createNamespace(QStringLiteral("sel"));
        sim->request("POST", "/api/v1/namespaces/sel/configmaps", configMap(QStringLiteral("sel"), QStringLiteral("sel-a"), QStringLiteral("tier=web,env=prod")));
        sim->request("POST", "/api/v1/namespaces/sel/configmaps", configMap(QStringLiteral("sel"), QStringLiteral("sel-b"), QStringLiteral("tier=web,env=dev,canary=yes")));
        sim->request("POST", "/api/v1/namespaces/sel/configmaps", configMap(QStringLiteral("sel"), QStringLiteral("sel-c"), QStringLiteral("tier=db,env=qa")));
        const HttpResponse r = sim->request("GET", "/api/v1/namespaces/sel/configmaps?" + query);
        QCOMPARE(r.code, 200);
        QStringList names;
        for (const QJsonValue &item : r.json().value(QStringLiteral("items")).toArray())
            names << nameOf(item.toObject());
        QCOMPARE(names, expected);
        const QJsonObject meta = r.json().value(QStringLiteral("metadata")).toObject();
        QVERIFY(!meta.contains(QStringLiteral("remainingItemCount")));
    }

    void pod_field_selectors_select_by_node_and_phase()
    {
        const HttpResponse all = sim->request("GET", "/api/v1/pods");
        const QJsonObject first = all.json().value(QStringLiteral("items")).toArray().first().toObject();
        const QString node = first.value(QStringLiteral("spec")).toObject().value(QStringLiteral("nodeName")).toString();
        QVERIFY(!node.isEmpty());
        const HttpResponse onNode = sim->request("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3D" + node.toLatin1());
        const QJsonArray items = onNode.json().value(QStringLiteral("items")).toArray();
        QVERIFY(!items.isEmpty());
        for (const QJsonValue &item : items)
            QCOMPARE(item.toObject().value(QStringLiteral("spec")).toObject().value(QStringLiteral("nodeName")).toString(), node);
        const HttpResponse running = sim->request("GET", "/api/v1/pods?fieldSelector=status.phase%3DRunning");
        for (const QJsonValue &item : running.json().value(QStringLiteral("items")).toArray())
            QCOMPARE(item.toObject().value(QStringLiteral("status")).toObject().value(QStringLiteral("phase")).toString(), QStringLiteral("Running"));
    }

    void watch_from_empty_rv_replays_state_then_streams_changes()
    {
        RawStream stream;
        QVERIFY(stream.open(sim->port(), "/api/v1/namespaces/proto/configmaps?watch=1", SimFixture::adminToken));
        QCOMPARE(stream.status(), 200);
        QCOMPARE(stream.header("content-type"), QByteArray("application/json"));
        QVERIFY(stream.header("transfer-encoding").contains("chunked"));
        const int existing = int(sim->request("GET", "/api/v1/namespaces/proto/configmaps").json()
                                     .value(QStringLiteral("items")).toArray().size());
        QList<QByteArray> lines = stream.lines(existing);
        QCOMPARE(lines.size(), existing);
        for (const QByteArray &line : lines) {
            QCOMPARE(typeOf(line), QStringLiteral("ADDED"));
            QCOMPARE(objectOf(line).value(QStringLiteral("kind")).toString(), QStringLiteral("ConfigMap"));
            QCOMPARE(objectOf(line).value(QStringLiteral("apiVersion")).toString(), QStringLiteral("v1"));
        }
        sim->request("POST", "/api/v1/namespaces/proto/configmaps", configMap(QStringLiteral("proto"), QStringLiteral("live-one")));
        lines = stream.lines(existing + 1);
        QCOMPARE(lines.size(), existing + 1);
        QCOMPARE(typeOf(lines.last()), QStringLiteral("ADDED"));
        QCOMPARE(nameOf(objectOf(lines.last())), QStringLiteral("live-one"));
    }

    void watch_from_a_resource_version_sends_only_later_changes_in_order()
    {
        const qint64 from = sim->currentRv();
        sim->request("POST", "/api/v1/namespaces/proto/configmaps", configMap(QStringLiteral("proto"), QStringLiteral("later-1")));
        sim->request("PATCH", "/api/v1/namespaces/proto/configmaps/later-1", "{\"data\":{\"k\":\"changed\"}}",
                     {{"Content-Type", "application/merge-patch+json"}});
        sim->request("DELETE", "/api/v1/namespaces/proto/configmaps/later-1");
        RawStream stream;
        QVERIFY(stream.open(sim->port(), "/api/v1/namespaces/proto/configmaps?watch=true&resourceVersion=" + QByteArray::number(from),
                            SimFixture::adminToken));
        const QList<QByteArray> lines = stream.lines(3);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(typeOf(lines[0]), QStringLiteral("ADDED"));
        QCOMPARE(typeOf(lines[1]), QStringLiteral("MODIFIED"));
        QCOMPARE(typeOf(lines[2]), QStringLiteral("DELETED"));
        QCOMPARE(objectOf(lines[1]).value(QStringLiteral("data")).toObject().value(QStringLiteral("k")).toString(), QStringLiteral("changed"));
        QVERIFY(rvOf(objectOf(lines[0])).toLongLong() < rvOf(objectOf(lines[1])).toLongLong());
        QVERIFY(rvOf(objectOf(lines[1])).toLongLong() < rvOf(objectOf(lines[2])).toLongLong());
        for (const QByteArray &line : lines)
            QVERIFY(!line.contains('\n') && !line.contains("  "));
    }

    void selector_transitions_become_added_and_deleted()
    {
        sim->request("POST", "/api/v1/namespaces/proto/configmaps", configMap(QStringLiteral("proto"), QStringLiteral("mover"), QStringLiteral("stage=blue")));
        const qint64 from = sim->currentRv();
        RawStream stream;
        QVERIFY(stream.open(sim->port(), "/api/v1/namespaces/proto/configmaps?watch=1&labelSelector=stage%3Dgreen&resourceVersion="
                                             + QByteArray::number(from), SimFixture::adminToken));
        sim->request("PATCH", "/api/v1/namespaces/proto/configmaps/mover", "{\"metadata\":{\"labels\":{\"stage\":\"green\"}}}",
                     {{"Content-Type", "application/merge-patch+json"}});
        sim->request("PATCH", "/api/v1/namespaces/proto/configmaps/mover", "{\"metadata\":{\"labels\":{\"stage\":\"red\"}}}",
                     {{"Content-Type", "application/merge-patch+json"}});
        const QList<QByteArray> lines = stream.lines(2);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(typeOf(lines[0]), QStringLiteral("ADDED"));
        QCOMPARE(typeOf(lines[1]), QStringLiteral("DELETED"));
        // DELETED for a selector exit carries the previous content at the new resourceVersion.
        QCOMPARE(objectOf(lines[1]).value(QStringLiteral("metadata")).toObject().value(QStringLiteral("labels")).toObject()
                     .value(QStringLiteral("stage")).toString(), QStringLiteral("green"));
        QVERIFY(rvOf(objectOf(lines[1])).toLongLong() > rvOf(objectOf(lines[0])).toLongLong());
    }

    void bookmarks_arrive_on_schedule_with_type_and_current_rv()
    {
        RawStream stream;
        QVERIFY(stream.open(sim->port(), "/api/v1/nodes?watch=1&allowWatchBookmarks=true&resourceVersion="
                                             + QByteArray::number(sim->currentRv()), SimFixture::adminToken));
        const QList<QByteArray> lines = stream.lines(1, 3000);
        QVERIFY(!lines.isEmpty());
        QCOMPARE(typeOf(lines[0]), QStringLiteral("BOOKMARK"));
        QCOMPARE(objectOf(lines[0]).value(QStringLiteral("kind")).toString(), QStringLiteral("Node"));
        QCOMPARE(objectOf(lines[0]).value(QStringLiteral("apiVersion")).toString(), QStringLiteral("v1"));
        QCOMPARE(rvOf(objectOf(lines[0])).toLongLong(), sim->currentRv());
    }

    void watch_ends_cleanly_after_timeout_seconds()
    {
        RawStream stream;
        QElapsedTimer timer;
        timer.start();
        QVERIFY(stream.open(sim->port(), "/api/v1/nodes?watch=1&timeoutSeconds=1&resourceVersion="
                                             + QByteArray::number(sim->currentRv()), SimFixture::adminToken));
        QVERIFY(stream.waitEnd(5000));
        QVERIFY(stream.endedCleanly());
        QVERIFY(timer.elapsed() >= 900);
    }

    void streaming_list_ends_initial_events_with_a_marked_bookmark()
    {
        RawStream stream;
        QVERIFY(stream.open(sim->port(), "/api/v1/pods?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
                                         "&allowWatchBookmarks=true&resourceVersion=", SimFixture::adminToken));
        const QList<QByteArray> lines = stream.lines(21);
        QCOMPARE(lines.size(), 21);
        for (int i = 0; i < 20; ++i)
            QCOMPARE(typeOf(lines[i]), QStringLiteral("ADDED"));
        QCOMPARE(typeOf(lines[20]), QStringLiteral("BOOKMARK"));
        QCOMPARE(objectOf(lines[20]).value(QStringLiteral("metadata")).toObject().value(QStringLiteral("annotations")).toObject()
                     .value(QStringLiteral("k8s.io/initial-events-end")).toString(), QStringLiteral("true"));
    }

    void send_initial_events_without_not_older_than_is_invalid()
    {
        const HttpResponse r = sim->request("GET", "/api/v1/pods?watch=1&sendInitialEvents=true");
        QCOMPARE(r.code, 422);
    }

    void old_server_mode_rejects_streaming_lists_with_422()
    {
        auto config = SimFixture::defaultConfig();
        config.api.watchList = false;
        SimFixture old(config);
        QVERIFY(old.start());
        const HttpResponse r = old.request("GET", "/api/v1/pods?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan");
        QCOMPARE(r.code, 422);
        QVERIFY(r.json().value(QStringLiteral("message")).toString().contains(QLatin1String("WatchList")));
    }

    void watch_from_a_compacted_rv_is_an_in_stream_410()
    {
        const qint64 old = sim->currentRv();
        sim->request("POST", "/api/v1/namespaces/proto/configmaps", configMap(QStringLiteral("proto"), QStringLiteral("before-compaction")));
        sim->inject(QJsonObject{{QStringLiteral("kind"), QStringLiteral("compact")}});
        RawStream stream;
        QVERIFY(stream.open(sim->port(), "/api/v1/namespaces/proto/configmaps?watch=1&resourceVersion=" + QByteArray::number(old),
                            SimFixture::adminToken));
        QCOMPARE(stream.status(), 200);
        const QList<QByteArray> lines = stream.lines(1);
        QCOMPARE(lines.size(), 1);
        QCOMPARE(typeOf(lines[0]), QStringLiteral("ERROR"));
        QCOMPARE(objectOf(lines[0]).value(QStringLiteral("code")).toInt(), 410);
        QCOMPARE(objectOf(lines[0]).value(QStringLiteral("reason")).toString(), QStringLiteral("Expired"));
        QVERIFY(stream.waitEnd());
        // An exact list at that RV is gone too.
        const HttpResponse exact = sim->request("GET", "/api/v1/pods?resourceVersionMatch=Exact&resourceVersion=" + QByteArray::number(old));
        QCOMPARE(exact.code, 410);
    }

    void expired_continue_token_offers_an_inconsistent_continuation()
    {
        const HttpResponse first = sim->request("GET", "/api/v1/pods?limit=5");
        const QString token = first.json().value(QStringLiteral("metadata")).toObject().value(QStringLiteral("continue")).toString();
        QVERIFY(!token.isEmpty());
        sim->request("POST", "/api/v1/namespaces/proto/configmaps", configMap(QStringLiteral("proto"), QStringLiteral("bump")));
        sim->inject(QJsonObject{{QStringLiteral("kind"), QStringLiteral("compact")}});
        const HttpResponse expired = sim->request("GET", "/api/v1/pods?limit=5&continue=" + token.toLatin1());
        QCOMPARE(expired.code, 410);
        QCOMPARE(expired.json().value(QStringLiteral("reason")).toString(), QStringLiteral("Expired"));
        const QString fresh = expired.json().value(QStringLiteral("metadata")).toObject().value(QStringLiteral("continue")).toString();
        QVERIFY(!fresh.isEmpty());
        const HttpResponse rest = sim->request("GET", "/api/v1/pods?limit=100&continue=" + fresh.toLatin1());
        QCOMPARE(rest.code, 200);
        QCOMPARE(rest.json().value(QStringLiteral("items")).toArray().size(), 15);
    }

    void graceful_pod_deletion_is_modified_then_deleted()
    {
        const QJsonObject pod = sim->request("GET", "/api/v1/pods?limit=1").json().value(QStringLiteral("items")).toArray().first().toObject();
        const QByteArray ns = pod.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("namespace")).toString().toLatin1();
        const QByteArray name = nameOf(pod).toLatin1();
        RawStream stream;
        QVERIFY(stream.open(sim->port(), "/api/v1/namespaces/" + ns + "/pods?watch=1&fieldSelector=metadata.name%3D" + name
                                             + "&resourceVersion=" + QByteArray::number(sim->currentRv()), SimFixture::adminToken));
        const HttpResponse deleted = sim->request("DELETE", "/api/v1/namespaces/" + ns + "/pods/" + name);
        QCOMPARE(deleted.code, 200);
        const QList<QByteArray> lines = stream.lines(2, 5000);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(typeOf(lines[0]), QStringLiteral("MODIFIED"));
        QVERIFY(objectOf(lines[0]).value(QStringLiteral("metadata")).toObject().contains(QStringLiteral("deletionTimestamp")));
        QCOMPARE(typeOf(lines[1]), QStringLiteral("DELETED"));
        QCOMPARE(sim->request("GET", "/api/v1/namespaces/" + ns + "/pods/" + name).code, 404);
    }

    void authentication_and_authorization_answer_like_the_apiserver_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<int>("code");
        QTest::newRow("no credentials") << QByteArray("GET") << QByteArray("/api/v1/pods") << QByteArray() << 401;
        QTest::newRow("wrong token") << QByteArray("GET") << QByteArray("/api/v1/pods") << QByteArray("nope") << 401;
        QTest::newRow("viewer reads pods") << QByteArray("GET") << QByteArray("/api/v1/pods") << QByteArray(SimFixture::viewerToken) << 200;
        QTest::newRow("viewer may not read secrets") << QByteArray("GET") << QByteArray("/api/v1/secrets") << QByteArray(SimFixture::viewerToken) << 403;
        QTest::newRow("viewer may not delete") << QByteArray("DELETE") << QByteArray("/api/v1/namespaces/proto/configmaps/x") << QByteArray(SimFixture::viewerToken) << 403;
        QTest::newRow("discovery for anyone authenticated") << QByteArray("GET") << QByteArray("/api") << QByteArray(SimFixture::viewerToken) << 200;
    }
    void authentication_and_authorization_answer_like_the_apiserver()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, target);
        QFETCH(QByteArray, token);
        QFETCH(int, code);
        const HttpResponse r = sim->request(method, target, {}, {}, token);
        QCOMPARE(r.code, code);
        if (code == 403) {
            QCOMPARE(r.json().value(QStringLiteral("reason")).toString(), QStringLiteral("Forbidden"));
            QVERIFY(r.json().value(QStringLiteral("message")).toString().contains(QLatin1String("cannot")));
        }
        if (code == 401)
            QCOMPARE(r.json().value(QStringLiteral("reason")).toString(), QStringLiteral("Unauthorized"));
    }

    void table_output_has_kubectl_pod_columns()
    {
        const HttpResponse r = sim->request("GET", "/api/v1/pods", {},
                                            {{"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}});
        QCOMPARE(r.code, 200);
        const QJsonObject table = r.json();
        QCOMPARE(table.value(QStringLiteral("kind")).toString(), QStringLiteral("Table"));
        QStringList columns;
        for (const QJsonValue &c : table.value(QStringLiteral("columnDefinitions")).toArray())
            columns << c.toObject().value(QStringLiteral("name")).toString();
        QCOMPARE(columns.mid(0, 5), (QStringList{QStringLiteral("Name"), QStringLiteral("Ready"), QStringLiteral("Status"),
                                                 QStringLiteral("Restarts"), QStringLiteral("Age")}));
        const QJsonArray rows = table.value(QStringLiteral("rows")).toArray();
        QVERIFY(rows.size() >= 19);
        QCOMPARE(rows.first().toObject().value(QStringLiteral("cells")).toArray().size(), columns.size());
    }

    void writes_follow_conflict_and_not_found_rules()
    {
        QCOMPARE(sim->request("POST", "/api/v1/namespaces/proto/configmaps", configMap(QStringLiteral("proto"), QStringLiteral("w1"))).code, 201);
        QCOMPARE(sim->request("POST", "/api/v1/namespaces/proto/configmaps", configMap(QStringLiteral("proto"), QStringLiteral("w1"))).code, 409);
        const HttpResponse got = sim->request("GET", "/api/v1/namespaces/proto/configmaps/w1");
        QCOMPARE(got.code, 200);
        QCOMPARE(got.json().value(QStringLiteral("kind")).toString(), QStringLiteral("ConfigMap"));
        QJsonObject stale = got.json();
        QCOMPARE(sim->request("PUT", "/api/v1/namespaces/proto/configmaps/w1", QJsonDocument(stale).toJson()).code, 200);
        QCOMPARE(sim->request("PUT", "/api/v1/namespaces/proto/configmaps/w1", QJsonDocument(stale).toJson()).code, 409);
        const HttpResponse jsonPatch = sim->request("PATCH", "/api/v1/namespaces/proto/configmaps/w1",
                                                    "[{\"op\":\"add\",\"path\":\"/data/extra\",\"value\":\"1\"}]",
                                                    {{"Content-Type", "application/json-patch+json"}});
        QCOMPARE(jsonPatch.code, 200);
        QCOMPARE(jsonPatch.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("extra")).toString(), QStringLiteral("1"));
        const HttpResponse strategic = sim->request("PATCH", "/api/v1/namespaces/proto/configmaps/w1",
                                                    "{\"metadata\":{\"labels\":{\"patched\":\"yes\"}}}",
                                                    {{"Content-Type", "application/strategic-merge-patch+json"}});
        QCOMPARE(strategic.code, 200);
        QCOMPARE(sim->request("GET", "/api/v1/namespaces/proto/configmaps?labelSelector=patched%3Dyes").json()
                     .value(QStringLiteral("items")).toArray().size(), 1);
        QCOMPARE(sim->request("DELETE", "/api/v1/namespaces/proto/configmaps/w1").code, 200);
        QCOMPARE(sim->request("DELETE", "/api/v1/namespaces/proto/configmaps/w1").code, 404);
        QCOMPARE(sim->request("GET", "/api/v1/namespaces/proto/configmaps/w1").json().value(QStringLiteral("reason")).toString(),
                 QStringLiteral("NotFound"));
        QCOMPARE(sim->request("POST", "/api/v1/namespaces/missing-ns/configmaps", configMap(QStringLiteral("missing-ns"), QStringLiteral("x"))).code, 404);
        QCOMPARE(sim->request("POST", "/api/v1/namespaces/proto/configmaps", configMap(QStringLiteral("proto"), QStringLiteral("Bad_Name"))).code, 422);
    }

    void bad_input_gets_a_status_and_the_server_keeps_serving()
    {
        QCOMPARE(sim->request("POST", "/api/v1/namespaces/proto/configmaps", "{not json").code, 400);
        QCOMPARE(sim->request("GET", "/api/v1/widgets").code, 404);
        QCOMPARE(sim->request("GET", "/apis/nope.example.com/v1/things").code, 404);
        QCOMPARE(sim->request("PATCH", "/api/v1/namespaces/proto/configmaps/x", "{}", {{"Content-Type", "text/plain"}}).code, 404);
        const QByteArray huge(4 * 1024 * 1024, 'x');
        QCOMPARE(sim->request("POST", "/api/v1/namespaces/proto/configmaps", huge).code, 413);
        // Garbage on the socket.
        QTcpSocket garbage;
        garbage.connectToHost(QHostAddress::LocalHost, sim->port());
        QVERIFY(garbage.waitForConnected(3000));
        garbage.write("\x16\x03\x01 definitely not http\r\n\r\n");
        QVERIFY(garbage.waitForReadyRead(3000));
        QVERIFY(garbage.readAll().startsWith("HTTP/1.1 400"));
        QCOMPARE(sim->request("GET", "/api/v1/pods?limit=1").code, 200);
    }
};

CW_TEST(TestProtocol)
#include "tst_protocol.moc"
