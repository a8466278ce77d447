// SPDX-License-Identifier: Apache-2.0
#include "humanduration.h"
#include "podstatus.h"
#include "printers.h"
#include "testmain.h"

#include <QJsonDocument>
#include <QTest>

using namespace cw::model;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 Second = 1000;
constexpr qint64 Minute = 60 * Second;
constexpr qint64 Hour = 60 * Minute;
constexpr qint64 Day = 24 * Hour;

// Every literal object below was created an hour before this moment.
qint64 now() { return parseKubeTime(u"2024-05-01T12:00:00Z"); }

cw::watch::ApiResource api(const QString &group, const QString &kind, bool namespaced = true)
{
    cw::watch::ApiResource a;
    a.group = group;
    a.kind = kind;
    a.namespaced = namespaced;
    return a;
}

// A pod with the given spec and status bodies (the JSON inside the braces).
QByteArray pod(const QByteArray &spec, const QByteArray &status, const QByteArray &metadataExtra = {})
{
    return R"({"metadata":{"name":"web-1","namespace":"shop","creationTimestamp":"2024-05-01T11:00:00Z")"
        + metadataExtra + R"(},"spec":{)" + spec + R"(},"status":{)" + status + "}}";
}

const QByteArray oneContainer = R"("containers":[{"name":"app"}],"nodeName":"node-1")";
const QByteArray twoInits = R"("initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"app"}])";
const QByteArray twoContainers = R"("containers":[{"name":"a"},{"name":"b"}])";
const QByteArray readyCondition = R"("conditions":[{"type":"Ready","status":"True"}])";

} // namespace

