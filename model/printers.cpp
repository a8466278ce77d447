// SPDX-License-Identifier: Apache-2.0
#include "printers.h"

#include "humanduration.h"
#include "podstatus.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace cw::model {

QString Cell::display(qint64 nowMs) const
{
    if (sinceMs == 0)
        return text;
    return text + humanDuration(nowMs - sinceMs) + suffix;
}

namespace {

Cell text(const QString &value)
{
    Cell cell;
    cell.text = value;
    return cell;
}

Cell number(qint64 value)
{
    Cell cell;
    cell.text = QString::number(value);
    cell.number = double(value);
    return cell;
}

// A duration since `ms`, or kubectl's `unknown` text when the time is absent (sorted before any duration).
Cell since(qint64 ms, const QString &unknown = u"<unknown>"_s)
{
    Cell cell;
    if (ms == 0) {
        cell.text = unknown;
        cell.number = -1;
    } else {
        cell.sinceMs = ms;
    }
    return cell;
}

Cell sinceTimestamp(const QJsonValue &value)
{
    return since(parseKubeTime(value.toString()));
}

qint64 toInt(const QJsonValue &value) { return qint64(value.toDouble()); }

QString orNone(const QString &value) { return value.isEmpty() ? u"<none>"_s : value; }

// labels.FormatLabels: "k=v,k2=v2" sorted by key, "<none>" when empty.
QString formatLabels(const QJsonObject &labels)
{
    QStringList parts;
    for (auto it = labels.begin(); it != labels.end(); ++it) // QJsonObject iterates in key order
        parts.append(it.key() + u'=' + it.value().toString());
    return parts.isEmpty() ? u"<none>"_s : parts.join(u',');
}

// A replica count as the server stores it: v1 defaults an absent spec.replicas to 1.
qint64 desiredReplicas(const QJsonObject &spec)
{
    const QJsonValue replicas = spec.value("replicas"_L1);
    return replicas.isUndefined() || replicas.isNull() ? 1 : toInt(replicas);
}

QString ratio(qint64 a, qint64 b) { return QString::number(a) + u'/' + QString::number(b); }

bool conditionTrue(const QJsonArray &conditions, QLatin1StringView type)
{
    for (const auto &value : conditions) {
        const QJsonObject condition = value.toObject();
        if (condition.value("type"_L1).toString() == type)
            return condition.value("status"_L1).toString() == "True"_L1;
    }
    return false;
}

// Load balancer ingress points, sorted and de-duplicated, clipped to 16 characters as kubectl does without
// -o wide.
QString loadBalancerText(const QJsonObject &status)
{
    QStringList points;
    const QJsonArray ingress = status.value("loadBalancer"_L1).toObject().value("ingress"_L1).toArray();
    for (const auto &value : ingress) {
        const QJsonObject point = value.toObject();
        const QString ip = point.value("ip"_L1).toString();
        const QString host = point.value("hostname"_L1).toString();
        if (!ip.isEmpty())
            points.append(ip);
        else if (!host.isEmpty())
            points.append(host);
    }
    points.sort();
    points.removeDuplicates();
    QString joined = points.join(u',');
    if (joined.size() > 16)
        joined = joined.left(13) + "..."_L1;
    return joined;
}

QStringList stringList(const QJsonValue &value)
{
    QStringList out;
    for (const auto &item : value.toArray())
        out.append(item.toString());
    return out;
}

void printPod(const QJsonObject &o, QList<Cell> &out)
{
    const PodSummary pod = summarizePod(o);
    out.append(text(ratio(pod.ready, pod.total)));
    out.append(text(pod.status));
    Cell restarts = number(pod.restarts);
    if (pod.restarts != 0 && pod.lastRestartMs != 0) {
        restarts.text = QString::number(pod.restarts) + " ("_L1;
        restarts.suffix = u" ago)"_s;
        restarts.sinceMs = pod.lastRestartMs;
    }
    out.append(restarts);
    out.append(sinceTimestamp(o.value("metadata"_L1).toObject().value("creationTimestamp"_L1)));
    out.append(text(orNone(o.value("spec"_L1).toObject().value("nodeName"_L1).toString())));
}

void printJob(const QJsonObject &o, QList<Cell> &out)
{
    const QJsonObject spec = o.value("spec"_L1).toObject();
    const QJsonObject status = o.value("status"_L1).toObject();
    const QJsonArray conditions = status.value("conditions"_L1).toArray();
    const bool deleting = o.value("metadata"_L1).toObject().contains("deletionTimestamp"_L1);
    QString state = u"Running"_s;
    if (conditionTrue(conditions, "Complete"_L1))
        state = u"Complete"_s;
    else if (conditionTrue(conditions, "Failed"_L1))
        state = u"Failed"_s;
    else if (deleting)
        state = u"Terminating"_s;
    else if (conditionTrue(conditions, "Suspended"_L1))
        state = u"Suspended"_s;
    else if (conditionTrue(conditions, "FailureTarget"_L1))
        state = u"FailureTarget"_s;
    out.append(text(state));

    const qint64 succeeded = toInt(status.value("succeeded"_L1));
    QString completions;
    if (spec.contains("completions"_L1) && !spec.value("completions"_L1).isNull()) {
        completions = ratio(succeeded, toInt(spec.value("completions"_L1)));
    } else {
        const qint64 parallelism = toInt(spec.value("parallelism"_L1));
        completions = parallelism > 1 ? ratio(succeeded, 1) + " of "_L1 + QString::number(parallelism)
                                      : ratio(succeeded, 1);
    }
    out.append(text(completions));

    const qint64 start = parseKubeTime(status.value("startTime"_L1).toString());
    const qint64 end = parseKubeTime(status.value("completionTime"_L1).toString());
    if (start == 0)
        out.append(since(0, QString()));
    else if (end == 0)
        out.append(since(start));
    else {
        Cell duration = text(humanDuration(end - start));
        duration.number = double(end - start) / 1000.0;
        out.append(duration);
    }
}

void printCronJob(const QJsonObject &o, QList<Cell> &out)
{
    const QJsonObject spec = o.value("spec"_L1).toObject();
    const QJsonObject status = o.value("status"_L1).toObject();
    out.append(text(spec.value("schedule"_L1).toString()));
    const QJsonValue suspend = spec.value("suspend"_L1);
    out.append(text(suspend.isBool() ? (suspend.toBool() ? u"True"_s : u"False"_s) : u"<unset>"_s));
    out.append(number(status.value("active"_L1).toArray().size()));
    out.append(since(parseKubeTime(status.value("lastScheduleTime"_L1).toString()), u"<none>"_s));
}

void printNode(const QJsonObject &o, QList<Cell> &out)
{
    const QJsonObject status = o.value("status"_L1).toObject();
    QStringList state;
    // kubectl keeps the last Ready entry when there are several.
    QString ready;
    for (const auto &value : status.value("conditions"_L1).toArray()) {
        const QJsonObject condition = value.toObject();
        if (condition.value("type"_L1).toString() == "Ready"_L1)
            ready = condition.value("status"_L1).toString() == "True"_L1 ? u"Ready"_s : u"NotReady"_s;
    }
    state.append(ready.isEmpty() ? u"Unknown"_s : ready);
    if (o.value("spec"_L1).toObject().value("unschedulable"_L1).toBool())
        state.append(u"SchedulingDisabled"_s);
    out.append(text(state.join(u',')));

    QStringList roles;
    const QJsonObject labels = o.value("metadata"_L1).toObject().value("labels"_L1).toObject();
    for (auto it = labels.begin(); it != labels.end(); ++it) {
        const QString key = it.key();
        if (key.startsWith("node-role.kubernetes.io/"_L1)) {
            const QString role = key.mid(24);
            if (!role.isEmpty())
                roles.append(role);
        } else if (key == "kubernetes.io/role"_L1 && !it.value().toString().isEmpty()) {
            roles.append(it.value().toString());
        }
    }
    roles.sort();
    roles.removeDuplicates();
    out.append(text(orNone(roles.join(u','))));
    out.append(sinceTimestamp(o.value("metadata"_L1).toObject().value("creationTimestamp"_L1)));
    out.append(text(status.value("nodeInfo"_L1).toObject().value("kubeletVersion"_L1).toString()));
}

void printService(const QJsonObject &o, QList<Cell> &out)
{
    const QJsonObject spec = o.value("spec"_L1).toObject();
    QString type = spec.value("type"_L1).toString();
    if (type.isEmpty())
        type = u"ClusterIP"_s;
    out.append(text(type));
    QString clusterIp = spec.value("clusterIPs"_L1).toArray().at(0).toString();
    if (clusterIp.isEmpty())
        clusterIp = spec.value("clusterIP"_L1).toString();
    out.append(text(orNone(clusterIp)));

    const QStringList externalIps = stringList(spec.value("externalIPs"_L1));
    QString external;
    if (type == "ClusterIP"_L1 || type == "NodePort"_L1) {
        external = orNone(externalIps.join(u','));
    } else if (type == "LoadBalancer"_L1) {
        const QString lb = loadBalancerText(o.value("status"_L1).toObject());
        if (!externalIps.isEmpty()) {
            QStringList all;
            if (!lb.isEmpty())
                all = lb.split(u',');
            all.append(externalIps);
            external = all.join(u',');
        } else {
            external = lb.isEmpty() ? u"<pending>"_s : lb;
        }
    } else if (type == "ExternalName"_L1) {
        external = spec.value("externalName"_L1).toString();
    } else {
        external = u"<unknown>"_s;
    }
    out.append(text(external));

    QStringList ports;
    for (const auto &value : spec.value("ports"_L1).toArray()) {
        const QJsonObject port = value.toObject();
        QString protocol = port.value("protocol"_L1).toString();
        if (protocol.isEmpty())
            protocol = u"TCP"_s;
        const qint64 nodePort = toInt(port.value("nodePort"_L1));
        QString piece = QString::number(toInt(port.value("port"_L1)));
        if (nodePort > 0)
            piece += u':' + QString::number(nodePort);
        ports.append(piece + u'/' + protocol);
    }
    out.append(text(orNone(ports.join(u','))));
}

QString accessModes(const QJsonArray &modes)
{
    const QStringList all = [&] {
        QStringList list;
        for (const auto &m : modes)
            list.append(m.toString());
        return list;
    }();
    QStringList out;
    const std::pair<QLatin1StringView, QLatin1StringView> known[] = {{"ReadWriteOnce"_L1, "RWO"_L1},
                                                                     {"ReadOnlyMany"_L1, "ROX"_L1},
                                                                     {"ReadWriteMany"_L1, "RWX"_L1},
                                                                     {"ReadWriteOncePod"_L1, "RWOP"_L1}};
    for (const auto &[mode, abbreviation] : known) {
        if (all.contains(mode))
            out.append(abbreviation);
    }
    return out.join(u',');
}

void printPvc(const QJsonObject &o, QList<Cell> &out)
{
    const QJsonObject meta = o.value("metadata"_L1).toObject();
    const QJsonObject spec = o.value("spec"_L1).toObject();
    const QJsonObject status = o.value("status"_L1).toObject();
    out.append(text(meta.contains("deletionTimestamp"_L1) ? u"Terminating"_s : status.value("phase"_L1).toString()));
    const QString volume = spec.value("volumeName"_L1).toString();
    out.append(text(volume));
    QString capacity;
    QString modes;
    if (!volume.isEmpty()) {
        modes = accessModes(status.value("accessModes"_L1).toArray());
        capacity = status.value("capacity"_L1).toObject().value("storage"_L1).toString();
    }
    out.append(text(capacity));
    out.append(text(modes));
    const QJsonObject annotations = meta.value("annotations"_L1).toObject();
    const QLatin1StringView beta("volume.beta.kubernetes.io/storage-class");
    out.append(text(annotations.contains(beta) ? annotations.value(beta).toString()
                                               : spec.value("storageClassName"_L1).toString()));
}

void printIngress(const QJsonObject &o, QList<Cell> &out)
{
    const QJsonObject spec = o.value("spec"_L1).toObject();
    const QJsonValue className = spec.value("ingressClassName"_L1);
    out.append(text(className.isString() ? className.toString() : u"<none>"_s));
    const QJsonArray rules = spec.value("rules"_L1).toArray();
    QStringList hosts;
    bool more = false;
    for (const auto &rule : rules) {
        if (hosts.size() == 3)
            more = true;
        const QString host = rule.toObject().value("host"_L1).toString();
        if (!more && !host.isEmpty())
            hosts.append(host);
    }
    QString hostText = hosts.isEmpty() ? u"*"_s : hosts.join(u',');
    if (!hosts.isEmpty() && more)
        hostText += " + "_L1 + QString::number(rules.size() - 3) + " more..."_L1;
    out.append(text(hostText));
    out.append(text(loadBalancerText(o.value("status"_L1).toObject())));
    out.append(text(spec.value("tls"_L1).toArray().isEmpty() ? u"80"_s : u"80, 443"_s));
}

// core/v1 and events.k8s.io/v1 Events print alike once the newer names are mapped to the older ones.
void printEvent(const QJsonObject &o, bool eventsV1, QList<Cell> &out)
{
    const QLatin1StringView firstKey = eventsV1 ? "deprecatedFirstTimestamp"_L1 : "firstTimestamp"_L1;
    const QLatin1StringView lastKey = eventsV1 ? "deprecatedLastTimestamp"_L1 : "lastTimestamp"_L1;
    qint64 first = parseKubeTime(o.value(firstKey).toString());
    if (first == 0)
        first = parseKubeTime(o.value("eventTime"_L1).toString());
    qint64 last = parseKubeTime(o.value(lastKey).toString());
    if (last == 0)
        last = first;
    const QJsonValue series = o.value("series"_L1);
    if (series.isObject())
        last = parseKubeTime(series.toObject().value("lastObservedTime"_L1).toString());
    out.append(since(last));
    out.append(text(o.value("type"_L1).toString()));
    out.append(text(o.value("reason"_L1).toString()));
    const QJsonObject target = o.value(eventsV1 ? "regarding"_L1 : "involvedObject"_L1).toObject();
    const QString kind = target.value("kind"_L1).toString().toLower();
    const QString name = target.value("name"_L1).toString();
    out.append(text(name.isEmpty() ? kind : kind + u'/' + name));
    out.append(text(o.value(eventsV1 ? "note"_L1 : "message"_L1).toString().trimmed()));
}

} // namespace

