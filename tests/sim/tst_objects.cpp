// SPDX-License-Identifier: Apache-2.0
#include "names.h"
#include "objects.h"
#include "store.h"
#include "testmain.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <ctime>

using namespace cw::sim;
using namespace Qt::StringLiterals;

namespace {

const ResourceType *type(const char *group, const char *plural)
{
    return findResource(QString::fromLatin1(group), u"v1"_s, QString::fromLatin1(plural));
}

const ResourceType *pods()
{
    return type("", "pods");
}

// The cluster as text with what legitimately differs between two runs (uids, times) masked out.
QByteArray normalized(const Store &store)
{
    static const QRegularExpression uuid(u"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"_s);
    static const QRegularExpression time(u"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"_s);
    QString all;
    for (const ResourceType *t : servedResources()) {
        if (t->isAlias())
            continue;
        for (const ObjectPtr &o : store.list(t, {}))
            all += QString::fromUtf8(o->json) + QLatin1Char('\n');
    }
    all.replace(uuid, u"UID"_s);
    all.replace(time, u"TIME"_s);
    // CronJob-made names carry their schedule time in minutes.
    static const QRegularExpression minute(u"-\\d{8}\\b"_s);
    all.replace(minute, u"-MINUTE"_s);
    // The bootstrap token's expiry is a time too, base64-encoded like all Secret data.
    static const QRegularExpression expiration(u"\"expiration\":\"[^\"]*\""_s);
    all.replace(expiration, u"\"expiration\":\"TIME\""_s);
    return all.toUtf8();
}

QJsonObject at(const QJsonObject &o, const char *path)
{
    QJsonValue v = o;
    for (const QByteArray &part : QByteArray(path).split('.'))
        v = v.toObject().value(QLatin1StringView(part));
    return v.toObject();
}

} // namespace

class TestObjects : public QObject
{
    Q_OBJECT

private slots:
    void populate_creates_the_asked_for_counts_data()
    {
        QTest::addColumn<int>("namespaces");
        QTest::addColumn<int>("nodes");
        QTest::addColumn<int>("podCount");
        QTest::addColumn<int>("deployments");
        QTest::addColumn<int>("services");
        QTest::addColumn<int>("configmaps");
        QTest::addColumn<int>("secrets");
        QTest::newRow("default shape") << 4 << 5 << 200 << -1 << -1 << -1 << -1;
        QTest::newRow("every count given") << 2 << 3 << 57 << 9 << 13 << 20 << 7;
        QTest::newRow("more objects than apps") << 1 << 2 << 30 << 3 << 11 << 25 << 9;
        QTest::newRow("one node, three pods") << 0 << 1 << 3 << -1 << -1 << -1 << -1;
        QTest::newRow("no pods at all") << 3 << 2 << 0 << -1 << -1 << -1 << -1;
        QTest::newRow("no nodes: pods stay pending") << 1 << 0 << 12 << -1 << -1 << -1 << -1;
    }

    void populate_creates_the_asked_for_counts()
    {
        QFETCH(int, namespaces);
        QFETCH(int, nodes);
        QFETCH(int, podCount);
        QFETCH(int, deployments);
        QFETCH(int, services);
        QFETCH(int, configmaps);
        QFETCH(int, secrets);
        Store store;
        populate(store, {namespaces, nodes, podCount, deployments, services, configmaps, secrets, 7});
        QCOMPARE(store.count(type("", "namespaces")), 4 + namespaces);
        QCOMPARE(store.count(type("", "nodes")), nodes);
        QCOMPARE(store.count(pods()), podCount);
        if (deployments >= 0)
            QCOMPARE(store.count(type("apps", "deployments")), deployments);
        const int derivedDeployments = store.count(type("apps", "deployments"));
        QCOMPARE(store.count(type("", "services")), services >= 0 ? services : derivedDeployments + 1);
        if (configmaps >= 0)
            QCOMPARE(store.count(type("", "configmaps")), configmaps);
        else
            QVERIFY(store.count(type("", "configmaps")) >= 4 + namespaces);
        if (secrets >= 0)
            QCOMPARE(store.count(type("", "secrets")), secrets);
        else
            QVERIFY(store.count(type("", "secrets")) >= 1);
    }

