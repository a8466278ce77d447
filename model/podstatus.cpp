// SPDX-License-Identifier: Apache-2.0
#include "podstatus.h"

#include "humanduration.h"

#include <QHash>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace cw::model {

namespace {

bool conditionTrue(const QJsonArray &conditions, QLatin1StringView type)
{
    for (const auto &value : conditions) {
        const QJsonObject condition = value.toObject();
        if (condition.value("type"_L1).toString() == type)
            return condition.value("status"_L1).toString() == "True"_L1;
    }
    return false;
}

bool hasReadyCondition(const QJsonArray &conditions)
{
    // kubectl's hasPodReadyCondition looks at every Ready entry, not only the first.
    for (const auto &value : conditions) {
        const QJsonObject condition = value.toObject();
        if (condition.value("type"_L1).toString() == "Ready"_L1 && condition.value("status"_L1).toString() == "True"_L1)
            return true;
    }
    return false;
}

qint64 lastTerminationMs(const QJsonObject &containerStatus)
{
    const QJsonValue terminated = containerStatus.value("lastState"_L1).toObject().value("terminated"_L1);
    if (!terminated.isObject())
        return -1; // no last termination at all
    return parseKubeTime(terminated.toObject().value("finishedAt"_L1).toString());
}

// "Signal:9" / "ExitCode:1" for a terminated state without a reason.
QString exitText(const QJsonObject &terminated)
{
    const int signal = terminated.value("signal"_L1).toInt();
    if (signal != 0)
        return "Signal:"_L1 + QString::number(signal);
    return "ExitCode:"_L1 + QString::number(terminated.value("exitCode"_L1).toInt());
}

} // namespace

PodSummary summarizePod(const QJsonObject &pod)
{
    PodSummary summary;
    const QJsonObject spec = pod.value("spec"_L1).toObject();
    const QJsonObject status = pod.value("status"_L1).toObject();
    const QJsonArray conditions = status.value("conditions"_L1).toArray();
    const QJsonArray initSpecs = spec.value("initContainers"_L1).toArray();
    summary.total = int(spec.value("containers"_L1).toArray().size());

    const QString phase = status.value("phase"_L1).toString();
    QString reason = phase;
    const QString statusReason = status.value("reason"_L1).toString();
    if (!statusReason.isEmpty())
        reason = statusReason;
    for (const auto &value : conditions) {
        const QJsonObject condition = value.toObject();
        if (condition.value("type"_L1).toString() == "PodScheduled"_L1
            && condition.value("reason"_L1).toString() == "SchedulingGated"_L1)
            reason = u"SchedulingGated"_s;
    }

    // Sidecars: init containers with restartPolicy Always run for the pod's whole life.
    QHash<QString, bool> restartable;
    for (const auto &value : initSpecs) {
        const QJsonObject container = value.toObject();
        const bool always = container.value("restartPolicy"_L1).toString() == "Always"_L1;
        restartable.insert(container.value("name"_L1).toString(), always);
        if (always)
            ++summary.total;
    }

    int restarts = 0;
    int sidecarRestarts = 0;
    qint64 lastRestart = 0;
    qint64 lastSidecarRestart = 0;
    bool initializing = false;
    const QJsonArray initStatuses = status.value("initContainerStatuses"_L1).toArray();
    for (qsizetype i = 0; i < initStatuses.size(); ++i) {
        const QJsonObject container = initStatuses.at(i).toObject();
        const int count = container.value("restartCount"_L1).toInt();
        const bool sidecar = restartable.value(container.value("name"_L1).toString(), false);
        restarts += count;
        const qint64 terminatedAt = lastTerminationMs(container);
        if (terminatedAt >= 0)
            lastRestart = std::max(lastRestart, terminatedAt);
        if (sidecar) {
            sidecarRestarts += count;
            if (terminatedAt >= 0)
                lastSidecarRestart = std::max(lastSidecarRestart, terminatedAt);
        }
        const QJsonObject state = container.value("state"_L1).toObject();
        const QJsonValue terminatedValue = state.value("terminated"_L1);
        const QJsonValue waitingValue = state.value("waiting"_L1);
        const QJsonObject terminated = terminatedValue.toObject();
        const QString waitingReason = waitingValue.toObject().value("reason"_L1).toString();
        if (terminatedValue.isObject() && terminated.value("exitCode"_L1).toInt() == 0)
            continue;
        if (sidecar && container.value("started"_L1).toBool()) {
            if (container.value("ready"_L1).toBool())
                ++summary.ready;
            continue;
        }
        if (terminatedValue.isObject()) {
            const QString terminatedReason = terminated.value("reason"_L1).toString();
            reason = terminatedReason.isEmpty() ? "Init:"_L1 + exitText(terminated) : "Init:"_L1 + terminatedReason;
        } else if (waitingValue.isObject() && !waitingReason.isEmpty() && waitingReason != "PodInitializing"_L1) {
            reason = "Init:"_L1 + waitingReason;
        } else {
            reason = "Init:"_L1 + QString::number(i) + u'/' + QString::number(initSpecs.size());
        }
        initializing = true;
        break;
    }

    if (!initializing || conditionTrue(conditions, "Initialized"_L1)) {
        restarts = sidecarRestarts;
        lastRestart = lastSidecarRestart;
        bool hasRunning = false;
        const QJsonArray statuses = status.value("containerStatuses"_L1).toArray();
        for (qsizetype i = statuses.size() - 1; i >= 0; --i) {
            const QJsonObject container = statuses.at(i).toObject();
            restarts += container.value("restartCount"_L1).toInt();
            const qint64 terminatedAt = lastTerminationMs(container);
            if (terminatedAt >= 0)
                lastRestart = std::max(lastRestart, terminatedAt);
            const QJsonObject state = container.value("state"_L1).toObject();
            const QJsonValue waitingValue = state.value("waiting"_L1);
            const QJsonValue terminatedValue = state.value("terminated"_L1);
            const QString waitingReason = waitingValue.toObject().value("reason"_L1).toString();
            const QString terminatedReason = terminatedValue.toObject().value("reason"_L1).toString();
            if (waitingValue.isObject() && !waitingReason.isEmpty())
                reason = waitingReason;
            else if (terminatedValue.isObject() && !terminatedReason.isEmpty())
                reason = terminatedReason;
            else if (terminatedValue.isObject())
                reason = exitText(terminatedValue.toObject());
            else if (container.value("ready"_L1).toBool() && state.value("running"_L1).isObject()) {
                hasRunning = true;
                ++summary.ready;
            }
        }
        // A container still running after another completed: the pod is not done.
        if (reason == "Completed"_L1 && hasRunning)
            reason = hasReadyCondition(conditions) ? u"Running"_s : u"NotReady"_s;
    }

    const bool deleting = !pod.value("metadata"_L1).toObject().value("deletionTimestamp"_L1).toString().isEmpty();
    const bool terminal = phase == "Succeeded"_L1 || phase == "Failed"_L1;
    if (deleting && statusReason == "NodeLost"_L1)
        reason = u"Unknown"_s;
    else if (deleting && !terminal)
        reason = u"Terminating"_s;

    summary.status = reason;
    summary.restarts = restarts;
    summary.lastRestartMs = lastRestart;
    return summary;
}

} // namespace cw::model
