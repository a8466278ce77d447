// SPDX-License-Identifier: Apache-2.0
#include "podparts.h"

#include <QCryptographicHash>
#include <QHash>

using namespace Qt::StringLiterals;

namespace cw::sim::pods {

QString conditionType(Condition c)
{
    switch (c) {
    case Condition::Initialized:
        return u"Initialized"_s;
    case Condition::Ready:
        return u"Ready"_s;
    case Condition::ContainersReady:
        return u"ContainersReady"_s;
    case Condition::Scheduled:
        return u"PodScheduled"_s;
    }
    return {};
}

QJsonObject condition(Condition c, bool status, const QString &time, const QString &reason,
                      const QString &message)
{
    QJsonObject o{{"type"_L1, conditionType(c)},
                  {"status"_L1, status ? u"True"_s : u"False"_s},
                  {"lastProbeTime"_L1, QJsonValue::Null},
                  {"lastTransitionTime"_L1, time}};
    if (!reason.isEmpty())
        o.insert("reason"_L1, reason);
    if (!message.isEmpty())
        o.insert("message"_L1, message);
    return o;
}

QJsonObject runningState(const QString &startedAt)
{
    return {{"running"_L1, QJsonObject{{"startedAt"_L1, startedAt}}}};
}

QJsonObject waitingState(const QString &reason, const QString &message)
{
    QJsonObject w{{"reason"_L1, reason}};
    if (!message.isEmpty())
        w.insert("message"_L1, message);
    return {{"waiting"_L1, w}};
}

QJsonObject terminatedState(int exitCode, const QString &reason, const QString &startedAt,
                            const QString &finishedAt, const QString &containerId)
{
    return {{"terminated"_L1, QJsonObject{{"exitCode"_L1, exitCode},
                                          {"reason"_L1, reason},
                                          {"startedAt"_L1, startedAt},
                                          {"finishedAt"_L1, finishedAt},
                                          {"containerID"_L1, containerId}}}};
}

QString imageRef(const QString &image)
{
    const qsizetype slash = image.indexOf(QLatin1Char('/'));
    // A first component with a dot or colon is a registry; otherwise it is Docker Hub.
    if (slash > 0) {
        const QStringView first = QStringView(image).left(slash);
        if (first.contains(QLatin1Char('.')) || first.contains(QLatin1Char(':')))
            return image;
        return u"docker.io/"_s + image;
    }
    return u"docker.io/library/"_s + image;
}

QString imageId(const QString &image)
{
    // Memoised: a few dozen distinct images, asked for once per container of every pod.
    thread_local QHash<QString, QString> cache;
    auto it = cache.constFind(image);
    if (it != cache.constEnd())
        return *it;
    const QString ref = imageRef(image);
    QString repo = ref;
    const qsizetype colon = ref.lastIndexOf(QLatin1Char(':'));
    if (colon > ref.lastIndexOf(QLatin1Char('/')))
        repo = ref.left(colon);
    const QByteArray digest = QCryptographicHash::hash(image.toUtf8(), QCryptographicHash::Sha256).toHex();
    const QString id = repo + u"@sha256:"_s + QString::fromLatin1(digest);
    cache.insert(image, id);
    return id;
}

QString containerId(QRandomGenerator &rng)
{
    static const char hex[] = "0123456789abcdef";
    QString s = u"containerd://"_s;
    const qsizetype prefix = s.size();
    s.resize(prefix + 64);
    for (int i = 0; i < 4; ++i) {
        quint64 bits = rng.generate64();
        for (int j = 0; j < 16; ++j, bits >>= 4)
            s[prefix + i * 16 + j] = QLatin1Char(hex[bits & 0xf]);
    }
    return s;
}

QJsonObject apiAccessVolume(const QString &name)
{
    // Identical for every pod: built once, shared by reference inside every volume object.
    static const QJsonObject projected{
        {"defaultMode"_L1, 420},
        {"sources"_L1,
         QJsonArray{
             QJsonObject{{"serviceAccountToken"_L1,
                          QJsonObject{{"expirationSeconds"_L1, 3607}, {"path"_L1, u"token"_s}}}},
             QJsonObject{{"configMap"_L1,
                          QJsonObject{{"name"_L1, u"kube-root-ca.crt"_s},
                                      {"items"_L1, QJsonArray{QJsonObject{{"key"_L1, u"ca.crt"_s},
                                                                          {"path"_L1, u"ca.crt"_s}}}}}}},
             QJsonObject{{"downwardAPI"_L1,
                          QJsonObject{{"items"_L1,
                                       QJsonArray{QJsonObject{
                                           {"path"_L1, u"namespace"_s},
                                           {"fieldRef"_L1,
                                            QJsonObject{{"apiVersion"_L1, u"v1"_s},
                                                        {"fieldPath"_L1, u"metadata.namespace"_s}}}}}}}}}}}};
    return {{"name"_L1, name}, {"projected"_L1, projected}};
}

QJsonObject apiAccessMount(const QString &name)
{
    return {{"name"_L1, name},
            {"readOnly"_L1, true},
            {"mountPath"_L1, u"/var/run/secrets/kubernetes.io/serviceaccount"_s}};
}

namespace {

QJsonObject fieldSet(const QJsonObject &object, bool withDot);

// Associative lists are keyed the way structured-merge-diff keys them; others are atomic.
QString listKey(const QString &field, const QJsonObject &item)
{
    auto quoted = [](const QString &s) -> QString { return QLatin1Char('"') + s + QLatin1Char('"'); };
    if (field == "ports"_L1 && item.contains("containerPort"_L1))
        return u"k:{\"containerPort\":"_s + QString::number(item.value("containerPort"_L1).toInt()) +
               u",\"protocol\":"_s + quoted(item.value("protocol"_L1).toString(u"TCP"_s)) + u"}"_s;
    if (field == "ports"_L1 && item.contains("port"_L1))
        return u"k:{\"port\":"_s + QString::number(item.value("port"_L1).toInt()) + u",\"protocol\":"_s +
               quoted(item.value("protocol"_L1).toString(u"TCP"_s)) + u"}"_s;
    if (field == "volumeMounts"_L1)
        return u"k:{\"mountPath\":"_s + quoted(item.value("mountPath"_L1).toString()) + u"}"_s;
    if (field == "conditions"_L1)
        return u"k:{\"type\":"_s + quoted(item.value("type"_L1).toString()) + u"}"_s;
    if (field == "ownerReferences"_L1)
        return u"k:{\"uid\":"_s + quoted(item.value("uid"_L1).toString()) + u"}"_s;
    if (field == "podIPs"_L1 || field == "hostIPs"_L1)
        return u"k:{\"ip\":"_s + quoted(item.value("ip"_L1).toString()) + u"}"_s;
    if (item.contains("name"_L1))
        return u"k:{\"name\":"_s + quoted(item.value("name"_L1).toString()) + u"}"_s;
    return {};
}

QJsonObject listSet(const QString &field, const QJsonArray &items)
{
    QJsonObject out;
    // containers is required (never omitted), so no manager owns "the list itself".
    if (field != "containers"_L1 && field != "initContainers"_L1)
        out.insert("."_L1, QJsonObject());
    for (const QJsonValue &v : items) {
        if (!v.isObject())
            return {};
        const QString key = listKey(field, v.toObject());
        if (key.isEmpty())
            return {}; // atomic list (tolerations, args, command)
        // An owner reference is granular only as a whole entry.
        out.insert(key, field == "ownerReferences"_L1 ? QJsonObject() : fieldSet(v.toObject(), true));
    }
    return out;
}

QJsonObject fieldSet(const QJsonObject &object, bool withDot)
{
    QJsonObject out;
    if (withDot)
        out.insert("."_L1, QJsonObject());
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = u"f:"_s + it.key();
        const QJsonValue v = it.value();
        if (v.isObject() && !v.toObject().isEmpty())
            out.insert(key, fieldSet(v.toObject(), true));
        else if (v.isArray())
            out.insert(key, listSet(it.key(), v.toArray()));
        else
            out.insert(key, QJsonObject());
    }
    return out;
}

} // namespace