TablePrinter TablePrinter::forResource(const cw::watch::ApiResource &api)
{
    TablePrinter printer;
    printer.m_kind = kindFor(api);
    printer.m_columns = columnsFor(printer.m_kind);
    if (api.namespaced) {
        Column ns;
        ns.title = u"NAMESPACE"_s;
        ns.kind = Column::Kind::Namespace;
        printer.m_columns.prepend(ns);
        printer.m_namespaceColumn = 0;
    }
    return printer;
}

QList<Cell> TablePrinter::print(const QJsonObject &o) const
{
    QList<Cell> out;
    out.reserve(m_columns.size());
    const QJsonObject meta = o.value("metadata"_L1).toObject();
    if (m_namespaceColumn == 0)
        out.append(text(meta.value("namespace"_L1).toString()));
    if (m_kind != Kind::CoreEvent && m_kind != Kind::EventsV1Event)
        out.append(text(meta.value("name"_L1).toString()));
    const QJsonObject spec = o.value("spec"_L1).toObject();
    const QJsonObject status = o.value("status"_L1).toObject();
    const Cell age = sinceTimestamp(meta.value("creationTimestamp"_L1));
    switch (m_kind) {
    case Kind::Pod:
        printPod(o, out);
        return out;
    case Kind::Deployment:
        out.append(text(ratio(toInt(status.value("readyReplicas"_L1)), desiredReplicas(spec))));
        out.append(number(toInt(status.value("updatedReplicas"_L1))));
        out.append(number(toInt(status.value("availableReplicas"_L1))));
        break;
    case Kind::ReplicaSet:
        out.append(number(desiredReplicas(spec)));
        out.append(number(toInt(status.value("replicas"_L1))));
        out.append(number(toInt(status.value("readyReplicas"_L1))));
        break;
    case Kind::StatefulSet:
        out.append(text(ratio(toInt(status.value("readyReplicas"_L1)), desiredReplicas(spec))));
        break;
    case Kind::DaemonSet:
        out.append(number(toInt(status.value("desiredNumberScheduled"_L1))));
        out.append(number(toInt(status.value("currentNumberScheduled"_L1))));
        out.append(number(toInt(status.value("numberReady"_L1))));
        out.append(number(toInt(status.value("updatedNumberScheduled"_L1))));
        out.append(number(toInt(status.value("numberAvailable"_L1))));
        out.append(text(formatLabels(spec.value("template"_L1)
                                         .toObject()
                                         .value("spec"_L1)
                                         .toObject()
                                         .value("nodeSelector"_L1)
                                         .toObject())));
        break;
    case Kind::Job:
        printJob(o, out);
        break;
    case Kind::CronJob:
        printCronJob(o, out);
        break;
    case Kind::Node:
        printNode(o, out);
        return out;
    case Kind::Service:
        printService(o, out);
        break;
    case Kind::ConfigMap:
        out.append(number(o.value("data"_L1).toObject().size() + o.value("binaryData"_L1).toObject().size()));
        break;
    case Kind::Secret:
        // kubectl counts `data` only; the values themselves are never read here.
        out.append(text(o.value("type"_L1).toString()));
        out.append(number(o.value("data"_L1).toObject().size()));
        break;
    case Kind::Namespace:
        out.append(text(status.value("phase"_L1).toString()));
        break;
    case Kind::PersistentVolumeClaim:
        printPvc(o, out);
        break;
    case Kind::Ingress:
        printIngress(o, out);
        break;
    case Kind::CoreEvent:
    case Kind::EventsV1Event:
        printEvent(o, m_kind == Kind::EventsV1Event, out);
        return out;
    case Kind::Generic:
        break;
    }
    out.append(age);
    return out;
}

QStringList TablePrinter::printText(const QByteArray &json, qint64 nowMs) const
{
    const QList<Cell> cells = print(QJsonDocument::fromJson(json).object());
    QStringList out;
    for (const Cell &cell : cells)
        out.append(cell.display(nowMs));
    return out;
}

} // namespace cw::model
