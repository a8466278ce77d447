// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store.h"

#include <QHash>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QString>

#include <utility>

namespace cw::sim {

class ChurnIndex;
class EventRecorder;
class Kubelet;

// The kube-controller-manager part of the churn: the ReplicaSet controller (keeps spec.replicas pods,
// reports status), the Deployment controller (rolling updates through ReplicaSets, reports status) and the
// CronJob/Job controllers' pod creation. Every sync starts from a fresh read of the objects it decides on.
class Controllers
{
public:
    Controllers(Store &store, ChurnIndex &index, EventRecorder &events, Kubelet &kubelet,
                QRandomGenerator &rng);

    void syncReplicaSet(const QString &key, qint64 now);
    void syncDeployment(const QString &key, qint64 now);
    // A CronJob fired in `ns`: its Job's pod appears, Pending.
    bool createJobPod(const QString &ns, qint64 now);

private:
    struct RsView; // a ReplicaSet as the deployment controller weighs it
    void scaleReplicaSet(const RsView &rs, int replicas, int desired, const ObjectPtr &deployment,
                         qint64 now);
    void writeDeploymentStatus(const ObjectPtr &deployment, const QJsonObject &json,
                               const QJsonObject &status);
    bool isReady(const ObjectPtr &pod);

    Store &m_store;
    ChurnIndex &m_index;
    EventRecorder &m_events;
    Kubelet &m_kubelet;
    QRandomGenerator &m_rng;
    const ResourceType *m_podType;
    const ResourceType *m_rsType;
    const ResourceType *m_deploymentType;
    // Pod readiness by the resourceVersion it was read at: saves parsing every member of a ReplicaSet on
    // every sync, and a newer version of the pod always gets looked at afresh.
    QHash<QString, std::pair<qint64, bool>> m_readiness;
};

} // namespace cw::sim
