// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QString>

// The building blocks of pod JSON shared by the factory (pods built directly in a state, for populate) and
// the lifecycle (pods walked from state to state, for churn), so both produce exactly the same shapes.
namespace cw::sim::pods {

// Order the kubelet writes pod conditions in; kept so diffs between versions stay small and readable.
// (v1.28 nodes: no PodReadyToStartContainers condition and no hostIPs yet; both came in 1.29.)
enum class Condition
{
    Initialized,
    Ready,
    ContainersReady,
    Scheduled
};
QString conditionType(Condition c);
QJsonObject condition(Condition c, bool status, const QString &time, const QString &reason = {},
                      const QString &message = {});

QJsonObject runningState(const QString &startedAt);
QJsonObject waitingState(const QString &reason, const QString &message = {});
QJsonObject terminatedState(int exitCode, const QString &reason, const QString &startedAt,
                            const QString &finishedAt, const QString &containerId);

// What the kubelet reports for an image: the fully qualified reference and a repo digest.
QString imageRef(const QString &image);
QString imageId(const QString &image);
QString containerId(QRandomGenerator &rng);

// The ServiceAccount token volume admission adds to every pod that automounts one.
QJsonObject apiAccessVolume(const QString &name);
QJsonObject apiAccessMount(const QString &name);

// managedFields: fieldsV1 for the fields set in `object` (what a manager that wrote it owns).
QJsonObject fieldsV1(const QJsonObject &object);
QJsonObject managedEntry(const QString &manager, const QString &time, const QJsonObject &fields,
                         const QString &subresource = {}, const QString &apiVersion = QStringLiteral("v1"));
// The kubelet's status entry: it owns the conditions but PodScheduled, the addresses, phase, start time.
QJsonObject kubeletEntry(const QString &time, const QString &podIP);
QJsonObject kubeletFields(const QString &podIP);

// The kubelet's CrashLoopBackOff waiting message.
QString backOffMessage(int seconds, const QString &container, const QString &pod, const QString &ns,
                       const QString &uid);

// Guaranteed / Burstable / BestEffort from the containers' requests and limits.
QString qosClass(const QJsonArray &containers);
// "containers with unready status: [a b]"
QString unreadyMessage(const QStringList &containers);

} // namespace cw::sim::pods