    void pods_are_three_to_six_kilobytes_of_json()
    {
        Store store;
        populate(store, {});
        qsizetype smallest = 1 << 30;
        qsizetype largest = 0;
        qsizetype total = 0;
        const QList<ObjectPtr> all = store.list(pods(), {});
        for (const ObjectPtr &pod : all) {
            smallest = std::min(smallest, pod->json.size());
            largest = std::max(largest, pod->json.size());
            total += pod->json.size();
            if (pod->json.size() < 3 * 1024 || pod->json.size() > 6 * 1024)
                QFAIL(qPrintable(pod->key() + u" is "_s + QString::number(pod->json.size()) + u" bytes"_s));
        }
        qInfo("pod JSON: min %lld, mean %lld, max %lld bytes", qint64(smallest), qint64(total / all.size()),
              qint64(largest));
    }

    void uids_are_unique()
    {
        Store store;
        populate(store, {});
        QSet<QString> uids;
        int objects = 0;
        for (const ResourceType *t : servedResources()) {
            if (t->isAlias())
                continue;
            for (const ObjectPtr &o : store.list(t, {})) {
                QVERIFY(!o->uid.isEmpty());
                uids.insert(o->uid);
                ++objects;
            }
        }
        QCOMPARE(uids.size(), objects);
    }

    void pod_ips_are_unique_except_on_the_host_network()
    {
        Store store;
        populate(store, {2, 6, 3000, -1, -1, -1, -1, 5});
        QSet<QString> ips;
        int pods = 0;
        for (const ObjectPtr &pod : store.list(type("", "pods"), {})) {
            if (pod->json.contains("\"hostNetwork\":true"))
                continue;
            ips.insert(pod->fields.value(u"status.podIP"_s));
            ++pods;
        }
        QCOMPARE(ips.size(), pods);
    }

    void every_pod_owned_by_a_replicaset_has_that_replicaset_and_it_its_deployment()
    {
        Store store;
        populate(store, {3, 4, 300, -1, -1, -1, -1, 11});
        int owned = 0;
        for (const ObjectPtr &pod : store.list(pods(), {})) {
            const QJsonArray owners =
                at(pod->toJsonObject(), "metadata").value("ownerReferences"_L1).toArray();
            for (const QJsonValue &v : owners) {
                const QJsonObject owner = v.toObject();
                if (owner.value("kind"_L1) != u"ReplicaSet"_s)
                    continue;
                ++owned;
                const ObjectPtr rs =
                    store.get(type("apps", "replicasets"), pod->ns, owner.value("name"_L1).toString());
                QVERIFY2(rs, qPrintable(pod->key()));
                QCOMPARE(rs->uid, owner.value("uid"_L1).toString());
                QCOMPARE(pod->labels.value(u"pod-template-hash"_s), rs->labels.value(u"pod-template-hash"_s));
                const QJsonObject rsOwner = at(rs->toJsonObject(), "metadata")
                                                .value("ownerReferences"_L1)
                                                .toArray()
                                                .first()
                                                .toObject();
                const ObjectPtr deployment =
                    store.get(type("apps", "deployments"), pod->ns, rsOwner.value("name"_L1).toString());
                QVERIFY(deployment);
                QCOMPARE(deployment->uid, rsOwner.value("uid"_L1).toString());
            }
        }
        QVERIFY(owned > 250);
    }

    void the_same_seed_gives_the_same_cluster()
    {
        Store a;
        Store b;
        Store c;
        populate(a, {2, 3, 120, -1, -1, -1, -1, 42});
        populate(b, {2, 3, 120, -1, -1, -1, -1, 42});
        populate(c, {2, 3, 120, -1, -1, -1, -1, 43});
        QCOMPARE(normalized(a), normalized(b));
        QVERIFY(normalized(a) != normalized(c));
    }

