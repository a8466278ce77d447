// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

#include <set>
#include <utility>
#include <vector>

namespace cw::sim {

// What the churn's controllers know about the cluster, kept current from Store::changed the way an
// informer cache is: names and relations only, never object contents. Whoever acts re-reads the object
// from the store first, so a pod changed or deleted behind the churn's back is simply seen as it now is.
class ChurnIndex
{
public:
    explicit ChurnIndex(const Store &store);

    // Full relist: at start, and after the store's history was reset (rewind, compaction) when `resync`
    // also queues every ReplicaSet and Deployment, since changes may have happened unseen.
    void rebuild(bool resync);
    void apply(const StoreEvent &event);

    // Pods, for picking one at random.
    qsizetype podCount() const { return qsizetype(m_pods.size()); }
    const QString &podKeyAt(qsizetype index) const { return m_pods[size_t(index)]; }
    // Pods of CronJob-made Jobs, in any phase.
    int jobPodCount() const { return int(m_jobPods.size()); }
    // Pods that appeared without a node since the last call: the scheduler's queue.
    QStringList takeUnscheduled();

    // Pod names a ReplicaSet selects (by its pod-template-hash), sorted.
    QStringList podsOf(const QString &replicaSetKey) const;
    QString deploymentOf(const QString &replicaSetKey) const { return m_deploymentOfRs.value(replicaSetKey); }
    QStringList replicaSetsOf(const QString &deploymentKey) const;

    // Work for the controllers; ordered so that runs with one seed do the same thing.
    std::set<QString> takeDirtyReplicaSets() { return std::exchange(m_dirtyRs, {}); }
    std::set<QString> takeDirtyDeployments() { return std::exchange(m_dirtyDeployments, {}); }
    void markReplicaSetDirty(const QString &key) { m_dirtyRs.insert(key); }
    void markDeploymentDirty(const QString &key) { m_dirtyDeployments.insert(key); }

    // Dependents whose owner was deleted, for the garbage collector: the object's type and key, and the
    // owner's uid (so a namesake created since is left alone).
    struct Orphan
    {
        const ResourceType *type = nullptr;
        QString key;
        QString ownerUid;
    };
    std::vector<Orphan> takeOrphans() { return std::exchange(m_orphans, {}); }

private:
    void addPod(const ObjectPtr &pod, bool fresh);
    void removePod(const ObjectPtr &pod);
    void addReplicaSet(const ObjectPtr &rs);
    void removeReplicaSet(const ObjectPtr &rs);
    void touchPodOwner(const ObjectPtr &pod);

    const Store &m_store;
    const ResourceType *m_podType;
    const ResourceType *m_rsType;
    const ResourceType *m_deploymentType;
    std::vector<QString> m_pods;         // "ns/name", for random picks
    QHash<QString, qsizetype> m_podSlot; // and where each sits, for O(1) removal
    QSet<QString> m_jobPods;
    QStringList m_unscheduled;
    QHash<QString, QSet<QString>> m_podsByHash; // "ns/pod-template-hash" -> pod names
    QHash<QString, QString> m_rsByHash;         // "ns/pod-template-hash" -> ReplicaSet key
    QHash<QString, QString> m_hashOfRs;
    QHash<QString, QString> m_deploymentOfRs;
    QHash<QString, std::set<QString>> m_rsOfDeployment;
    std::set<QString> m_dirtyRs;
    std::set<QString> m_dirtyDeployments;
    std::vector<Orphan> m_orphans;
};

} // namespace cw::sim