QJsonObject fieldsV1(const QJsonObject &object)
{
    // metadata/spec/status themselves are never owned, so no "." at the first two levels.
    QJsonObject out;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = u"f:"_s + it.key();
        if (it.value().isObject())
            out.insert(key, fieldSet(it.value().toObject(), false));
        else
            out.insert(key, QJsonObject());
    }
    return out;
}

QString backOffMessage(int seconds, const QString &container, const QString &pod, const QString &ns,
                       const QString &uid)
{
    // Go's Duration formatting: 10s, 40s, 1m20s, 5m0s.
    const QString delay =
        seconds < 60
            ? QString(QString::number(seconds) + u"s"_s)
            : QString(QString::number(seconds / 60) + u"m"_s + QString::number(seconds % 60) + u"s"_s);
    return u"back-off "_s + delay + u" restarting failed container="_s + container + u" pod="_s + pod +
           QLatin1Char('_') + ns + QLatin1Char('(') + uid + QLatin1Char(')');
}

QJsonObject managedEntry(const QString &manager, const QString &time, const QJsonObject &fields,
                         const QString &subresource, const QString &apiVersion)
{
    QJsonObject e{{"manager"_L1, manager}, {"operation"_L1, u"Update"_s},    {"apiVersion"_L1, apiVersion},
                  {"time"_L1, time},       {"fieldsType"_L1, u"FieldsV1"_s}, {"fieldsV1"_L1, fields}};
    if (!subresource.isEmpty())
        e.insert("subresource"_L1, subresource);
    return e;
}