    void pods_look_like_a_real_clusters()
    {
        Store store;
        populate(store, {});
        QSet<QString> phases;
        QSet<QString> waiting;
        int checked = 0;
        for (const ObjectPtr &object : store.list(pods(), {})) {
            const QJsonObject pod = object->toJsonObject();
            const QJsonObject meta = at(pod, "metadata");
            const QJsonObject spec = at(pod, "spec");
            const QJsonObject status = at(pod, "status");
            phases.insert(status.value("phase"_L1).toString());
            QVERIFY(!status.value("qosClass"_L1).toString().isEmpty());
            QVERIFY(!spec.value("nodeName"_L1).toString().isEmpty());
            QVERIFY(!status.value("hostIP"_L1).toString().isEmpty());
            QVERIFY(!status.value("startTime"_L1).toString().isEmpty());
            QCOMPARE(status.value("conditions"_L1).toArray().size(), 4);
            const QJsonArray managed = meta.value("managedFields"_L1).toArray();
            QCOMPARE(managed.size(), 2);
            QCOMPARE(managed.last().toObject().value("manager"_L1).toString(), u"kubelet"_s);
            QVERIFY(managed.first().toObject().value("fieldsV1"_L1).toObject().contains("f:spec"_L1));
            for (const QJsonValue &c : status.value("containerStatuses"_L1).toArray()) {
                const QJsonObject cs = c.toObject();
                QVERIFY(cs.value("containerID"_L1).toString().startsWith("containerd://"_L1));
                QVERIFY(cs.value("imageID"_L1).toString().contains("@sha256:"_L1));
                QVERIFY(cs.contains("started"_L1) && cs.contains("restartCount"_L1) &&
                        cs.contains("ready"_L1));
                waiting.insert(cs.value("state"_L1)
                                   .toObject()
                                   .value("waiting"_L1)
                                   .toObject()
                                   .value("reason"_L1)
                                   .toString());
            }
            if (meta.value("generateName"_L1).toString().isEmpty() || spec.value("hostNetwork"_L1).toBool())
                continue;
            ++checked;
            QVERIFY(!meta.value("labels"_L1).toObject().isEmpty());
            QVERIFY(!status.value("podIP"_L1).toString().isEmpty());
            QCOMPARE(status.value("podIPs"_L1).toArray().size(), 1);
            bool token = false;
            for (const QJsonValue &v : spec.value("volumes"_L1).toArray())
                token = token || v.toObject().value("name"_L1).toString().startsWith("kube-api-access-"_L1);
            QVERIFY(token);
            const QJsonObject container = spec.value("containers"_L1).toArray().first().toObject();
            QCOMPARE(container.value("terminationMessagePath"_L1).toString(), u"/dev/termination-log"_s);
            QVERIFY(!container.value("image"_L1).toString().isEmpty());
            QVERIFY(!container.value("volumeMounts"_L1).toArray().isEmpty());
            QVERIFY(!spec.value("serviceAccountName"_L1).toString().isEmpty());
            QVERIFY(spec.value("tolerations"_L1).toArray().size() >= 2);
            QVERIFY(spec.contains("priority"_L1));
            QVERIFY(!spec.value("dnsPolicy"_L1).toString().isEmpty());
        }
        QVERIFY(checked > 150);
        QVERIFY(phases.contains(u"Running"_s));
        QVERIFY(phases.contains(u"Succeeded"_s));
        QVERIFY(waiting.contains(u"CrashLoopBackOff"_s));
    }

