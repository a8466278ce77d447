// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

// One step of a pod's life at a time, as the scheduler and the kubelet write it. Every function takes the
// pod as just read from the store and edits it in place; the caller writes it back. Times are the sim clock.
namespace cw::sim::lifecycle {

// Reading the parts of a pod the churn decides on.
QString phase(const QJsonObject &pod);
QString nodeName(const QJsonObject &pod);
bool isTerminating(const QJsonObject &pod);
bool isReady(const QJsonObject &pod);
QStringList containerNames(const QJsonObject &pod);
QString containerImage(const QJsonObject &pod, int index);
// The waiting reason of container `index` ("" when it is not waiting or has no status yet).
QString waitingReason(const QJsonObject &pod, int index);
bool hasContainerStatuses(const QJsonObject &pod);
int restartCount(const QJsonObject &pod, int index);
QString ownerKind(const QJsonObject &pod);

// The scheduler's binding: nodeName and PodScheduled.
void bind(QJsonObject &pod, const QString &node, qint64 now);
// The kubelet's first status: Pending, containers waiting in ContainerCreating.
void beginCreating(QJsonObject &pod, const QString &hostIP, qint64 now);
// Sandbox up, containers started (not ready until their readiness probe passes).
void startContainers(QJsonObject &pod, const QString &podIP, QRandomGenerator &rng, qint64 now);
// Readiness of one container (-1: all), with the pod's Ready/ContainersReady conditions recomputed.
void setReady(QJsonObject &pod, int index, bool ready, qint64 now);
// A container died and was restarted at once (liveness failure, OOM kill).
void restartContainer(QJsonObject &pod, int index, int exitCode, const QString &reason, QRandomGenerator &rng,
                      qint64 now);
// A container exited with an error and the kubelet is now backing off before the next start.
void crash(QJsonObject &pod, int index, int backoffSeconds, bool countRestart, qint64 now);
// The back-off expired: the container runs again (restartCount goes up).
void retry(QJsonObject &pod, int index, QRandomGenerator &rng, qint64 now);
// Every container exited 0 (a Job's pod).
void complete(QJsonObject &pod, qint64 now);
// Graceful deletion as the API server records it: deletionTimestamp is when the grace period ends.
void markForDeletion(QJsonObject &pod, int graceSeconds, qint64 now);

} // namespace cw::sim::lifecycle