class TestPrinters : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void human_duration_matches_kubectl_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QString>("expected");
        QTest::addRow("now") << qint64(0) << u"0s"_s;
        QTest::addRow("1.5s in the future is skew") << -1500LL << u"0s"_s;
        QTest::addRow("2s in the future is invalid") << -2 * Second << u"<invalid>"_s;
        QTest::addRow("45s") << 45 * Second << u"45s"_s;
        QTest::addRow("seconds up to two minutes") << 119 * Second + 999 << u"119s"_s;
        QTest::addRow("two minutes") << 2 * Minute << u"2m"_s;
        QTest::addRow("minutes and seconds under ten minutes") << 3 * Minute + 2 * Second << u"3m2s"_s;
        QTest::addRow("ten minutes") << 10 * Minute + 30 * Second << u"10m"_s;
        QTest::addRow("minutes up to three hours") << 179 * Minute << u"179m"_s;
        QTest::addRow("three hours") << 3 * Hour << u"3h"_s;
        QTest::addRow("hours and minutes under eight hours") << 5 * Hour + 30 * Minute << u"5h30m"_s;
        QTest::addRow("eight hours") << 8 * Hour + 59 * Minute << u"8h"_s;
        QTest::addRow("hours up to two days") << 47 * Hour << u"47h"_s;
        QTest::addRow("two days") << 2 * Day << u"2d"_s;
        QTest::addRow("days and hours under eight days") << 2 * Day + 3 * Hour << u"2d3h"_s;
        QTest::addRow("eight days") << 8 * Day + 5 * Hour << u"8d"_s;
        QTest::addRow("days up to two years") << 729 * Day << u"729d"_s;
        QTest::addRow("two years") << 730 * Day << u"2y"_s;
        QTest::addRow("years and days under eight years") << 764 * Day << u"2y34d"_s;
        QTest::addRow("years from eight") << 9 * 365 * Day + 100 * Day << u"9y"_s;
    }
    void human_duration_matches_kubectl()
    {
        QFETCH(qint64, ms);
        QFETCH(QString, expected);
        QCOMPARE(humanDuration(ms), expected);
    }

    void kube_times_parse_to_epoch_ms_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expected");
        QTest::addRow("Time") << u"2024-05-01T12:00:00Z"_s << qint64(1714564800000);
        QTest::addRow("MicroTime") << u"2024-05-01T12:00:00.123456Z"_s << qint64(1714564800123);
        QTest::addRow("offset") << u"2024-05-01T14:00:00+02:00"_s << qint64(1714564800000);
        QTest::addRow("leap day") << u"2024-02-29T00:00:00Z"_s << qint64(1709164800000);
        QTest::addRow("empty") << QString() << qint64(0);
        QTest::addRow("date only") << u"2024-05-01"_s << qint64(0);
        QTest::addRow("no zone") << u"2024-05-01T12:00:00"_s << qint64(0);
        QTest::addRow("trailing junk") << u"2024-05-01T12:00:00Zx"_s << qint64(0);
        QTest::addRow("month 13") << u"2024-13-01T12:00:00Z"_s << qint64(0);
    }
    void kube_times_parse_to_epoch_ms()
    {
        QFETCH(QString, text);
        QFETCH(qint64, expected);
        QCOMPARE(parseKubeTime(text), expected);
    }

    void pod_ready_status_and_restarts_follow_kubectl_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("ready");
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("restarts");

        QTest::addRow("running and ready")
            << pod(oneContainer, R"("phase":"Running",)" + readyCondition
                                     + R"(,"containerStatuses":[{"name":"app","ready":true,"restartCount":0,"state":{"running":{}}}])")
            << u"1/1"_s << u"Running"_s << u"0"_s;
        QTest::addRow("pending, nothing reported") << pod(oneContainer, R"("phase":"Pending")") << u"0/1"_s
                                                   << u"Pending"_s << u"0"_s;
        QTest::addRow("status reason wins over phase")
            << pod(oneContainer, R"("phase":"Failed","reason":"Evicted")") << u"0/1"_s << u"Evicted"_s << u"0"_s;
        QTest::addRow("scheduling gated")
            << pod(oneContainer,
                   R"("phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}])")
            << u"0/1"_s << u"SchedulingGated"_s << u"0"_s;
        QTest::addRow("first init container initializing")
            << pod(twoInits, R"("phase":"Pending","initContainerStatuses":[
                   {"name":"i1","state":{"waiting":{"reason":"PodInitializing"}}},
                   {"name":"i2","state":{"waiting":{"reason":"PodInitializing"}}}])")
            << u"0/1"_s << u"Init:0/2"_s << u"0"_s;
        QTest::addRow("second init container running")
            << pod(twoInits, R"("phase":"Pending","initContainerStatuses":[
                   {"name":"i1","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
                   {"name":"i2","state":{"running":{}}}])")
            << u"0/1"_s << u"Init:1/2"_s << u"0"_s;
        QTest::addRow("init container crash looping")
            << pod(twoInits, R"("phase":"Pending","initContainerStatuses":[
                   {"name":"i1","restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff"}},
                    "lastState":{"terminated":{"exitCode":1,"finishedAt":"2024-05-01T11:58:00Z"}}}])")
            << u"0/1"_s << u"Init:CrashLoopBackOff"_s << u"4 (2m ago)"_s;
        QTest::addRow("init container failed with a reason")
            << pod(twoInits, R"("phase":"Pending","initContainerStatuses":[
                   {"name":"i1","state":{"terminated":{"exitCode":1,"reason":"Error"}}}])")
            << u"0/1"_s << u"Init:Error"_s << u"0"_s;
        QTest::addRow("init container failed without a reason")
            << pod(twoInits, R"("phase":"Pending","initContainerStatuses":[
                   {"name":"i1","state":{"terminated":{"exitCode":1}}}])")
            << u"0/1"_s << u"Init:ExitCode:1"_s << u"0"_s;
        QTest::addRow("init container killed by a signal")
            << pod(twoInits, R"("phase":"Pending","initContainerStatuses":[
                   {"name":"i1","state":{"terminated":{"exitCode":137,"signal":9}}}])")
            << u"0/1"_s << u"Init:Signal:9"_s << u"0"_s;
        QTest::addRow("container creating")
            << pod(oneContainer, R"("phase":"Pending","containerStatuses":[
                   {"name":"app","ready":false,"state":{"waiting":{"reason":"ContainerCreating"}}}])")
            << u"0/1"_s << u"ContainerCreating"_s << u"0"_s;
        QTest::addRow("crash loop with restarts and when")
            << pod(oneContainer, R"("phase":"Running","containerStatuses":[
                   {"name":"app","ready":false,"restartCount":3,"state":{"waiting":{"reason":"CrashLoopBackOff"}},
                    "lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":"2024-05-01T11:55:00Z"}}}])")
            << u"0/1"_s << u"CrashLoopBackOff"_s << u"3 (5m ago)"_s;
        QTest::addRow("restarts without a last termination time")
            << pod(oneContainer, R"("phase":"Running",)" + readyCondition + R"(,"containerStatuses":[
                   {"name":"app","ready":true,"restartCount":2,"state":{"running":{}}}])")
            << u"1/1"_s << u"Running"_s << u"2"_s;
        QTest::addRow("terminated with a reason")
            << pod(oneContainer, R"("phase":"Failed","containerStatuses":[
                   {"name":"app","state":{"terminated":{"exitCode":137,"reason":"OOMKilled"}}}])")
            << u"0/1"_s << u"OOMKilled"_s << u"0"_s;
        QTest::addRow("terminated by a signal without a reason")
            << pod(oneContainer, R"("phase":"Failed","containerStatuses":[
                   {"name":"app","state":{"terminated":{"exitCode":0,"signal":9}}}])")
            << u"0/1"_s << u"Signal:9"_s << u"0"_s;
        QTest::addRow("terminated with an exit code without a reason")
            << pod(oneContainer, R"("phase":"Failed","containerStatuses":[
                   {"name":"app","state":{"terminated":{"exitCode":2}}}])")
            << u"0/1"_s << u"ExitCode:2"_s << u"0"_s;
        QTest::addRow("completed")
            << pod(oneContainer, R"("phase":"Succeeded","containerStatuses":[
                   {"name":"app","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}])")
            << u"0/1"_s << u"Completed"_s << u"0"_s;
        QTest::addRow("one completed, one still running and the pod ready")
            << pod(twoContainers, R"("phase":"Running",)" + readyCondition + R"(,"containerStatuses":[
                   {"name":"a","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
                   {"name":"b","ready":true,"state":{"running":{}}}])")
            << u"1/2"_s << u"Running"_s << u"0"_s;
        QTest::addRow("one completed, one still running, pod not ready")
            << pod(twoContainers, R"("phase":"Running","containerStatuses":[
                   {"name":"a","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
                   {"name":"b","ready":true,"state":{"running":{}}}])")
            << u"1/2"_s << u"NotReady"_s << u"0"_s;
        QTest::addRow("running but not ready")
            << pod(oneContainer, R"("phase":"Running","containerStatuses":[
                   {"name":"app","ready":false,"state":{"running":{}}}])")
            << u"0/1"_s << u"Running"_s << u"0"_s;
        QTest::addRow("sidecar counts as a container")
            << pod(R"("initContainers":[{"name":"proxy","restartPolicy":"Always"}],"containers":[{"name":"app"}])",
                   R"("phase":"Running","conditions":[{"type":"Ready","status":"True"},{"type":"Initialized","status":"True"}],
                   "initContainerStatuses":[{"name":"proxy","ready":true,"started":true,"restartCount":1,"state":{"running":{}},
                     "lastState":{"terminated":{"exitCode":1,"finishedAt":"2024-05-01T11:30:00Z"}}}],
                   "containerStatuses":[{"name":"app","ready":true,"state":{"running":{}}}])")
            << u"2/2"_s << u"Running"_s << u"1 (30m ago)"_s;
        QTest::addRow("terminating")
            << pod(oneContainer, R"("phase":"Running","containerStatuses":[
                   {"name":"app","ready":true,"state":{"running":{}}}])",
                   R"(,"deletionTimestamp":"2024-05-01T11:59:00Z")")
            << u"1/1"_s << u"Terminating"_s << u"0"_s;
        QTest::addRow("deleted on a lost node")
            << pod(oneContainer, R"("phase":"Running","reason":"NodeLost")",
                   R"(,"deletionTimestamp":"2024-05-01T11:59:00Z")")
            << u"0/1"_s << u"Unknown"_s << u"0"_s;
        QTest::addRow("a finished pod being deleted keeps its status")
            << pod(oneContainer, R"("phase":"Succeeded","containerStatuses":[
                   {"name":"app","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}])",
                   R"(,"deletionTimestamp":"2024-05-01T11:59:00Z")")
            << u"0/1"_s << u"Completed"_s << u"0"_s;
    }
    void pod_ready_status_and_restarts_follow_kubectl()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, ready);
        QFETCH(QString, status);
        QFETCH(QString, restarts);
        QJsonParseError error{};
        QJsonDocument::fromJson(json, &error);
        QCOMPARE(error.errorString(), QJsonParseError().errorString());
        const TablePrinter printer = TablePrinter::forResource(api({}, u"Pod"_s));
        const QStringList cells = printer.printText(json, now());
        const QStringList expected{u"shop"_s, u"web-1"_s, ready, status, restarts, u"60m"_s, cells.value(6)};
        QCOMPARE(cells, expected);
    }

    void pod_columns_are_kubectls_with_namespace_first()
    {
        const TablePrinter printer = TablePrinter::forResource(api({}, u"Pod"_s));
        QStringList titles;
        for (const Column &c : printer.columns())
            titles.append(c.title);
        QCOMPARE(titles, (QStringList{u"NAMESPACE"_s, u"NAME"_s, u"READY"_s, u"STATUS"_s, u"RESTARTS"_s, u"AGE"_s,
                                      u"NODE"_s}));
        QCOMPARE(printer.namespaceColumn(), 0);
        QCOMPARE(printer.columns().at(0).kind, Column::Kind::Namespace);
        QCOMPARE(printer.columns().at(4).sort, Column::Sort::Number);
        QVERIFY(printer.columns().at(4).ticks);
        QCOMPARE(printer.columns().at(5).kind, Column::Kind::Age);
        QCOMPARE(printer.printText(pod(oneContainer, R"("phase":"Running")"), now()).value(6), u"node-1"_s);
        QCOMPARE(printer.printText(pod(R"("containers":[])", R"("phase":"Pending")"), now()).value(6),
                 u"<none>"_s);
    }

    void other_kinds_print_kubectls_columns_data()
    {
        QTest::addColumn<QString>("group");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<bool>("namespaced");
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("header");
        QTest::addColumn<QString>("row");

        const QByteArray meta = R"("metadata":{"name":"x","namespace":"ns","creationTimestamp":"2024-05-01T11:00:00Z"})";
        const QByteArray clusterMeta = R"("metadata":{"name":"x","creationTimestamp":"2024-04-28T12:00:00Z"})";

        QTest::addRow("deployment") << u"apps"_s << u"Deployment"_s << true
            << "{" + meta + R"(,"spec":{"replicas":3},"status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}})"
            << u"NAMESPACE|NAME|READY|UP-TO-DATE|AVAILABLE|AGE"_s << u"ns|x|2/3|3|2|60m"_s;
        QTest::addRow("deployment scaled to zero") << u"apps"_s << u"Deployment"_s << true
            << "{" + meta + R"(,"spec":{"replicas":0},"status":{}})"
            << u"NAMESPACE|NAME|READY|UP-TO-DATE|AVAILABLE|AGE"_s << u"ns|x|0/0|0|0|60m"_s;
        QTest::addRow("replicaset") << u"apps"_s << u"ReplicaSet"_s << true
            << "{" + meta + R"(,"spec":{"replicas":2},"status":{"replicas":2,"readyReplicas":1}})"
            << u"NAMESPACE|NAME|DESIRED|CURRENT|READY|AGE"_s << u"ns|x|2|2|1|60m"_s;
        QTest::addRow("statefulset") << u"apps"_s << u"StatefulSet"_s << true
            << "{" + meta + R"(,"spec":{"replicas":3},"status":{"readyReplicas":3}})"
            << u"NAMESPACE|NAME|READY|AGE"_s << u"ns|x|3/3|60m"_s;
        QTest::addRow("daemonset") << u"apps"_s << u"DaemonSet"_s << true
            << "{" + meta + R"(,"spec":{"template":{"spec":{"nodeSelector":{"zone":"a","kubernetes.io/os":"linux"}}}},
                "status":{"desiredNumberScheduled":5,"currentNumberScheduled":5,"numberReady":4,"updatedNumberScheduled":5,"numberAvailable":4}})"
            << u"NAMESPACE|NAME|DESIRED|CURRENT|READY|UP-TO-DATE|AVAILABLE|NODE SELECTOR|AGE"_s
            << u"ns|x|5|5|4|5|4|kubernetes.io/os=linux,zone=a|60m"_s;
        QTest::addRow("daemonset without node selector") << u"apps"_s << u"DaemonSet"_s << true
            << "{" + meta + R"(,"spec":{},"status":{}})"
            << u"NAMESPACE|NAME|DESIRED|CURRENT|READY|UP-TO-DATE|AVAILABLE|NODE SELECTOR|AGE"_s
            << u"ns|x|0|0|0|0|0|<none>|60m"_s;
        QTest::addRow("job complete") << u"batch"_s << u"Job"_s << true
            << "{" + meta + R"(,"spec":{"completions":3,"parallelism":1},"status":{"succeeded":3,
                "startTime":"2024-05-01T11:00:00Z","completionTime":"2024-05-01T11:03:02Z",
                "conditions":[{"type":"Complete","status":"True"}]}})"
            << u"NAMESPACE|NAME|STATUS|COMPLETIONS|DURATION|AGE"_s << u"ns|x|Complete|3/3|3m2s|60m"_s;
        QTest::addRow("job running, parallel without completions") << u"batch"_s << u"Job"_s << true
            << "{" + meta + R"(,"spec":{"parallelism":4},"status":{"succeeded":1,"active":3,
                "startTime":"2024-05-01T11:50:00Z"}})"
            << u"NAMESPACE|NAME|STATUS|COMPLETIONS|DURATION|AGE"_s << u"ns|x|Running|1/1 of 4|10m|60m"_s;
        QTest::addRow("job failed") << u"batch"_s << u"Job"_s << true
            << "{" + meta + R"(,"spec":{"completions":1},"status":{"failed":1,"startTime":"2024-05-01T11:00:00Z",
                "conditions":[{"type":"FailureTarget","status":"True"},{"type":"Failed","status":"True"}]}})"
            << u"NAMESPACE|NAME|STATUS|COMPLETIONS|DURATION|AGE"_s << u"ns|x|Failed|0/1|60m|60m"_s;
        QTest::addRow("job suspended, not started") << u"batch"_s << u"Job"_s << true
            << "{" + meta + R"(,"spec":{"completions":1,"suspend":true},"status":{
                "conditions":[{"type":"Suspended","status":"True"}]}})"
            << u"NAMESPACE|NAME|STATUS|COMPLETIONS|DURATION|AGE"_s << u"ns|x|Suspended|0/1||60m"_s;
        QTest::addRow("cronjob") << u"batch"_s << u"CronJob"_s << true
            << "{" + meta + R"(,"spec":{"schedule":"*/5 * * * *","suspend":false},
                "status":{"active":[{"name":"x-1"}],"lastScheduleTime":"2024-05-01T11:55:00Z"}})"
            << u"NAMESPACE|NAME|SCHEDULE|SUSPEND|ACTIVE|LAST SCHEDULE|AGE"_s << u"ns|x|*/5 * * * *|False|1|5m|60m"_s;
        QTest::addRow("cronjob never scheduled") << u"batch"_s << u"CronJob"_s << true
            << "{" + meta + R"(,"spec":{"schedule":"@daily"},"status":{}})"
            << u"NAMESPACE|NAME|SCHEDULE|SUSPEND|ACTIVE|LAST SCHEDULE|AGE"_s << u"ns|x|@daily|<unset>|0|<none>|60m"_s;
        QTest::addRow("node ready with roles") << QString() << u"Node"_s << false
            << QByteArray(R"({"metadata":{"name":"cp-1","creationTimestamp":"2024-04-28T12:00:00Z","labels":{
                "node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/":"","kubernetes.io/role":"master"}},
                "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
                "nodeInfo":{"kubeletVersion":"v1.30.2"}}})")
            << u"NAME|STATUS|ROLES|AGE|VERSION"_s << u"cp-1|Ready|control-plane,master|3d|v1.30.2"_s;
        QTest::addRow("node not ready and cordoned") << QString() << u"Node"_s << false
            << "{" + clusterMeta + R"(,"spec":{"unschedulable":true},"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})"
            << u"NAME|STATUS|ROLES|AGE|VERSION"_s << u"x|NotReady,SchedulingDisabled|<none>|3d|"_s;
        QTest::addRow("node without conditions") << QString() << u"Node"_s << false
            << "{" + clusterMeta + R"(,"status":{}})"
            << u"NAME|STATUS|ROLES|AGE|VERSION"_s << u"x|Unknown|<none>|3d|"_s;
        QTest::addRow("service ClusterIP") << QString() << u"Service"_s << true
            << "{" + meta + R"(,"spec":{"type":"ClusterIP","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],
                "ports":[{"port":53,"protocol":"UDP"},{"port":53,"protocol":"TCP"},{"port":9153,"protocol":"TCP"}]}})"
            << u"NAMESPACE|NAME|TYPE|CLUSTER-IP|EXTERNAL-IP|PORT(S)|AGE"_s
            << u"ns|x|ClusterIP|10.96.0.10|<none>|53/UDP,53/TCP,9153/TCP|60m"_s;
        QTest::addRow("service headless without ports") << QString() << u"Service"_s << true
            << "{" + meta + R"(,"spec":{"type":"ClusterIP","clusterIP":"None","clusterIPs":["None"]}})"
            << u"NAMESPACE|NAME|TYPE|CLUSTER-IP|EXTERNAL-IP|PORT(S)|AGE"_s << u"ns|x|ClusterIP|None|<none>|<none>|60m"_s;
        QTest::addRow("service NodePort") << QString() << u"Service"_s << true
            << "{" + meta + R"(,"spec":{"type":"NodePort","clusterIPs":["10.0.0.5"],"externalIPs":["1.2.3.4"],
                "ports":[{"port":80,"nodePort":30080,"protocol":"TCP"}]}})"
            << u"NAMESPACE|NAME|TYPE|CLUSTER-IP|EXTERNAL-IP|PORT(S)|AGE"_s
            << u"ns|x|NodePort|10.0.0.5|1.2.3.4|80:30080/TCP|60m"_s;
        QTest::addRow("service LoadBalancer pending") << QString() << u"Service"_s << true
            << "{" + meta + R"(,"spec":{"type":"LoadBalancer","clusterIPs":["10.0.0.6"],"ports":[{"port":443,"nodePort":31443,"protocol":"TCP"}]},"status":{"loadBalancer":{}}})"
            << u"NAMESPACE|NAME|TYPE|CLUSTER-IP|EXTERNAL-IP|PORT(S)|AGE"_s
            << u"ns|x|LoadBalancer|10.0.0.6|<pending>|443:31443/TCP|60m"_s;
        QTest::addRow("service LoadBalancer long hostname is clipped") << QString() << u"Service"_s << true
            << "{" + meta + R"(,"spec":{"type":"LoadBalancer","clusterIPs":["10.0.0.6"],"ports":[{"port":80,"protocol":"TCP"}]},
                "status":{"loadBalancer":{"ingress":[{"hostname":"a1b2c3.elb.amazonaws.com"}]}}})"
            << u"NAMESPACE|NAME|TYPE|CLUSTER-IP|EXTERNAL-IP|PORT(S)|AGE"_s
            << u"ns|x|LoadBalancer|10.0.0.6|a1b2c3.elb.am...|80/TCP|60m"_s;
        QTest::addRow("service ExternalName") << QString() << u"Service"_s << true
            << "{" + meta + R"(,"spec":{"type":"ExternalName","externalName":"db.example.com"}})"
            << u"NAMESPACE|NAME|TYPE|CLUSTER-IP|EXTERNAL-IP|PORT(S)|AGE"_s
            << u"ns|x|ExternalName|<none>|db.example.com|<none>|60m"_s;
        QTest::addRow("configmap counts data and binaryData") << QString() << u"ConfigMap"_s << true
            << "{" + meta + R"(,"data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}})"
            << u"NAMESPACE|NAME|DATA|AGE"_s << u"ns|x|3|60m"_s;
        QTest::addRow("secret shows type and count, never values") << QString() << u"Secret"_s << true
            << "{" + meta + R"(,"type":"kubernetes.io/tls","data":{"tls.crt":"c2VjcmV0","tls.key":"c2VjcmV0"}})"
            << u"NAMESPACE|NAME|TYPE|DATA|AGE"_s << u"ns|x|kubernetes.io/tls|2|60m"_s;
        QTest::addRow("namespace") << QString() << u"Namespace"_s << false
            << "{" + clusterMeta + R"(,"status":{"phase":"Active"}})" << u"NAME|STATUS|AGE"_s << u"x|Active|3d"_s;
        QTest::addRow("pvc bound") << QString() << u"PersistentVolumeClaim"_s << true
            << "{" + meta + R"(,"spec":{"volumeName":"pv-1","storageClassName":"fast","resources":{"requests":{"storage":"5Gi"}}},
                "status":{"phase":"Bound","accessModes":["ReadWriteMany","ReadWriteOnce"],"capacity":{"storage":"10Gi"}}})"
            << u"NAMESPACE|NAME|STATUS|VOLUME|CAPACITY|ACCESS MODES|STORAGECLASS|AGE"_s
            << u"ns|x|Bound|pv-1|10Gi|RWO,RWX|fast|60m"_s;
        QTest::addRow("pvc pending with the beta class annotation") << QString() << u"PersistentVolumeClaim"_s << true
            << QByteArray(R"({"metadata":{"name":"x","namespace":"ns","creationTimestamp":"2024-05-01T11:00:00Z",
                "annotations":{"volume.beta.kubernetes.io/storage-class":"old"}},"spec":{"storageClassName":"new"},
                "status":{"phase":"Pending"}})")
            << u"NAMESPACE|NAME|STATUS|VOLUME|CAPACITY|ACCESS MODES|STORAGECLASS|AGE"_s << u"ns|x|Pending||||old|60m"_s;
        QTest::addRow("pvc terminating") << QString() << u"PersistentVolumeClaim"_s << true
            << QByteArray(R"({"metadata":{"name":"x","namespace":"ns","creationTimestamp":"2024-05-01T11:00:00Z",
                "deletionTimestamp":"2024-05-01T11:59:00Z"},"spec":{},"status":{"phase":"Bound"}})")
            << u"NAMESPACE|NAME|STATUS|VOLUME|CAPACITY|ACCESS MODES|STORAGECLASS|AGE"_s << u"ns|x|Terminating|||||60m"_s;
        QTest::addRow("ingress with TLS and many hosts") << u"networking.k8s.io"_s << u"Ingress"_s << true
            << "{" + meta + R"(,"spec":{"ingressClassName":"nginx","tls":[{"hosts":["a.example"]}],
                "rules":[{"host":"a.example"},{"host":"b.example"},{"host":"c.example"},{"host":"d.example"},{"host":"e.example"}]},
                "status":{"loadBalancer":{"ingress":[{"ip":"10.0.0.9"},{"ip":"10.0.0.8"}]}}})"
            << u"NAMESPACE|NAME|CLASS|HOSTS|ADDRESS|PORTS|AGE"_s
            << u"ns|x|nginx|a.example,b.example,c.example + 2 more...|10.0.0.8,10.0...|80, 443|60m"_s; // clipped to 16
        QTest::addRow("ingress without class or hosts") << u"networking.k8s.io"_s << u"Ingress"_s << true
            << "{" + meta + R"(,"spec":{"rules":[{"http":{}}]}})"
            << u"NAMESPACE|NAME|CLASS|HOSTS|ADDRESS|PORTS|AGE"_s << u"ns|x|<none>|*||80|60m"_s;
        QTest::addRow("core event") << QString() << u"Event"_s << true
            << QByteArray(R"({"metadata":{"name":"web-1.17c","namespace":"shop"},"type":"Warning","reason":"BackOff",
                "involvedObject":{"kind":"Pod","name":"web-1"},"message":" Back-off restarting failed container \n",
                "firstTimestamp":"2024-05-01T11:00:00Z","lastTimestamp":"2024-05-01T11:58:00Z","count":7})")
            << u"NAMESPACE|LAST SEEN|TYPE|REASON|OBJECT|MESSAGE"_s
            << u"shop|2m|Warning|BackOff|pod/web-1|Back-off restarting failed container"_s;
        QTest::addRow("core event with only an eventTime") << QString() << u"Event"_s << true
            << QByteArray(R"({"metadata":{"name":"e","namespace":"shop"},"type":"Normal","reason":"Scheduled",
                "involvedObject":{"kind":"Node"},"message":"ok","eventTime":"2024-05-01T11:59:30.000000Z"})")
            << u"NAMESPACE|LAST SEEN|TYPE|REASON|OBJECT|MESSAGE"_s << u"shop|30s|Normal|Scheduled|node|ok"_s;
        QTest::addRow("events.k8s.io event with a series") << u"events.k8s.io"_s << u"Event"_s << true
            << QByteArray(R"({"metadata":{"name":"e","namespace":"shop"},"type":"Warning","reason":"Unhealthy",
                "regarding":{"kind":"Pod","name":"web-2"},"note":"Readiness probe failed",
                "eventTime":"2024-05-01T10:00:00.000000Z","deprecatedLastTimestamp":"2024-05-01T11:00:00Z",
                "series":{"count":12,"lastObservedTime":"2024-05-01T11:57:00.000000Z"}})")
            << u"NAMESPACE|LAST SEEN|TYPE|REASON|OBJECT|MESSAGE"_s
            << u"shop|3m|Warning|Unhealthy|pod/web-2|Readiness probe failed"_s;
        QTest::addRow("anything else, namespaced") << u"example.com"_s << u"Widget"_s << true
            << "{" + meta + "}" << u"NAMESPACE|NAME|AGE"_s << u"ns|x|60m"_s;
        QTest::addRow("anything else, cluster-scoped") << u"example.com"_s << u"Gadget"_s << false
            << "{" + clusterMeta + "}" << u"NAME|AGE"_s << u"x|3d"_s;
        QTest::addRow("no creation time") << u"example.com"_s << u"Gadget"_s << false
            << QByteArray(R"({"metadata":{"name":"x"}})") << u"NAME|AGE"_s << u"x|<unknown>"_s;
    }
    void other_kinds_print_kubectls_columns()
    {
        QFETCH(QString, group);
        QFETCH(QString, kind);
        QFETCH(bool, namespaced);
        QFETCH(QByteArray, json);
        QFETCH(QString, header);
        QFETCH(QString, row);
        QJsonParseError error{};
        QJsonDocument::fromJson(json, &error);
        QCOMPARE(error.errorString(), QJsonParseError().errorString());
        const TablePrinter printer = TablePrinter::forResource(api(group, kind, namespaced));
        QStringList titles;
        for (const Column &c : printer.columns())
            titles.append(c.title);
        QCOMPARE(titles.join(u'|'), header);
        QCOMPARE(printer.printText(json, now()).join(u'|'), row);
    }

    void time_cells_sort_by_seconds_and_fixed_cells_by_number()
    {
        const TablePrinter printer = TablePrinter::forResource(api(u"batch"_s, u"Job"_s));
        const QJsonObject job = QJsonDocument::fromJson(R"({"metadata":{"name":"j","namespace":"n",
            "creationTimestamp":"2024-05-01T11:00:00Z"},"spec":{},"status":{"startTime":"2024-05-01T11:00:00Z",
            "completionTime":"2024-05-01T11:00:42Z"}})").object();
        const QList<Cell> cells = printer.print(job);
        QCOMPARE(cells.size(), printer.columnCount());
        QVERIFY(!cells.at(4).isTime());
        QCOMPARE(cells.at(4).number, 42.0);
        QVERIFY(cells.at(5).isTime());
        QCOMPARE(cells.at(5).sinceMs, now() - Hour);
    }
};

CW_TEST(TestPrinters)
#include "tst_printers.moc"