QJsonObject kubeletFields(const QString &podIP)
{
    static const QJsonObject conditionFields{{"."_L1, QJsonObject()},
                                             {"f:lastProbeTime"_L1, QJsonObject()},
                                             {"f:lastTransitionTime"_L1, QJsonObject()},
                                             {"f:status"_L1, QJsonObject()},
                                             {"f:type"_L1, QJsonObject()}};
    static const QJsonObject base = [] {
        QJsonObject conditions;
        for (const char *t : {"ContainersReady", "Initialized", "Ready"})
            conditions.insert(u"k:{\"type\":\""_s + QLatin1StringView(t) + u"\"}"_s, conditionFields);
        return QJsonObject{{"f:conditions"_L1, conditions},
                           {"f:containerStatuses"_L1, QJsonObject()},
                           {"f:hostIP"_L1, QJsonObject()},
                           {"f:phase"_L1, QJsonObject()},
                           {"f:startTime"_L1, QJsonObject()}};
    }();
    QJsonObject status = base;
    if (!podIP.isEmpty()) {
        status.insert("f:podIP"_L1, QJsonObject());
        status.insert("f:podIPs"_L1,
                      QJsonObject{{"."_L1, QJsonObject()},
                                  {u"k:{\"ip\":\""_s + podIP + u"\"}"_s,
                                   QJsonObject{{"."_L1, QJsonObject()}, {"f:ip"_L1, QJsonObject()}}}});
    }
    return {{"f:status"_L1, status}};
}

QJsonObject kubeletEntry(const QString &time, const QString &podIP)
{
    return managedEntry(u"kubelet"_s, time, kubeletFields(podIP), u"status"_s);
}

QString qosClass(const QJsonArray &containers)
{
    bool any = false;
    bool guaranteed = true;
    for (const QJsonValue &c : containers) {
        const QJsonObject res = c.toObject().value("resources"_L1).toObject();
        const QJsonObject req = res.value("requests"_L1).toObject();
        const QJsonObject lim = res.value("limits"_L1).toObject();
        if (!req.isEmpty() || !lim.isEmpty())
            any = true;
        for (const char *r : {"cpu", "memory"}) {
            const QJsonValue l = lim.value(QLatin1StringView(r));
            // Requests default to limits, so a limit alone still counts as equal.
            if (l.isUndefined() ||
                (req.contains(QLatin1StringView(r)) && req.value(QLatin1StringView(r)) != l))
                guaranteed = false;
        }
    }
    if (!any)
        return u"BestEffort"_s;
    return guaranteed ? u"Guaranteed"_s : u"Burstable"_s;
}

QString unreadyMessage(const QStringList &containers)
{
    return u"containers with unready status: ["_s + containers.join(QLatin1Char(' ')) + u"]"_s;
}

} // namespace cw::sim::pods
