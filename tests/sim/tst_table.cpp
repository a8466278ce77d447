// SPDX-License-Identifier: Apache-2.0
#include "resources.h"
#include "table.h"
#include "testmain.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTest>

using namespace cw::sim;

namespace {

// Every test runs at this instant, so ages are exact.
const qint64 kNow =
    QDateTime::fromString(QStringLiteral("2024-05-01T12:00:00Z"), Qt::ISODate).toMSecsSinceEpoch();

QJsonObject object(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", json.constData());
    return doc.object();
}

QByteArray text(const QJsonArray &array)
{
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

const ResourceType *served(const char *group, const char *plural)
{
    const ResourceType *type =
        findResource(QString::fromLatin1(group), QStringLiteral("v1"), QString::fromLatin1(plural));
    if (!type)
        qFatal("not served: %s/%s", group, plural);
    return type;
}

QString columnNames(const QJsonArray &columns, int priority)
{
    QStringList names;
    for (const QJsonValue &c : columns) {
        if (c.toObject().value(QLatin1String("priority")).toInt() == priority)
            names << c.toObject().value(QLatin1String("name")).toString();
    }
    return names.join(QLatin1Char(','));
}

constexpr qint64 kSecond = 1000;
constexpr qint64 kMinute = 60 * kSecond;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;

} // namespace

class TestTable : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pod_status_follows_the_printer_data()
    {
        QTest::addColumn<QByteArray>("pod");
        QTest::addColumn<QString>("status");