    void the_cluster_has_its_system_parts()
    {
        Store store;
        populate(store, {});
        const ObjectPtr cp = store.get(type("", "nodes"), {}, u"cw-control-plane"_s);
        QVERIFY(cp);
        QVERIFY(cp->labels.contains(u"node-role.kubernetes.io/control-plane"_s));
        for (const ObjectPtr &node : store.list(type("", "nodes"), {})) {
            const QJsonObject status = at(node->toJsonObject(), "status");
            QVERIFY(!status.value("capacity"_L1).toObject().isEmpty());
            QVERIFY(!status.value("allocatable"_L1).toObject().isEmpty());
            QVERIFY(!status.value("nodeInfo"_L1).toObject().value("kubeletVersion"_L1).toString().isEmpty());
            QCOMPARE(status.value("addresses"_L1).toArray().size(), 2);
            QCOMPARE(status.value("conditions"_L1).toArray().last().toObject().value("status"_L1).toString(),
                     u"True"_s);
        }
        for (const ObjectPtr &ns : store.list(type("", "namespaces"), {}))
            QVERIFY2(store.get(type("", "configmaps"), ns->name, u"kube-root-ca.crt"_s),
                     qPrintable(ns->name));
        QVERIFY(store.get(type("", "services"), u"default"_s, u"kubernetes"_s));
        QVERIFY(store.get(type("", "services"), u"kube-system"_s, u"kube-dns"_s));
        QVERIFY(store.get(pods(), u"kube-system"_s, u"kube-apiserver-cw-control-plane"_s));
        QSet<QString> secretTypes;
        for (const ObjectPtr &secret : store.list(type("", "secrets"), {})) {
            const QJsonObject json = secret->toJsonObject();
            secretTypes.insert(json.value("type"_L1).toString());
            for (const QJsonValue &v : json.value("data"_L1).toObject()) {
                const QByteArray encoded = v.toString().toLatin1();
                QCOMPARE(QByteArray::fromBase64(encoded).toBase64(), encoded);
            }
        }
        QVERIFY(secretTypes.contains(u"Opaque"_s));
        QVERIFY(secretTypes.contains(u"kubernetes.io/tls"_s));
    }

    void services_select_the_pods_of_a_deployment()
    {
        Store store;
        populate(store, {});
        for (const ObjectPtr &service : store.list(type("", "services"), {})) {
            const QJsonObject selector = at(service->toJsonObject(), "spec.selector");
            if (selector.isEmpty())
                continue;
            const QList<ObjectPtr> selected =
                store.list(pods(), service->ns, 0, {}, 0, nullptr, nullptr, [&](const SimObject &pod) {
                    for (auto it = selector.begin(); it != selector.end(); ++it) {
                        if (pod.labels.value(it.key()) != it.value().toString())
                            return false;
                    }
                    return true;
                });
            const QJsonObject deployment =
                store.get(type("apps", "deployments"), service->ns,
                          service->name.section(u"-headless"_s, 0, 0).section(u"-metrics"_s, 0, 0))
                    ? QJsonObject()
                    : QJsonObject();
            Q_UNUSED(deployment);
            QVERIFY2(!selected.isEmpty() || service->name == u"kube-dns"_s, qPrintable(service->key()));
        }
    }

    void formatted_times_match_the_stores()
    {
        for (const qint64 ms :
             {qint64(0), qint64(1'700'000'123'456), qint64(951'782'400'000), qint64(4'102'444'799'000)}) {
            QCOMPARE(formatTime(ms), Store::timestamp(ms));
            QCOMPARE(parseTime(formatTime(ms)), ms / 1000 * 1000);
        }
    }

    void populating_a_hundred_thousand_pods_takes_seconds()
    {
        // Sanitizers slow everything down ten- to fiftyfold: a smaller cluster keeps the suite inside its
        // time limit, and the figure would mean nothing anyway.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
        constexpr int count = 10'000;
#else
        constexpr int count = 100'000;
#endif
        Store store;
        QElapsedTimer timer;
        timer.start();
        const std::clock_t cpu = std::clock();
        populate(store, {20, 50, count, -1, -1, -1, -1, 1});
        const qint64 ms = timer.elapsed();
        const qint64 cpuMs = qint64(std::clock() - cpu) * 1000 / CLOCKS_PER_SEC;
        QCOMPARE(store.count(pods()), count);
        // Wall time depends on the machine's load; CPU time is the steadier figure.
        qInfo("populate: %d pods (%d objects in all) in %lld ms (%lld ms CPU)", count,
              int(store.currentRv() - 10'000), ms, cpuMs);
    }
};

CW_TEST(TestObjects)
#include "tst_objects.moc"
