// SPDX-License-Identifier: Apache-2.0
#include "podlifecycle.h"

#include "names.h"
#include "podparts.h"

#include <QJsonArray>

#include <array>

using namespace Qt::StringLiterals;

namespace cw::sim::lifecycle {

using pods::Condition;

namespace {

QJsonObject section(const QJsonObject &pod, QLatin1StringView name)
{
    return pod.value(name).toObject();
}

QJsonArray containerStatuses(const QJsonObject &pod)
{
    return section(pod, "status"_L1).value("containerStatuses"_L1).toArray();
}

QJsonObject containerStatus(const QJsonObject &pod, int index)
{
    return containerStatuses(pod).at(index).toObject();
}

// Sets one condition, keeping lastTransitionTime when the status does not change (as the kubelet does) and
// the kubelet's canonical order.
void setCondition(QJsonObject &status, Condition which, bool value, const QString &time,
                  const QString &reason = {}, const QString &message = {})
{
    constexpr std::array order{Condition::Initialized, Condition::Ready, Condition::ContainersReady,
                               Condition::Scheduled};
    const QJsonArray old = status.value("conditions"_L1).toArray();
    const QString type = pods::conditionType(which);
    QJsonArray out;
    for (const Condition c : order) {
        const QString t = pods::conditionType(c);
        QJsonObject existing;
        for (const QJsonValue &v : old) {
            if (v.toObject().value("type"_L1).toString() == t)
                existing = v.toObject();
        }
        if (c == which) {
            const bool same = existing.value("status"_L1).toString() == (value ? u"True"_s : u"False"_s);
            const QString since = same ? existing.value("lastTransitionTime"_L1).toString() : time;
            out.append(pods::condition(c, value, since, reason, message));
        } else if (!existing.isEmpty()) {
            out.append(existing);
        }
    }
    status.insert("conditions"_L1, out);
}

// Re-stamps the kubelet's managedFields entry after one of its status writes.
void touchKubeletFields(QJsonObject &pod, qint64 now)
{
    QJsonObject meta = section(pod, "metadata"_L1);
    QJsonArray managed = meta.value("managedFields"_L1).toArray();
    const QString podIP = section(pod, "status"_L1).value("podIP"_L1).toString();
    const QJsonObject entry = pods::kubeletEntry(formatTime(now), podIP);
    bool replaced = false;
    for (qsizetype i = 0; i < managed.size(); ++i) {
        const QJsonObject e = managed.at(i).toObject();
        if (e.value("manager"_L1) == u"kubelet"_s && e.value("subresource"_L1) == u"status"_s) {
            managed.replace(i, entry);
            replaced = true;
        }
    }
    if (!replaced)
        managed.append(entry);
    meta.insert("managedFields"_L1, managed);
    pod.insert("metadata"_L1, meta);
}

void recomputeReadiness(QJsonObject &status, const QString &time)
{
    QStringList unready;
    for (const QJsonValue &v : status.value("containerStatuses"_L1).toArray()) {
        if (!v.toObject().value("ready"_L1).toBool())
            unready << v.toObject().value("name"_L1).toString();
    }
    if (unready.isEmpty()) {
        setCondition(status, Condition::Ready, true, time);
        setCondition(status, Condition::ContainersReady, true, time);
    } else {
        const QString message = pods::unreadyMessage(unready);
        setCondition(status, Condition::Ready, false, time, u"ContainersNotReady"_s, message);
        setCondition(status, Condition::ContainersReady, false, time, u"ContainersNotReady"_s, message);
    }
}

// Applies `edit` to container `index` (-1: all) and writes status and managedFields back.
template <typename Edit> void editContainers(QJsonObject &pod, int index, qint64 now, Edit edit)
{
    QJsonObject status = section(pod, "status"_L1);
    QJsonArray statuses = status.value("containerStatuses"_L1).toArray();
    for (qsizetype i = 0; i < statuses.size(); ++i) {
        if (index >= 0 && i != index)
            continue;
        QJsonObject s = statuses.at(i).toObject();
        edit(s);
        statuses.replace(i, s);
    }
    status.insert("containerStatuses"_L1, statuses);
    recomputeReadiness(status, formatTime(now));
    pod.insert("status"_L1, status);
    touchKubeletFields(pod, now);
}

QString startedAt(const QJsonObject &containerStatus)
{
    return containerStatus.value("state"_L1)
        .toObject()
        .value("running"_L1)
        .toObject()
        .value("startedAt"_L1)
        .toString();
}

} // namespace

QString phase(const QJsonObject &pod)
{
    return section(pod, "status"_L1).value("phase"_L1).toString();
}

QString nodeName(const QJsonObject &pod)
{
    return section(pod, "spec"_L1).value("nodeName"_L1).toString();
}

bool isTerminating(const QJsonObject &pod)
{
    return section(pod, "metadata"_L1).contains("deletionTimestamp"_L1);
}

bool isReady(const QJsonObject &pod)
{
    for (const QJsonValue &c : section(pod, "status"_L1).value("conditions"_L1).toArray()) {
        if (c.toObject().value("type"_L1) == u"Ready"_s)
            return c.toObject().value("status"_L1) == u"True"_s;
    }
    return false;
}

QStringList containerNames(const QJsonObject &pod)
{
    QStringList names;
    for (const QJsonValue &c : section(pod, "spec"_L1).value("containers"_L1).toArray())
        names << c.toObject().value("name"_L1).toString();
    return names;
}

QString containerImage(const QJsonObject &pod, int index)
{
    return section(pod, "spec"_L1)
        .value("containers"_L1)
        .toArray()
        .at(index)
        .toObject()
        .value("image"_L1)
        .toString();
}

QString waitingReason(const QJsonObject &pod, int index)
{
    return containerStatus(pod, index)
        .value("state"_L1)
        .toObject()
        .value("waiting"_L1)
        .toObject()
        .value("reason"_L1)
        .toString();
}

bool hasContainerStatuses(const QJsonObject &pod)
{
    return !containerStatuses(pod).isEmpty();
}

int restartCount(const QJsonObject &pod, int index)
{
    return containerStatus(pod, index).value("restartCount"_L1).toInt();
}

QString ownerKind(const QJsonObject &pod)
{
    const QJsonArray owners = section(pod, "metadata"_L1).value("ownerReferences"_L1).toArray();
    return owners.isEmpty() ? QString() : owners.first().toObject().value("kind"_L1).toString();
}

void bind(QJsonObject &pod, const QString &node, qint64 now)
{
    QJsonObject spec = section(pod, "spec"_L1);
    spec.insert("nodeName"_L1, node);
    pod.insert("spec"_L1, spec);
    QJsonObject status = section(pod, "status"_L1);
    setCondition(status, Condition::Scheduled, true, formatTime(now));
    pod.insert("status"_L1, status);
}

void beginCreating(QJsonObject &pod, const QString &hostIP, qint64 now)
{
    const QString time = formatTime(now);
    QJsonObject status = section(pod, "status"_L1);
    status.insert("phase"_L1, u"Pending"_s);
    status.insert("hostIP"_L1, hostIP);
    status.insert("startTime"_L1, time);
    QJsonArray statuses;
    for (const QJsonValue &v : section(pod, "spec"_L1).value("containers"_L1).toArray()) {
        const QJsonObject c = v.toObject();
        statuses.append(QJsonObject{{"name"_L1, c.value("name"_L1)},
                                    {"image"_L1, c.value("image"_L1)},
                                    {"imageID"_L1, QString()},
                                    {"lastState"_L1, QJsonObject()},
                                    {"ready"_L1, false},
                                    {"restartCount"_L1, 0},
                                    {"started"_L1, false},
                                    {"state"_L1, pods::waitingState(u"ContainerCreating"_s)}});
    }
    status.insert("containerStatuses"_L1, statuses);
    setCondition(status, Condition::Initialized, true, time);
    recomputeReadiness(status, time);
    pod.insert("status"_L1, status);
    touchKubeletFields(pod, now);
}

void startContainers(QJsonObject &pod, const QString &podIP, QRandomGenerator &rng, qint64 now)
{
    const QString time = formatTime(now);
    QJsonObject status = section(pod, "status"_L1);
    status.insert("phase"_L1, u"Running"_s);
    status.insert("podIP"_L1, podIP);
    status.insert("podIPs"_L1, QJsonArray{QJsonObject{{"ip"_L1, podIP}}});
    pod.insert("status"_L1, status);
    editContainers(pod, -1, now, [&](QJsonObject &s) {
        const QString image = s.value("image"_L1).toString();
        s.insert("image"_L1, pods::imageRef(image));
        s.insert("imageID"_L1, pods::imageId(image));
        s.insert("containerID"_L1, pods::containerId(rng));
        s.insert("state"_L1, pods::runningState(time));
        s.insert("started"_L1, true);
        s.insert("ready"_L1, false);
    });
}

void setReady(QJsonObject &pod, int index, bool ready, qint64 now)
{
    editContainers(pod, index, now, [&](QJsonObject &s) {
        // Only a running container can be ready.
        s.insert("ready"_L1, ready && !startedAt(s).isEmpty());
    });
}

void restartContainer(QJsonObject &pod, int index, int exitCode, const QString &reason, QRandomGenerator &rng,
                      qint64 now)
{
    const QString time = formatTime(now);
    editContainers(pod, index, now, [&](QJsonObject &s) {
        s.insert("lastState"_L1, pods::terminatedState(exitCode, reason, startedAt(s), time,
                                                       s.value("containerID"_L1).toString()));
        s.insert("state"_L1, pods::runningState(time));
        s.insert("containerID"_L1, pods::containerId(rng));
        s.insert("restartCount"_L1, s.value("restartCount"_L1).toInt() + 1);
        s.insert("ready"_L1, false);
        s.insert("started"_L1, true);
    });
}

void crash(QJsonObject &pod, int index, int backoffSeconds, bool countRestart, qint64 now)
{
    const QString time = formatTime(now);
    const QJsonObject meta = section(pod, "metadata"_L1);
    editContainers(pod, index, now, [&](QJsonObject &s) {
        const QString started = startedAt(s);
        if (!started.isEmpty()) {
            s.insert("lastState"_L1, pods::terminatedState(1, u"Error"_s, started, time,
                                                           s.value("containerID"_L1).toString()));
        }
        s.insert("state"_L1,
                 pods::waitingState(u"CrashLoopBackOff"_s,
                                    pods::backOffMessage(backoffSeconds, s.value("name"_L1).toString(),
                                                         meta.value("name"_L1).toString(),
                                                         meta.value("namespace"_L1).toString(),
                                                         meta.value("uid"_L1).toString())));
        if (countRestart)
            s.insert("restartCount"_L1, s.value("restartCount"_L1).toInt() + 1);
        s.insert("ready"_L1, false);
        s.insert("started"_L1, false);
    });
}

void retry(QJsonObject &pod, int index, QRandomGenerator &rng, qint64 now)
{
    const QString time = formatTime(now);
    editContainers(pod, index, now, [&](QJsonObject &s) {
        s.insert("state"_L1, pods::runningState(time));
        s.insert("containerID"_L1, pods::containerId(rng));
        s.insert("restartCount"_L1, s.value("restartCount"_L1).toInt() + 1);
        s.insert("started"_L1, true);
        s.insert("ready"_L1, false);
    });
}

void complete(QJsonObject &pod, qint64 now)
{
    const QString time = formatTime(now);
    editContainers(pod, -1, now, [&](QJsonObject &s) {
        QString started = startedAt(s);
        if (started.isEmpty())
            started = time;
        s.insert("state"_L1, pods::terminatedState(0, u"Completed"_s, started, time,
                                                   s.value("containerID"_L1).toString()));
        s.insert("ready"_L1, false);
        s.insert("started"_L1, false);
    });
    QJsonObject status = section(pod, "status"_L1);
    status.insert("phase"_L1, u"Succeeded"_s);
    setCondition(status, Condition::Initialized, true, status.value("startTime"_L1).toString(time),
                 u"PodCompleted"_s);
    setCondition(status, Condition::Ready, false, time, u"PodCompleted"_s);
    setCondition(status, Condition::ContainersReady, false, time, u"PodCompleted"_s);
    pod.insert("status"_L1, status);
}

void markForDeletion(QJsonObject &pod, int graceSeconds, qint64 now)
{
    QJsonObject meta = section(pod, "metadata"_L1);
    meta.insert("deletionTimestamp"_L1, formatTime(now + qint64(graceSeconds) * 1000));
    meta.insert("deletionGracePeriodSeconds"_L1, graceSeconds);
    pod.insert("metadata"_L1, meta);
}

} // namespace cw::sim::lifecycle