        QTest::newRow("a pod without containers started is Pending")
            << QByteArray(R"({"status":{"phase":"Pending"}})") << "Pending";
        QTest::newRow("a waiting container shows its reason: ContainerCreating")
            << QByteArray(R"({"status":{"phase":"Pending","containerStatuses":[
                 {"name":"web","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ContainerCreating"}}}]}})")
            << "ContainerCreating";
        QTest::newRow("ready running containers are Running")
            << QByteArray(R"({"status":{"phase":"Running","containerStatuses":[
                 {"name":"web","ready":true,"restartCount":0,"state":{"running":{"startedAt":"2024-05-01T11:00:00Z"}}}]}})")
            << "Running";
        QTest::newRow("a restarting container is CrashLoopBackOff")
            << QByteArray(R"({"status":{"phase":"Running","containerStatuses":[
                 {"name":"web","ready":false,"restartCount":5,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}})")
            << "CrashLoopBackOff";
        QTest::newRow("a succeeded pod is Completed")
            << QByteArray(R"({"status":{"phase":"Succeeded","containerStatuses":[
                 {"name":"job","ready":false,"state":{"terminated":{"reason":"Completed","exitCode":0}}}]}})")
            << "Completed";
        QTest::newRow("a failed container shows Error")
            << QByteArray(R"({"status":{"phase":"Failed","containerStatuses":[
                 {"name":"job","ready":false,"state":{"terminated":{"reason":"Error","exitCode":1}}}]}})")
            << "Error";
        QTest::newRow("a killed container shows OOMKilled")
            << QByteArray(R"({"status":{"phase":"Running","containerStatuses":[
                 {"name":"web","ready":false,"state":{"terminated":{"reason":"OOMKilled","exitCode":137}}}]}})")
            << "OOMKilled";
        QTest::newRow("a terminated container without reason shows its exit code")
            << QByteArray(R"({"status":{"phase":"Failed","containerStatuses":[
                 {"name":"job","state":{"terminated":{"exitCode":3}}}]}})")
            << "ExitCode:3";
        QTest::newRow("a terminated container without reason shows its signal")
            << QByteArray(R"({"status":{"phase":"Failed","containerStatuses":[
                 {"name":"job","state":{"terminated":{"exitCode":137,"signal":9}}}]}})")
            << "Signal:9";
        QTest::newRow("the first container's state wins")
            << QByteArray(R"({"status":{"phase":"Running","containerStatuses":[
                 {"name":"a","state":{"waiting":{"reason":"ImagePullBackOff"}}},
                 {"name":"b","state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}})")
            << "ImagePullBackOff";
        QTest::newRow("the first init container initialising is Init:0/2")
            << QByteArray(
                   R"({"spec":{"initContainers":[{"name":"a"},{"name":"b"}],"containers":[{"name":"web"}]},
                 "status":{"phase":"Pending","initContainerStatuses":[
                   {"name":"a","state":{"running":{}}},{"name":"b","state":{"waiting":{"reason":"PodInitializing"}}}]}})")
            << "Init:0/2";
        QTest::newRow("the second init container initialising is Init:1/2")
            << QByteArray(
                   R"({"spec":{"initContainers":[{"name":"a"},{"name":"b"}],"containers":[{"name":"web"}]},
                 "status":{"phase":"Pending","initContainerStatuses":[
                   {"name":"a","state":{"terminated":{"reason":"Completed","exitCode":0}}},
                   {"name":"b","state":{"waiting":{"reason":"PodInitializing"}}}]}})")
            << "Init:1/2";
        QTest::newRow("a crashing init container is Init:CrashLoopBackOff")
            << QByteArray(R"({"spec":{"initContainers":[{"name":"a"}],"containers":[{"name":"web"}]},
                 "status":{"phase":"Pending","initContainerStatuses":[
                   {"name":"a","restartCount":3,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}})")
            << "Init:CrashLoopBackOff";
        QTest::newRow("a failed init container is Init:Error")
            << QByteArray(R"({"spec":{"initContainers":[{"name":"a"}],"containers":[{"name":"web"}]},
                 "status":{"phase":"Pending","initContainerStatuses":[
                   {"name":"a","state":{"terminated":{"reason":"Error","exitCode":1}}}]}})")
            << "Init:Error";
        QTest::newRow("a started sidecar does not hold initialisation")
            << QByteArray(
                   R"({"spec":{"initContainers":[{"name":"mesh","restartPolicy":"Always"}],"containers":[{"name":"web"}]},
                 "status":{"phase":"Running","initContainerStatuses":[
                   {"name":"mesh","ready":true,"started":true,"state":{"running":{}}}],
                 "containerStatuses":[{"name":"web","ready":true,"state":{"running":{}}}]}})")
            << "Running";
        QTest::newRow("a deleted running pod is Terminating")
            << QByteArray(
                   R"({"metadata":{"deletionTimestamp":"2024-05-01T11:59:00Z"},"status":{"phase":"Running",
                 "containerStatuses":[{"name":"web","ready":true,"state":{"running":{}}}]}})")
            << "Terminating";
        QTest::newRow("a deleted finished pod keeps its status")
            << QByteArray(
                   R"({"metadata":{"deletionTimestamp":"2024-05-01T11:59:00Z"},"status":{"phase":"Succeeded",
                 "containerStatuses":[{"name":"job","state":{"terminated":{"reason":"Completed","exitCode":0}}}]}})")
            << "Completed";
        QTest::newRow("a deleted pod on a lost node is Unknown")
            << QByteArray(R"({"metadata":{"deletionTimestamp":"2024-05-01T11:59:00Z"},
                 "status":{"phase":"Running","reason":"NodeLost"}})")
            << "Unknown";
        QTest::newRow("an evicted pod shows the status reason")
            << QByteArray(
                   R"({"status":{"phase":"Failed","reason":"Evicted","message":"The node was low on resource: memory."}})")
            << "Evicted";
        QTest::newRow("a scheduling-gated pod is SchedulingGated")
            << QByteArray(R"({"status":{"phase":"Pending","conditions":[
                 {"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}})")
            << "SchedulingGated";
        QTest::newRow("a completed container beside a running one without Ready is NotReady")
            << QByteArray(R"({"status":{"phase":"Running","conditions":[{"type":"Ready","status":"False"}],
                 "containerStatuses":[
                   {"name":"once","state":{"terminated":{"reason":"Completed","exitCode":0}}},
                   {"name":"web","ready":true,"state":{"running":{}}}]}})")
            << "NotReady";
        QTest::newRow("a completed container beside a running one with Ready is Running")
            << QByteArray(R"({"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],
                 "containerStatuses":[
                   {"name":"once","state":{"terminated":{"reason":"Completed","exitCode":0}}},
                   {"name":"web","ready":true,"state":{"running":{}}}]}})")
            << "Running";
    }

    void pod_status_follows_the_printer()
    {
        QFETCH(QByteArray, pod);
        QFETCH(QString, status);

        QCOMPARE(podStatus(object(pod)), status);
    }

    void human_duration_matches_apimachinery_data()
    {
        QTest::addColumn<qint64>("msecs");
        QTest::addColumn<QString>("text");

        QTest::newRow("more than a second in the future is invalid") << -2 * kSecond << "<invalid>";
        QTest::newRow("a little clock skew reads as now") << -1500LL << "0s";
        QTest::newRow("zero is 0s") << 0LL << "0s";
        QTest::newRow("seconds under two minutes") << 45 * kSecond << "45s";
        QTest::newRow("119 seconds stay seconds") << 119 * kSecond << "119s";
        QTest::newRow("two minutes") << 2 * kMinute << "2m";
        QTest::newRow("minutes and seconds under ten minutes") << 3 * kMinute + 20 * kSecond << "3m20s";
        QTest::newRow("minutes under three hours") << 179 * kMinute + 59 * kSecond << "179m";
        QTest::newRow("three hours") << 3 * kHour << "3h";
        QTest::newRow("hours and minutes under eight hours") << 5 * kHour + 30 * kMinute << "5h30m";
        QTest::newRow("hours under two days") << 47 * kHour + 59 * kMinute << "47h";
        QTest::newRow("days and hours under eight days") << 4 * kDay + 2 * kHour << "4d2h";
        QTest::newRow("whole days") << 4 * kDay << "4d";
        QTest::newRow("days under two years") << 729 * kDay << "729d";
        QTest::newRow("two years") << 730 * kDay << "2y";
        QTest::newRow("years and days under eight years") << 830 * kDay << "2y100d";
        QTest::newRow("years beyond eight") << 9 * 365 * kDay + 100 * kDay << "9y";
    }

    void human_duration_matches_apimachinery()
    {
        QFETCH(qint64, msecs);
        QFETCH(QString, text);

        QCOMPARE(humanDuration(msecs), text);
    }

    void columns_match_the_real_printers_data()
    {
        QTest::addColumn<QString>("group");
        QTest::addColumn<QString>("plural");
        QTest::addColumn<QString>("columns");
        QTest::addColumn<QString>("wideColumns");

        QTest::newRow("pods") << ""
                              << "pods"
                              << "Name,Ready,Status,Restarts,Age"
                              << "IP,Node,Nominated Node,Readiness Gates";
        QTest::newRow("deployments") << "apps"
                                     << "deployments"
                                     << "Name,Ready,Up-to-date,Available,Age"
                                     << "Containers,Images,Selector";
        QTest::newRow("replicasets") << "apps"
                                     << "replicasets"
                                     << "Name,Desired,Current,Ready,Age"
                                     << "Containers,Images,Selector";
        QTest::newRow("services") << ""
                                  << "services"
                                  << "Name,Type,Cluster-IP,External-IP,Port(s),Age"
                                  << "Selector";
        QTest::newRow("nodes") << ""
                               << "nodes"
                               << "Name,Status,Roles,Age,Version"
                               << "Internal-IP,External-IP,OS-Image,Kernel-Version,Container-Runtime";
        QTest::newRow("namespaces") << ""
                                    << "namespaces"
                                    << "Name,Status,Age"
                                    << "";
        QTest::newRow("configmaps") << ""
                                    << "configmaps"
                                    << "Name,Data,Age"
                                    << "";
        QTest::newRow("secrets") << ""
                                 << "secrets"
                                 << "Name,Type,Data,Age"
                                 << "";
        QTest::newRow("core events") << ""
                                     << "events"
                                     << "Last Seen,Type,Reason,Object,Message"
                                     << "Subobject,Source,First Seen,Count,Name";
        QTest::newRow("events.k8s.io events print like core events")
            << "events.k8s.io"
            << "events"
            << "Last Seen,Type,Reason,Object,Message"
            << "Subobject,Source,First Seen,Count,Name";
    }

    void columns_match_the_real_printers()
    {
        QFETCH(QString, group);
        QFETCH(QString, plural);
        QFETCH(QString, columns);
        QFETCH(QString, wideColumns);

        const ResourceType *type = findResource(group, QStringLiteral("v1"), plural);
        QVERIFY(type);
        const QJsonArray defs = tableColumns(type);
        QCOMPARE(columnNames(defs, 0), columns);
        QCOMPARE(columnNames(defs, 1), wideColumns);
        for (const QJsonValue &c : defs) {
            const QJsonObject def = c.toObject();
            QCOMPARE(def.keys(), (QStringList{QStringLiteral("description"), QStringLiteral("format"),
                                              QStringLiteral("name"), QStringLiteral("priority"),
                                              QStringLiteral("type")}));
            const bool isName = def.value(QLatin1String("name")).toString() == QLatin1String("Name");
            QCOMPARE(def.value(QLatin1String("format")).toString(),
                     isName ? QStringLiteral("name") : QString());
            QVERIFY(!def.value(QLatin1String("description")).toString().isEmpty());
        }
    }

    void every_served_resource_has_one_cell_per_column()
    {
        const QJsonObject minimal =
            object(R"({"metadata":{"name":"x","creationTimestamp":"2024-05-01T11:00:00Z"}})");
        for (const ResourceType *type : servedResources()) {
            const QJsonArray cells = tableCells(type, minimal, kNow);
            QVERIFY2(cells.size() == tableColumns(type).size(), qPrintable(type->groupResource()));
        }
    }

    void resources_without_a_printer_get_name_and_created_at()
    {
        ResourceType widget;
        widget.group = QStringLiteral("example.com");
        widget.version = QStringLiteral("v1");
        widget.plural = QStringLiteral("widgets");
        const QJsonArray columns = tableColumns(&widget);
        QCOMPARE(columnNames(columns, 0), QStringLiteral("Name,Created At"));
        QCOMPARE(columns.at(1).toObject().value(QLatin1String("type")).toString(), QStringLiteral("date"));
        const QJsonObject obj =
            object(R"({"metadata":{"name":"w","creationTimestamp":"2024-05-01T11:00:00.250+02:00"}})");
        QCOMPARE(text(tableCells(&widget, obj, kNow)), QByteArray(R"(["w","2024-05-01T09:00:00Z"])"));
    }

    void cells_match_the_real_printers_data()
    {
        QTest::addColumn<QString>("group");
        QTest::addColumn<QString>("plural");
        QTest::addColumn<QByteArray>("object");
        QTest::addColumn<QByteArray>("cells");

        QTest::newRow("a pod row carries readiness, restarts with their age, and the wide cells")
            << ""
            << "pods"
            << QByteArray(R"({"metadata":{"name":"web-0","creationTimestamp":"2024-05-01T09:00:00Z"},
                 "spec":{"nodeName":"node-a","containers":[{"name":"web"},{"name":"log"}],
                         "readinessGates":[{"conditionType":"example.com/lb"},{"conditionType":"example.com/dns"}]},
                 "status":{"phase":"Running","podIP":"10.1.0.7",
                   "conditions":[{"type":"example.com/lb","status":"True"},{"type":"Ready","status":"False"}],
                   "containerStatuses":[
                     {"name":"web","ready":true,"restartCount":2,"state":{"running":{}},
                      "lastState":{"terminated":{"exitCode":1,"finishedAt":"2024-05-01T11:55:00Z"}}},
                     {"name":"log","ready":false,"restartCount":1,"state":{"waiting":{"reason":"CrashLoopBackOff"}},
                      "lastState":{"terminated":{"exitCode":1,"finishedAt":"2024-05-01T11:50:00Z"}}}]}})")
            << QByteArray("[\"web-0\",\"1/2\",\"CrashLoopBackOff\",\"3 (5m "
                          "ago)\",\"3h\",\"10.1.0.7\",\"node-a\",\"<none>\",\"1/2\"]");
        QTest::newRow("a fresh pod has no restart age and placeholders")
            << ""
            << "pods" << QByteArray(R"({"metadata":{"name":"p","creationTimestamp":"2024-05-01T11:59:15Z"},
                 "spec":{"containers":[{"name":"web"}]},"status":{"phase":"Pending"}})")
            << QByteArray(R"(["p","0/1","Pending","0","45s","<none>","<none>","<none>","<none>"])");
        QTest::newRow("a deployment row mixes strings and integers")
            << "apps"
            << "deployments"
            << QByteArray(R"({"metadata":{"name":"web","creationTimestamp":"2024-04-27T10:00:00Z"},
                 "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
                   "template":{"spec":{"containers":[{"name":"web","image":"nginx:1"},{"name":"mesh","image":"envoy:2"}]}}},
                 "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}})")
            << QByteArray(R"(["web","2/3",3,2,"4d2h","web,mesh","nginx:1,envoy:2","app=web"])");
        QTest::newRow("a replica set row counts replicas as integers")
            << "apps"
            << "replicasets"
            << QByteArray(R"({"metadata":{"name":"web-7d4b","creationTimestamp":"2024-05-01T11:00:00Z"},
                 "spec":{"replicas":3,"selector":{"matchExpressions":[{"key":"tier","operator":"In","values":["fe","be"]}]},
                   "template":{"spec":{"containers":[{"name":"web","image":"nginx:1"}]}}},
                 "status":{"replicas":3,"readyReplicas":1}})")
            << QByteArray("[\"web-7d4b\",3,3,1,\"60m\",\"web\",\"nginx:1\",\"tier in (be,fe)\"]");
        QTest::newRow("a replica set without selector prints none")
            << "apps"
            << "replicasets" << QByteArray(R"({"metadata":{"name":"rs"},"spec":{"selector":{}}})")
            << QByteArray(R"(["rs",1,0,0,"<unknown>","","","<none>"])");
        QTest::newRow("a cluster IP service")
            << ""
            << "services"
            << QByteArray(R"({"metadata":{"name":"web","creationTimestamp":"2024-05-01T11:58:00Z"},
                 "spec":{"type":"ClusterIP","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],
                   "ports":[{"port":80,"protocol":"TCP"},{"port":53,"protocol":"UDP"}],"selector":{"tier":"fe","app":"web"}}})")
            << QByteArray(
                   R"(["web","ClusterIP","10.96.0.10","<none>","80/TCP,53/UDP","2m","app=web,tier=fe"])");
        QTest::newRow("a load balancer waiting for an address is pending")
            << ""
            << "services"
            << QByteArray(R"({"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIP":"10.96.0.11",
                   "ports":[{"port":443,"nodePort":30443}]}})")
            << QByteArray(
                   R"(["lb","LoadBalancer","10.96.0.11","<pending>","443:30443/TCP","<unknown>","<none>"])");
        QTest::newRow("a load balancer lists ingress then external IPs")
            << ""
            << "services"
            << QByteArray(R"({"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIP":"10.96.0.11",
                   "externalIPs":["192.0.2.9"],"ports":[{"port":80,"protocol":"TCP"}]},
                 "status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.7"},{"hostname":"lb.example.com"}]}}})")
            << QByteArray(
                   R"(["lb","LoadBalancer","10.96.0.11","203.0.113.7,lb.example.com,192.0.2.9","80/TCP","<unknown>","<none>"])");
        QTest::newRow("an external name service shows its name")
            << ""
            << "services"
            << QByteArray(
                   R"({"metadata":{"name":"ext"},"spec":{"type":"ExternalName","externalName":"db.example.com"}})")
            << QByteArray(
                   R"(["ext","ExternalName","<none>","db.example.com","<none>","<unknown>","<none>"])");
        QTest::newRow("a cordoned control plane node")
            << ""
            << "nodes"
            << QByteArray(R"({"metadata":{"name":"cp-1","creationTimestamp":"2024-04-01T12:00:00Z",
                   "labels":{"node-role.kubernetes.io/control-plane":"","kubernetes.io/role":"master"}},
                 "spec":{"unschedulable":true},
                 "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
                   "addresses":[{"type":"Hostname","address":"cp-1"},{"type":"InternalIP","address":"192.168.1.10"}],
                   "nodeInfo":{"kubeletVersion":"v1.33.1","osImage":"Ubuntu 24.04 LTS",
                               "kernelVersion":"6.8.0-31-generic","containerRuntimeVersion":"containerd:\/\/1.7.13"}}})")
            // "\/" keeps "//" out of the raw string: moc would read it as a comment.
            << QByteArray(
                   R"(["cp-1","Ready,SchedulingDisabled","control-plane,master","30d","v1.33.1","192.168.1.10",)"
                   R"("<none>","Ubuntu 24.04 LTS","6.8.0-31-generic","containerd:\/\/1.7.13"])");
        QTest::newRow("a node that never reported is Unknown")
            << ""
            << "nodes" << QByteArray(R"({"metadata":{"name":"n"}})")
            << QByteArray(
                   R"(["n","Unknown","<none>","<unknown>","","<none>","<none>","<unknown>","<unknown>","<unknown>"])");
        QTest::newRow("a namespace being deleted")
            << ""
            << "namespaces"
            << QByteArray(
                   R"({"metadata":{"name":"old","creationTimestamp":"2022-05-01T12:00:00Z"},"status":{"phase":"Terminating"}})")
            << QByteArray(R"(["old","Terminating","2y1d"])");
        QTest::newRow("a config map counts data and binary data")
            << ""
            << "configmaps"
            << QByteArray(R"({"metadata":{"name":"cfg","creationTimestamp":"2024-05-01T11:59:58Z"},
                 "data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}})")
            << QByteArray(R"(["cfg",3,"2s"])");
        QTest::newRow("a secret shows its type and key count")
            << ""
            << "secrets"
            << QByteArray(
                   R"({"metadata":{"name":"tls"},"type":"kubernetes.io/tls","data":{"tls.crt":"","tls.key":""}})")
            << QByteArray(R"(["tls","kubernetes.io/tls",2,"<unknown>"])");
        QTest::newRow("a kubelet event")
            << ""
            << "events"
            << QByteArray(R"({"metadata":{"name":"web-0.17a"},"involvedObject":{"kind":"Pod","name":"web-0",
                   "fieldPath":"spec.containers{web}"},"reason":"BackOff","message":" Back-off restarting failed container \n",
                 "source":{"component":"kubelet","host":"node-a"},"firstTimestamp":"2024-05-01T11:00:00Z",
                 "lastTimestamp":"2024-05-01T11:55:00Z","count":7,"type":"Warning"})")
            << QByteArray(R"(["5m","Warning","BackOff","pod/web-0","spec.containers{web}","kubelet, node-a",)"
                          R"("Back-off restarting failed container","60m",7,"web-0.17a"])");
        QTest::newRow("a series event uses the series for last seen and count")
            << ""
            << "events"
            << QByteArray(R"({"metadata":{"name":"web-2.17b"},"involvedObject":{"kind":"Pod","name":"web-2"},
                 "reason":"Scheduled","message":"assigned","firstTimestamp":null,"lastTimestamp":null,
                 "eventTime":"2024-05-01T11:50:00.123456Z","series":{"count":3,"lastObservedTime":"2024-05-01T11:59:00.000000Z"},
                 "type":"Normal","reportingComponent":"default-scheduler","reportingInstance":"sched-1"})")
            << QByteArray(
                   R"(["60s","Normal","Scheduled","pod/web-2","","default-scheduler, sched-1","assigned","9m59s",3,"web-2.17b"])");
        QTest::newRow("an events.k8s.io event prints like its core form")
            << "events.k8s.io"
            << "events"
            << QByteArray(R"({"metadata":{"name":"web-0.17a"},"regarding":{"kind":"Pod","name":"web-0",
                   "fieldPath":"spec.containers{web}"},"reason":"BackOff","note":"Back-off restarting failed container",
                 "deprecatedSource":{"component":"kubelet","host":"node-a"},
                 "deprecatedFirstTimestamp":"2024-05-01T11:00:00Z","deprecatedLastTimestamp":"2024-05-01T11:55:00Z",
                 "deprecatedCount":7,"type":"Warning","eventTime":null})")
            << QByteArray(R"(["5m","Warning","BackOff","pod/web-0","spec.containers{web}","kubelet, node-a",)"
                          R"("Back-off restarting failed container","60m",7,"web-0.17a"])");
        QTest::newRow("a singleton event without a count counts once")
            << "events.k8s.io"
            << "events"
            << QByteArray(
                   R"({"metadata":{"name":"n.1"},"regarding":{"kind":"Node"},"reason":"Starting","note":"",
                 "eventTime":"2024-05-01T11:59:30.000000Z","reportingController":"kubelet","type":"Normal"})")
            << QByteArray(R"(["30s","Normal","Starting","node","","kubelet","","30s",1,"n.1"])");
    }

    void cells_match_the_real_printers()
    {
        QFETCH(QString, group);
        QFETCH(QString, plural);
        QFETCH(QByteArray, object);
        QFETCH(QByteArray, cells);

        const ResourceType *type = findResource(group, QStringLiteral("v1"), plural);
        QVERIFY(type);
        const QJsonArray actual = tableCells(type, ::object(object), kNow);
        QCOMPARE(text(actual), text(QJsonDocument::fromJson(cells).array()));
        QCOMPARE(actual.size(), tableColumns(type).size());
    }

    void finished_pods_carry_a_completed_row_condition()
    {
        const ResourceType *pods = served("", "pods");
        const QJsonArray succeeded = tableRowConditions(pods, object(R"({"status":{"phase":"Succeeded"}})"));
        QCOMPARE(text(succeeded), QByteArray(R"([{"message":"The pod has completed successfully.",)"
                                             R"("reason":"Succeeded","status":"True","type":"Completed"}])"));
        const QJsonArray failed = tableRowConditions(pods, object(R"({"status":{"phase":"Failed"}})"));
        QCOMPARE(failed.at(0).toObject().value(QLatin1String("reason")).toString(), QStringLiteral("Failed"));
        QVERIFY(tableRowConditions(pods, object(R"({"status":{"phase":"Running"}})")).isEmpty());
        QVERIFY(tableRowConditions(served("apps", "deployments"), object(R"({"status":{"phase":"Failed"}})"))
                    .isEmpty());
    }
};

CW_TEST(TestTable)
#include "tst_table.moc"
