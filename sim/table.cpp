// SPDX-License-Identifier: Apache-2.0
#include "table.h"

#include "selector.h"

#include <QDateTime>
#include <QMap>
#include <QStringList>

#include <algorithm>
#include <optional>

namespace cw::sim {

namespace {

// ---------------------------------------------------------------------------------------------------------
// Column definitions. Hand-written descriptions are the printer's own words; descriptions the printer takes
// from the API's field docs are given as the first sentence of that doc (kubectl never shows them).

const QString &nameDoc()
{
    static const QString doc =
        QStringLiteral("Name must be unique within a namespace. Is required when creating resources, "
                       "although some resources may "
                       "allow a client to request the generation of an appropriate name automatically. Name "
                       "is primarily intended "
                       "for creation idempotence and configuration definition. Cannot be updated. More info: "
                       "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names");
    return doc;
}

const QString &ageDoc()
{
    static const QString doc = QStringLiteral(
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is "
        "not "
        "guaranteed to be set in happens-before order across separate operations. Clients may not set this "
        "value. "
        "It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for "
        "lists. "
        "More info: "
        "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata");
    return doc;
}

QJsonObject column(const char *name, const char *type, const QString &description, int priority = 0,
                   const char *format = "")
{
    return QJsonObject{{QStringLiteral("name"), QString::fromLatin1(name)},
                       {QStringLiteral("type"), QString::fromLatin1(type)},
                       {QStringLiteral("format"), QString::fromLatin1(format)},
                       {QStringLiteral("description"), description},
                       {QStringLiteral("priority"), priority}};
}

QJsonObject nameColumn(int priority = 0)
{
    return column("Name", "string", nameDoc(), priority, "name");
}

QJsonObject ageColumn()
{
    return column("Age", "string", ageDoc());
}

QJsonObject doc(const char *name, const char *type, const char *description, int priority = 0)
{
    return column(name, type, QString::fromLatin1(description), priority);
}

enum class Printer
{
    Pod,
    Deployment,
    ReplicaSet,
    Service,
    Node,
    Namespace,
    ConfigMap,
    Secret,
    Event,
    Default
};

Printer printerFor(const ResourceType *type)
{
    if (!type)
        return Printer::Default;
    const QString &g = type->group;
    const QString &p = type->plural;
    if (g.isEmpty()) {
        if (p == QLatin1String("pods"))
            return Printer::Pod;
        if (p == QLatin1String("services"))
            return Printer::Service;
        if (p == QLatin1String("nodes"))
            return Printer::Node;
        if (p == QLatin1String("namespaces"))
            return Printer::Namespace;
        if (p == QLatin1String("configmaps"))
            return Printer::ConfigMap;
        if (p == QLatin1String("secrets"))
            return Printer::Secret;
        if (p == QLatin1String("events"))
            return Printer::Event;
    } else if (g == QLatin1String("apps")) {
        if (p == QLatin1String("deployments"))
            return Printer::Deployment;
        if (p == QLatin1String("replicasets"))
            return Printer::ReplicaSet;
    } else if (g == QLatin1String("events.k8s.io") && p == QLatin1String("events")) {
        // Served by the core Event storage, so the real server prints it with the core Event printer.
        return Printer::Event;
    }
    return Printer::Default;
}

const char *const kContainersDoc = "Names of each container in the template.";
const char *const kImagesDoc = "Images referenced by each container in the template.";

// ---------------------------------------------------------------------------------------------------------
// JSON access helpers

QJsonValue at(const QJsonObject &obj, std::initializer_list<const char *> path)
{
    QJsonValue v = obj;
    for (const char *key : path)
        v = v.toObject().value(QLatin1String(key));
    return v;
}

QString str(const QJsonObject &obj, std::initializer_list<const char *> path)
{
    return at(obj, path).toString();
}

qint64 integer(const QJsonObject &obj, std::initializer_list<const char *> path, qint64 fallback = 0)
{
    const QJsonValue v = at(obj, path);
    return v.isDouble() ? v.toInteger() : fallback;
}

QString orDefault(const QString &value, const char *fallback)
{
    return value.isEmpty() ? QString::fromLatin1(fallback) : value;
}

// metav1.Time / MicroTime; nullopt for absent, null, unparsable or the zero time (IsZero()).
std::optional<qint64> timestamp(const QJsonValue &v)
{
    if (!v.isString())
        return std::nullopt;
    const QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    if (!t.isValid() || t.date().year() <= 1)
        return std::nullopt;
    return t.toMSecsSinceEpoch();
}

// translateTimestampSince
QString since(const QJsonValue &v, qint64 now)
{
    const auto t = timestamp(v);
    return t ? humanDuration(now - *t) : QStringLiteral("<unknown>");
}

// labels.FormatLabels: sorted k=v pairs, "<none>" when empty.
QString formatLabels(const QJsonObject &labels)
{
    QStringList pairs;
    for (auto it = labels.begin(); it != labels.end(); ++it) // QJsonObject iterates in key order
        pairs << it.key() + QLatin1Char('=') + it.value().toString();
    return pairs.isEmpty() ? QStringLiteral("<none>") : pairs.join(QLatin1Char(','));
}

// layoutContainerCells
std::pair<QString, QString> containerCells(const QJsonArray &containers)
{
    QStringList names;
    QStringList images;
    for (const QJsonValue &c : containers) {
        names << c.toObject().value(QLatin1String("name")).toString();
        images << c.toObject().value(QLatin1String("image")).toString();
    }
    return {names.join(QLatin1Char(',')), images.join(QLatin1Char(','))};
}

bool hasCondition(const QJsonObject &status, const char *type)
{
    const QJsonArray conditions = status.value(QLatin1String("conditions")).toArray();
    return std::any_of(conditions.begin(), conditions.end(), [type](const QJsonValue &c) {
        const QJsonObject cond = c.toObject();
        return cond.value(QLatin1String("type")).toString() == QLatin1String(type) &&
               cond.value(QLatin1String("status")).toString() == QLatin1String("True");
    });
}

// ---------------------------------------------------------------------------------------------------------
// Pods

struct PodSummary
{
    QString reason;
    int ready = 0;
    int total = 0;
    qint64 restarts = 0;
    std::optional<qint64> lastRestart; // newest lastState.terminated.finishedAt that counts
};

bool isTrue(const QJsonValue &v)
{
    return v.isBool() && v.toBool();
}

PodSummary summarizePod(const QJsonObject &pod)
{
    PodSummary s;
    const QJsonObject spec = pod.value(QLatin1String("spec")).toObject();
    const QJsonObject status = pod.value(QLatin1String("status")).toObject();
    // The registry sets phase Pending on create, so a stored pod never lacks it.
    const QString phase = orDefault(status.value(QLatin1String("phase")).toString(), "Pending");
    s.reason = phase;
    if (const QString r = status.value(QLatin1String("reason")).toString(); !r.isEmpty())
        s.reason = r;
    for (const QJsonValue &c : status.value(QLatin1String("conditions")).toArray()) {
        const QJsonObject cond = c.toObject();
        if (cond.value(QLatin1String("type")).toString() == QLatin1String("PodScheduled") &&
            cond.value(QLatin1String("reason")).toString() == QLatin1String("SchedulingGated"))
            s.reason = QStringLiteral("SchedulingGated");
    }

    const QJsonArray containers = spec.value(QLatin1String("containers")).toArray();
    const QJsonArray initContainers = spec.value(QLatin1String("initContainers")).toArray();
    s.total = int(containers.size());
    QStringList sidecars; // restartable init containers (restartPolicy Always) count like regular containers
    for (const QJsonValue &c : initContainers) {
        if (c.toObject().value(QLatin1String("restartPolicy")).toString() == QLatin1String("Always")) {
            sidecars << c.toObject().value(QLatin1String("name")).toString();
            ++s.total;
        }
    }

    const auto noteRestart = [](const QJsonObject &cs, std::optional<qint64> *latest) {
        const QJsonObject terminated =
            cs.value(QLatin1String("lastState")).toObject().value(QLatin1String("terminated")).toObject();
        if (const auto finished = timestamp(terminated.value(QLatin1String("finishedAt")));
            finished && (!*latest || **latest < *finished))
            *latest = finished;
    };
    const auto terminatedReason = [](const QJsonObject &terminated, const QString &prefix) -> QString {
        if (const QString r = terminated.value(QLatin1String("reason")).toString(); !r.isEmpty())
            return prefix + r;
        const qint64 signal = terminated.value(QLatin1String("signal")).toInteger();
        if (signal != 0)
            return prefix + QStringLiteral("Signal:%1").arg(signal);
        return prefix +
               QStringLiteral("ExitCode:%1").arg(terminated.value(QLatin1String("exitCode")).toInteger());
    };

    bool initializing = false;
    qint64 sidecarRestarts = 0;
    std::optional<qint64> lastSidecarRestart;
    const QJsonArray initStatuses = status.value(QLatin1String("initContainerStatuses")).toArray();
    for (qsizetype i = 0; i < initStatuses.size(); ++i) {
        const QJsonObject cs = initStatuses.at(i).toObject();
        const QJsonObject state = cs.value(QLatin1String("state")).toObject();
        const qint64 count = cs.value(QLatin1String("restartCount")).toInteger();
        s.restarts += count;
        noteRestart(cs, &s.lastRestart);
        const bool sidecar = sidecars.contains(cs.value(QLatin1String("name")).toString());
        if (sidecar) {
            sidecarRestarts += count;
            noteRestart(cs, &lastSidecarRestart);
        }
        const bool terminated = state.contains(QLatin1String("terminated"));
        const QJsonObject term = state.value(QLatin1String("terminated")).toObject();
        const QString waitingReason =
            state.value(QLatin1String("waiting")).toObject().value(QLatin1String("reason")).toString();
        if (terminated && term.value(QLatin1String("exitCode")).toInteger() == 0)
            continue;
        if (sidecar && isTrue(cs.value(QLatin1String("started")))) {
            if (isTrue(cs.value(QLatin1String("ready"))))
                ++s.ready;
            continue;
        }
        if (terminated)
            s.reason = terminatedReason(term, QStringLiteral("Init:"));
        else if (!waitingReason.isEmpty() && waitingReason != QLatin1String("PodInitializing"))
            s.reason = QStringLiteral("Init:") + waitingReason;
        else
            s.reason = QStringLiteral("Init:%1/%2").arg(i).arg(initContainers.size());
        initializing = true;
        break;
    }

    if (!initializing || hasCondition(status, "Initialized")) {
        s.restarts = sidecarRestarts;
        s.lastRestart = lastSidecarRestart;
        bool hasRunning = false;
        const QJsonArray statuses = status.value(QLatin1String("containerStatuses")).toArray();
        // Last to first, so the first container's state has the final word.
        for (qsizetype i = statuses.size() - 1; i >= 0; --i) {
            const QJsonObject cs = statuses.at(i).toObject();
            const QJsonObject state = cs.value(QLatin1String("state")).toObject();
            s.restarts += cs.value(QLatin1String("restartCount")).toInteger();
            noteRestart(cs, &s.lastRestart);
            const QString waitingReason =
                state.value(QLatin1String("waiting")).toObject().value(QLatin1String("reason")).toString();
            if (!waitingReason.isEmpty()) {
                s.reason = waitingReason;
            } else if (state.contains(QLatin1String("terminated"))) {
                s.reason = terminatedReason(state.value(QLatin1String("terminated")).toObject(), QString());
            } else if (isTrue(cs.value(QLatin1String("ready"))) && state.contains(QLatin1String("running"))) {
                hasRunning = true;
                ++s.ready;
            }
        }
        // A finished container next to a running one: the pod as a whole still runs.
        if (s.reason == QLatin1String("Completed") && hasRunning)
            s.reason = hasCondition(status, "Ready") ? QStringLiteral("Running") : QStringLiteral("NotReady");
    }

    const QJsonValue deletion = at(pod, {"metadata", "deletionTimestamp"});
    if (!deletion.isUndefined() && !deletion.isNull()) {
        if (status.value(QLatin1String("reason")).toString() == QLatin1String("NodeLost"))
            s.reason = QStringLiteral("Unknown");
        else if (phase != QLatin1String("Succeeded") && phase != QLatin1String("Failed"))
            s.reason = QStringLiteral("Terminating");
    }
    return s;
}

QJsonArray podColumns()
{
    return {
        nameColumn(),
        doc("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
        doc("Status", "string", "The aggregate status of the containers in this pod."),
        doc("Restarts", "string",
            "The number of times the containers in this pod have been restarted and when the last container "
            "in "
            "this pod has restarted."),
        ageColumn(),
        doc("IP", "string",
            "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet "
            "allocated.",
            1),
        doc("Node", "string", "NodeName indicates in which node this pod is scheduled.", 1),
        doc("Nominated Node", "string",
            "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be "
            "scheduled right away as preemption victims receive their graceful termination periods.",
            1),
        doc("Readiness Gates", "string",
            "If specified, all readiness gates will be evaluated for pod readiness.", 1)};
}

QJsonArray podCells(const QJsonObject &pod, qint64 now)
{
    const PodSummary s = summarizePod(pod);
    QString restarts = QString::number(s.restarts);
    if (s.restarts != 0 && s.lastRestart)
        restarts += QStringLiteral(" (") + humanDuration(now - *s.lastRestart) + QStringLiteral(" ago)");

    const QJsonObject spec = pod.value(QLatin1String("spec")).toObject();
    const QJsonObject status = pod.value(QLatin1String("status")).toObject();
    // v1 -> internal conversion fills podIPs from podIP when only the latter is set.
    QString ip = status.value(QLatin1String("podIPs"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("ip"))
                     .toString();
    if (ip.isEmpty())
        ip = status.value(QLatin1String("podIP")).toString();

    QString gates = QStringLiteral("<none>");
    const QJsonArray readinessGates = spec.value(QLatin1String("readinessGates")).toArray();
    if (!readinessGates.isEmpty()) {
        int trueCount = 0;
        const QJsonArray conditions = status.value(QLatin1String("conditions")).toArray();
        for (const QJsonValue &gate : readinessGates) {
            const QString type = gate.toObject().value(QLatin1String("conditionType")).toString();
            for (const QJsonValue &c : conditions) {
                if (c.toObject().value(QLatin1String("type")).toString() == type) {
                    if (c.toObject().value(QLatin1String("status")).toString() == QLatin1String("True"))
                        ++trueCount;
                    break;
                }
            }
        }
        gates = QStringLiteral("%1/%2").arg(trueCount).arg(readinessGates.size());
    }

    return {str(pod, {"metadata", "name"}),
            QStringLiteral("%1/%2").arg(s.ready).arg(s.total),
            s.reason,
            restarts,
            since(at(pod, {"metadata", "creationTimestamp"}), now),
            orDefault(ip, "<none>"),
            orDefault(spec.value(QLatin1String("nodeName")).toString(), "<none>"),
            orDefault(status.value(QLatin1String("nominatedNodeName")).toString(), "<none>"),
            gates};
}

// ---------------------------------------------------------------------------------------------------------
// Workloads

QJsonArray deploymentColumns()
{
    // Up-to-date and Available are declared "string" but carry integers, exactly like the real printer.
    return {
        nameColumn(),
        doc("Ready", "string", "Number of the pod with ready state"),
        doc("Up-to-date", "string",
            "Total number of non-terminated pods targeted by this deployment that have the desired template "
            "spec."),
        doc("Available", "string",
            "Total number of available pods (ready for at least minReadySeconds) targeted by this "
            "deployment."),
        ageColumn(),
        doc("Containers", "string", kContainersDoc, 1),
        doc("Images", "string", kImagesDoc, 1),
        doc("Selector", "string", "Label selector for pods.", 1)};
}

QJsonArray deploymentCells(const QJsonObject &obj, qint64 now)
{
    const qint64 desired = integer(obj, {"spec", "replicas"}, 1); // defaulted to 1 on create
    const auto [names, images] =
        containerCells(at(obj, {"spec", "template", "spec", "containers"}).toArray());
    QString error;
    const auto selector = LabelSelector::fromJson(at(obj, {"spec", "selector"}), &error);
    return {str(obj, {"metadata", "name"}),
            QStringLiteral("%1/%2").arg(integer(obj, {"status", "readyReplicas"})).arg(desired),
            integer(obj, {"status", "updatedReplicas"}),
            integer(obj, {"status", "availableReplicas"}),
            since(at(obj, {"metadata", "creationTimestamp"}), now),
            names,
            images,
            selector ? selector->toString() : QStringLiteral("<invalid>")};
}

QJsonArray replicaSetColumns()
{
    return {nameColumn(),
            doc("Desired", "integer", "Replicas is the number of desired replicas."),
            doc("Current", "integer", "Replicas is the most recently observed number of replicas."),
            doc("Ready", "integer", "The number of ready replicas for this replica set."),
            ageColumn(),
            doc("Containers", "string", kContainersDoc, 1),
            doc("Images", "string", kImagesDoc, 1),
            doc("Selector", "string",
                "Selector is a label query over pods that should match the replica count.", 1)};
}

QJsonArray replicaSetCells(const QJsonObject &obj, qint64 now)
{
    const auto [names, images] =
        containerCells(at(obj, {"spec", "template", "spec", "containers"}).toArray());
    QString error;
    const auto selector = LabelSelector::fromJson(at(obj, {"spec", "selector"}), &error);
    // metav1.FormatLabelSelector
    QString selectorText = selector ? selector->toString() : QStringLiteral("<error>");
    if (selectorText.isEmpty())
        selectorText = QStringLiteral("<none>");
    return {str(obj, {"metadata", "name"}),
            integer(obj, {"spec", "replicas"}, 1),
            integer(obj, {"status", "replicas"}),
            integer(obj, {"status", "readyReplicas"}),
            since(at(obj, {"metadata", "creationTimestamp"}), now),
            names,
            images,
            selectorText};
}

// ---------------------------------------------------------------------------------------------------------
// Services

QJsonArray serviceColumns()
{
    return {nameColumn(),
            doc("Type", "string", "type determines how the Service is exposed."),
            doc("Cluster-IP", "string",
                "clusterIP is the IP address of the service and is usually assigned randomly."),
            doc("External-IP", "string",
                "externalIPs is a list of IP addresses for which nodes in the cluster will also accept "
                "traffic for "
                "this service."),
            doc("Port(s)", "string", "The list of ports that are exposed by this service."),
            ageColumn(),
            doc("Selector", "string",
                "Route service traffic to pods with label keys and values matching this selector.", 1)};
}

QString serviceExternalIp(const QJsonObject &spec, const QJsonObject &status, const QString &type)
{
    QStringList external;
    for (const QJsonValue &v : spec.value(QLatin1String("externalIPs")).toArray())
        external << v.toString();
    if (type == QLatin1String("ClusterIP") || type == QLatin1String("NodePort"))
        return external.isEmpty() ? QStringLiteral("<none>") : external.join(QLatin1Char(','));
    if (type == QLatin1String("LoadBalancer")) {
        // The server prints wide, so the 16-character clipping kubectl's own printer does never applies.
        QStringList lb;
        const QJsonArray ingress =
            status.value(QLatin1String("loadBalancer")).toObject().value(QLatin1String("ingress")).toArray();
        for (const QJsonValue &v : ingress) {
            const QJsonObject i = v.toObject();
            const QString ip = i.value(QLatin1String("ip")).toString();
            const QString host = i.value(QLatin1String("hostname")).toString();
            if (!ip.isEmpty())
                lb << ip;
            else if (!host.isEmpty())
                lb << host;
        }
        lb.sort();
        lb.removeDuplicates();
        if (!external.isEmpty())
            return (lb + external).join(QLatin1Char(','));
        return lb.isEmpty() ? QStringLiteral("<pending>") : lb.join(QLatin1Char(','));
    }
    if (type == QLatin1String("ExternalName"))
        return spec.value(QLatin1String("externalName")).toString();
    return QStringLiteral("<unknown>");
}

QJsonArray serviceCells(const QJsonObject &obj, qint64 now)
{
    const QJsonObject spec = obj.value(QLatin1String("spec")).toObject();
    const QJsonObject status = obj.value(QLatin1String("status")).toObject();
    const QString type = orDefault(spec.value(QLatin1String("type")).toString(), "ClusterIP");
    QString clusterIp = spec.value(QLatin1String("clusterIPs")).toArray().at(0).toString();
    if (clusterIp.isEmpty())
        clusterIp = spec.value(QLatin1String("clusterIP")).toString();
    QStringList ports;
    for (const QJsonValue &v : spec.value(QLatin1String("ports")).toArray()) {
        const QJsonObject p = v.toObject();
        const QString protocol = orDefault(p.value(QLatin1String("protocol")).toString(), "TCP");
        const qint64 nodePort = p.value(QLatin1String("nodePort")).toInteger();
        const qint64 port = p.value(QLatin1String("port")).toInteger();
        ports << (nodePort > 0 ? QStringLiteral("%1:%2/%3").arg(port).arg(nodePort).arg(protocol)
                               : QStringLiteral("%1/%2").arg(port).arg(protocol));
    }
    return {str(obj, {"metadata", "name"}),
            type,
            orDefault(clusterIp, "<none>"),
            serviceExternalIp(spec, status, type),
            ports.isEmpty() ? QStringLiteral("<none>") : ports.join(QLatin1Char(',')),
            since(at(obj, {"metadata", "creationTimestamp"}), now),
            formatLabels(spec.value(QLatin1String("selector")).toObject())};
}

// ---------------------------------------------------------------------------------------------------------
// Nodes, namespaces, config

QJsonArray nodeColumns()
{
    return {nameColumn(),
            doc("Status", "string", "The status of the node"),
            doc("Roles", "string", "The roles of the node"),
            ageColumn(),
            doc("Version", "string", "Kubelet Version reported by the node."),
            doc("Internal-IP", "string", "List of addresses reachable to the node.", 1),
            doc("External-IP", "string", "List of addresses reachable to the node.", 1),
            doc("OS-Image", "string",
                "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
            doc("Kernel-Version", "string",
                "Kernel Version reported by the node from 'uname -r' (e.g. "
                "3.16.0-0.bpo.4-amd64).",
                1),
            doc("Container-Runtime", "string",
                "ContainerRuntime Version reported by the node through runtime remote API (e.g. "
                "containerd://1.4.2).",
                1)};
}

QString nodeAddress(const QJsonObject &status, const char *type)
{
    for (const QJsonValue &v : status.value(QLatin1String("addresses")).toArray()) {
        if (v.toObject().value(QLatin1String("type")).toString() == QLatin1String(type))
            return v.toObject().value(QLatin1String("address")).toString();
    }
    return QStringLiteral("<none>");
}

QJsonArray nodeCells(const QJsonObject &obj, qint64 now)
{
    const QJsonObject status = obj.value(QLatin1String("status")).toObject();
    QStringList state;
    for (const QJsonValue &v : status.value(QLatin1String("conditions")).toArray()) {
        const QJsonObject c = v.toObject();
        if (c.value(QLatin1String("type")).toString() == QLatin1String("Ready")) {
            // The last Ready condition wins, as in the printer's map.
            state = {c.value(QLatin1String("status")).toString() == QLatin1String("True")
                         ? QStringLiteral("Ready")
                         : QStringLiteral("NotReady")};
        }
    }
    if (state.isEmpty())
        state << QStringLiteral("Unknown");
    if (isTrue(at(obj, {"spec", "unschedulable"})))
        state << QStringLiteral("SchedulingDisabled");

    // node-role.kubernetes.io/<role> labels and the older kubernetes.io/role=<role>.
    QStringList roles;
    const QJsonObject labels = at(obj, {"metadata", "labels"}).toObject();
    const QLatin1String rolePrefix("node-role.kubernetes.io/");
    for (auto it = labels.begin(); it != labels.end(); ++it) {
        if (it.key().startsWith(rolePrefix) && it.key().size() > rolePrefix.size())
            roles << it.key().mid(rolePrefix.size());
        else if (it.key() == QLatin1String("kubernetes.io/role") && !it.value().toString().isEmpty())
            roles << it.value().toString();
    }
    roles.sort();
    roles.removeDuplicates();

    const QJsonObject info = status.value(QLatin1String("nodeInfo")).toObject();
    return {str(obj, {"metadata", "name"}),
            state.join(QLatin1Char(',')),
            roles.isEmpty() ? QStringLiteral("<none>") : roles.join(QLatin1Char(',')),
            since(at(obj, {"metadata", "creationTimestamp"}), now),
            info.value(QLatin1String("kubeletVersion")).toString(),
            nodeAddress(status, "InternalIP"),
            nodeAddress(status, "ExternalIP"),
            orDefault(info.value(QLatin1String("osImage")).toString(), "<unknown>"),
            orDefault(info.value(QLatin1String("kernelVersion")).toString(), "<unknown>"),
            orDefault(info.value(QLatin1String("containerRuntimeVersion")).toString(), "<unknown>")};
}

QJsonArray namespaceColumns()
{
    return {nameColumn(), doc("Status", "string", "The status of the namespace"), ageColumn()};
}

QJsonArray namespaceCells(const QJsonObject &obj, qint64 now)
{
    // Namespace status defaults to Active.
    return {str(obj, {"metadata", "name"}), orDefault(str(obj, {"status", "phase"}), "Active"),
            since(at(obj, {"metadata", "creationTimestamp"}), now)};
}

QJsonArray configMapColumns()
{
    return {nameColumn(), doc("Data", "string", "Data contains the configuration data."), ageColumn()};
}

QJsonArray configMapCells(const QJsonObject &obj, qint64 now)
{
    const qint64 count = obj.value(QLatin1String("data")).toObject().size() +
                         obj.value(QLatin1String("binaryData")).toObject().size();
    return {str(obj, {"metadata", "name"}), count, since(at(obj, {"metadata", "creationTimestamp"}), now)};
}

QJsonArray secretColumns()
{
    return {nameColumn(), doc("Type", "string", "Used to facilitate programmatic handling of secret data."),
            doc("Data", "string", "Data contains the secret data."), ageColumn()};
}

QJsonArray secretCells(const QJsonObject &obj, qint64 now)
{
    // stringData is write-only: the real server folds it into data, so count the union.
    QStringList keys = obj.value(QLatin1String("data")).toObject().keys();
    keys += obj.value(QLatin1String("stringData")).toObject().keys();
    keys.removeDuplicates();
    return {str(obj, {"metadata", "name"}), orDefault(obj.value(QLatin1String("type")).toString(), "Opaque"),
            qint64(keys.size()), since(at(obj, {"metadata", "creationTimestamp"}), now)};
}

// ---------------------------------------------------------------------------------------------------------
// Events (core/v1 and its events.k8s.io/v1 rendering)

QJsonArray eventColumns()
{
    return {
        doc("Last Seen", "string",
            "The time at which the most recent occurrence of this event was recorded."),
        doc("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
        doc("Reason", "string",
            "This should be a short, machine understandable string that gives the reason for the transition "
            "into "
            "the object's current status."),
        doc("Object", "string", "The object that this event is about."),
        doc("Subobject", "string",
            "If referring to a piece of an object instead of an entire object, this string "
            "should contain a valid JSON/Go field access statement.",
            1),
        doc("Source", "string",
            "The component reporting this event. Should be a short machine understandable "
            "string.",
            1),
        doc("Message", "string", "A human-readable description of the status of this operation."),
        doc("First Seen", "string",
            "The time at which the event was first recorded. (Time of server receipt is in "
            "TypeMeta.)",
            1),
        doc("Count", "string", "The number of times this event has occurred.", 1),
        nameColumn(1)};
}

// Reads a core Event field, falling back to its events.k8s.io/v1 name.
QJsonValue eventField(const QJsonObject &e, const char *core, const char *v1)
{
    const QJsonValue v = e.value(QLatin1String(core));
    return v.isUndefined() || v.isNull() ? e.value(QLatin1String(v1)) : v;
}

QJsonArray eventCells(const QJsonObject &e, qint64 now)
{
    const QJsonValue eventTime = e.value(QLatin1String("eventTime"));
    const QJsonValue first = eventField(e, "firstTimestamp", "deprecatedFirstTimestamp");
    const QString firstSeen = timestamp(first) ? since(first, now) : since(eventTime, now);
    const QJsonValue last = eventField(e, "lastTimestamp", "deprecatedLastTimestamp");
    QString lastSeen = timestamp(last) ? since(last, now) : firstSeen;

    qint64 count = eventField(e, "count", "deprecatedCount").toInteger();
    const QJsonObject series = e.value(QLatin1String("series")).toObject();
    if (!series.isEmpty()) {
        lastSeen = since(series.value(QLatin1String("lastObservedTime")), now);
        count = series.value(QLatin1String("count")).toInteger();
    } else if (count == 0) {
        count = 1; // singleton events of the new API carry no count
    }

    const QJsonObject involved = eventField(e, "involvedObject", "regarding").toObject();
    const QString kind = involved.value(QLatin1String("kind")).toString().toLower();
    const QString name = involved.value(QLatin1String("name")).toString();
    const QString target = name.isEmpty() ? kind : kind + QLatin1Char('/') + name;

    const QJsonObject source = eventField(e, "source", "deprecatedSource").toObject();
    QString component = source.value(QLatin1String("component")).toString();
    if (component.isEmpty())
        component = eventField(e, "reportingComponent", "reportingController").toString();
    QString instance = source.value(QLatin1String("host")).toString();
    if (instance.isEmpty())
        instance = e.value(QLatin1String("reportingInstance")).toString();
    const QString sourceText = instance.isEmpty() ? component : component + QStringLiteral(", ") + instance;

    return {lastSeen,
            e.value(QLatin1String("type")).toString(),
            e.value(QLatin1String("reason")).toString(),
            target,
            involved.value(QLatin1String("fieldPath")).toString(),
            sourceText,
            eventField(e, "message", "note").toString().trimmed(),
            firstSeen,
            count,
            str(e, {"metadata", "name"})};
}

// ---------------------------------------------------------------------------------------------------------
// Resources without a printer (pkg/registry/rest/table.go)

QJsonArray defaultColumns()
{
    return {nameColumn(), column("Created At", "date", ageDoc())};
}

QJsonArray defaultCells(const QJsonObject &obj)
{
    // RFC 3339 in UTC, second precision; the zero time for objects without one.
    const auto t = timestamp(at(obj, {"metadata", "creationTimestamp"}));
    const QString created = t ? QDateTime::fromMSecsSinceEpoch(*t - *t % 1000, Qt::UTC).toString(Qt::ISODate)
                              : QStringLiteral("0001-01-01T00:00:00Z");
    return {str(obj, {"metadata", "name"}), created};
}

} // namespace

QJsonArray tableColumns(const ResourceType *type)
{
    switch (printerFor(type)) {
    case Printer::Pod:
        return podColumns();
    case Printer::Deployment:
        return deploymentColumns();
    case Printer::ReplicaSet:
        return replicaSetColumns();
    case Printer::Service:
        return serviceColumns();
    case Printer::Node:
        return nodeColumns();
    case Printer::Namespace:
        return namespaceColumns();
    case Printer::ConfigMap:
        return configMapColumns();
    case Printer::Secret:
        return secretColumns();
    case Printer::Event:
        return eventColumns();
    case Printer::Default:
        break;
    }
    return defaultColumns();
}

QJsonArray tableCells(const ResourceType *type, const QJsonObject &object, qint64 nowMsecs)
{
    switch (printerFor(type)) {
    case Printer::Pod:
        return podCells(object, nowMsecs);
    case Printer::Deployment:
        return deploymentCells(object, nowMsecs);
    case Printer::ReplicaSet:
        return replicaSetCells(object, nowMsecs);
    case Printer::Service:
        return serviceCells(object, nowMsecs);
    case Printer::Node:
        return nodeCells(object, nowMsecs);
    case Printer::Namespace:
        return namespaceCells(object, nowMsecs);
    case Printer::ConfigMap:
        return configMapCells(object, nowMsecs);
    case Printer::Secret:
        return secretCells(object, nowMsecs);
    case Printer::Event:
        return eventCells(object, nowMsecs);
    case Printer::Default:
        break;
    }
    return defaultCells(object);
}

QJsonArray tableRowConditions(const ResourceType *type, const QJsonObject &object)
{
    if (printerFor(type) != Printer::Pod)
        return {};
    const QString phase = str(object, {"status", "phase"});
    const bool succeeded = phase == QLatin1String("Succeeded");
    if (!succeeded && phase != QLatin1String("Failed"))
        return {};
    return {QJsonObject{
        {QStringLiteral("type"), QStringLiteral("Completed")},
        {QStringLiteral("status"), QStringLiteral("True")},
        {QStringLiteral("reason"), phase},
        {QStringLiteral("message"), succeeded ? QStringLiteral("The pod has completed successfully.")
                                              : QStringLiteral("The pod failed.")}}};
}

QString podStatus(const QJsonObject &pod)
{
    return summarizePod(pod).reason;
}

QString humanDuration(qint64 msecs)
{
    // Truncating division, like Go's int(d.Seconds()) and d / time.Minute.
    const qint64 seconds = msecs / 1000;
    if (seconds < -1)
        return QStringLiteral("<invalid>");
    if (seconds < 0)
        return QStringLiteral("0s"); // up to two seconds of clock skew reads as "now"
    if (seconds < 60 * 2)
        return QStringLiteral("%1s").arg(seconds);
    const qint64 minutes = msecs / 60'000;
    if (minutes < 10) {
        const qint64 s = seconds % 60;
        return s == 0 ? QStringLiteral("%1m").arg(minutes) : QStringLiteral("%1m%2s").arg(minutes).arg(s);
    }
    if (minutes < 60 * 3)
        return QStringLiteral("%1m").arg(minutes);
    const qint64 hours = msecs / 3'600'000;
    if (hours < 8) {
        const qint64 m = minutes % 60;
        return m == 0 ? QStringLiteral("%1h").arg(hours) : QStringLiteral("%1h%2m").arg(hours).arg(m);
    }
    if (hours < 48)
        return QStringLiteral("%1h").arg(hours);
    if (hours < 24 * 8) {
        const qint64 h = hours % 24;
        return h == 0 ? QStringLiteral("%1d").arg(hours / 24)
                      : QStringLiteral("%1d%2h").arg(hours / 24).arg(h);
    }
    if (hours < 24 * 365 * 2)
        return QStringLiteral("%1d").arg(hours / 24);
    if (hours < 24 * 365 * 8) {
        const qint64 dy = (hours / 24) % 365;
        return dy == 0 ? QStringLiteral("%1y").arg(hours / 24 / 365)
                       : QStringLiteral("%1y%2d").arg(hours / 24 / 365).arg(dy);
    }
    return QStringLiteral("%1y").arg(hours / 24 / 365);
}

} // namespace cw::sim
