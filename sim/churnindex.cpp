// SPDX-License-Identifier: Apache-2.0
#include "churnindex.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace cw::sim {

namespace {

const QString kHashLabel = u"pod-template-hash"_s;

QString hashKey(const ObjectPtr &object)
{
    const QString hash = object->labels.value(kHashLabel);
    return hash.isEmpty() ? QString() : QString(object->ns + QLatin1Char('/') + hash);
}

} // namespace

ChurnIndex::ChurnIndex(const Store &store)
    : m_store(store), m_podType(findResource({}, u"v1"_s, u"pods"_s)),
      m_rsType(findResource(u"apps"_s, u"v1"_s, u"replicasets"_s)),
      m_deploymentType(findResource(u"apps"_s, u"v1"_s, u"deployments"_s))
{
    rebuild(false);
}

void ChurnIndex::rebuild(bool resync)
{
    m_pods.clear();
    m_podSlot.clear();
    m_jobPods.clear();
    m_unscheduled.clear();
    m_podsByHash.clear();
    m_rsByHash.clear();
    m_hashOfRs.clear();
    m_deploymentOfRs.clear();
    m_rsOfDeployment.clear();
    for (const ObjectPtr &rs : m_store.list(m_rsType, {})) {
        addReplicaSet(rs);
        if (resync)
            m_dirtyRs.insert(rs->key());
    }
    for (const ObjectPtr &pod : m_store.list(m_podType, {}))
        addPod(pod, false);
    if (resync) {
        for (const ObjectPtr &d : m_store.list(m_deploymentType, {}))
            m_dirtyDeployments.insert(d->key());
    }
}

void ChurnIndex::apply(const StoreEvent &event)
{
    const ObjectPtr &object = event.object;
    if (object->type == m_podType) {
        if (event.previous)
            removePod(event.previous);
        if (event.type != EventType::Deleted)
            addPod(object, event.type == EventType::Added);
        if (event.previous)
            touchPodOwner(event.previous);
        touchPodOwner(object);
    } else if (object->type == m_rsType) {
        if (event.type == EventType::Deleted) {
            for (const QString &pod : podsOf(object->key()))
                m_orphans.push_back({m_podType, object->ns + QLatin1Char('/') + pod, object->uid});
        }
        if (event.previous)
            removeReplicaSet(event.previous);
        if (event.type != EventType::Deleted) {
            addReplicaSet(object);
            m_dirtyRs.insert(object->key());
            const QString deployment = m_deploymentOfRs.value(object->key());
            if (!deployment.isEmpty())
                m_dirtyDeployments.insert(deployment); // its status follows the ReplicaSet's
        }
    } else if (object->type == m_deploymentType && event.type == EventType::Deleted) {
        for (const QString &rs : m_rsOfDeployment.value(object->key()))
            m_orphans.push_back({m_rsType, rs, object->uid});
    } else if (object->type == m_deploymentType) {
        m_dirtyDeployments.insert(object->key());
    }
}

QStringList ChurnIndex::takeUnscheduled()
{
    return std::exchange(m_unscheduled, {});
}

QStringList ChurnIndex::podsOf(const QString &replicaSetKey) const
{
    const QSet<QString> names = m_podsByHash.value(m_hashOfRs.value(replicaSetKey));
    QStringList sorted(names.begin(), names.end());
    std::sort(sorted.begin(), sorted.end());
    return sorted;
}

QStringList ChurnIndex::replicaSetsOf(const QString &deploymentKey) const
{
    const std::set<QString> keys = m_rsOfDeployment.value(deploymentKey);
    return QStringList(keys.begin(), keys.end());
}

void ChurnIndex::addPod(const ObjectPtr &pod, bool fresh)
{
    const QString key = pod->key();
    if (!m_podSlot.contains(key)) {
        m_podSlot.insert(key, qsizetype(m_pods.size()));
        m_pods.push_back(key);
    }
    if (pod->labels.contains(u"job-name"_s))
        m_jobPods.insert(key);
    const QString hash = hashKey(pod);
    if (!hash.isEmpty())
        m_podsByHash[hash].insert(pod->name);
    if (fresh && pod->fields.value(u"spec.nodeName"_s).isEmpty() && !pod->isTerminating())
        m_unscheduled << key;
}

void ChurnIndex::removePod(const ObjectPtr &pod)
{
    const QString key = pod->key();
    const auto slot = m_podSlot.constFind(key);
    if (slot != m_podSlot.cend()) {
        // Swap-remove: the last key takes the freed slot.
        const qsizetype at = *slot;
        m_podSlot.erase(slot);
        if (at != qsizetype(m_pods.size()) - 1) {
            m_pods[size_t(at)] = m_pods.back();
            m_podSlot.insert(m_pods[size_t(at)], at);
        }
        m_pods.pop_back();
    }
    m_jobPods.remove(key);
    const QString hash = hashKey(pod);
    if (!hash.isEmpty()) {
        auto it = m_podsByHash.find(hash);
        if (it != m_podsByHash.end()) {
            it->remove(pod->name);
            if (it->isEmpty())
                m_podsByHash.erase(it);
        }
    }
}

void ChurnIndex::touchPodOwner(const ObjectPtr &pod)
{
    const QString rs = m_rsByHash.value(hashKey(pod));
    if (!rs.isEmpty())
        m_dirtyRs.insert(rs);
}

void ChurnIndex::addReplicaSet(const ObjectPtr &rs)
{
    const QString key = rs->key();
    const QString hash = hashKey(rs);
    if (!hash.isEmpty()) {
        m_rsByHash.insert(hash, key);
        m_hashOfRs.insert(key, hash);
    }
    for (const QJsonValue &owner :
         rs->toJsonObject().value("metadata"_L1).toObject().value("ownerReferences"_L1).toArray()) {
        const QJsonObject o = owner.toObject();
        if (o.value("kind"_L1) == u"Deployment"_s && o.value("controller"_L1).toBool()) {
            const QString deployment = rs->ns + QLatin1Char('/') + o.value("name"_L1).toString();
            m_deploymentOfRs.insert(key, deployment);
            m_rsOfDeployment[deployment].insert(key);
        }
    }
}

void ChurnIndex::removeReplicaSet(const ObjectPtr &rs)
{
    const QString key = rs->key();
    const QString hash = m_hashOfRs.take(key);
    if (!hash.isEmpty() && m_rsByHash.value(hash) == key)
        m_rsByHash.remove(hash);
    const QString deployment = m_deploymentOfRs.take(key);
    if (!deployment.isEmpty()) {
        auto it = m_rsOfDeployment.find(deployment);
        if (it != m_rsOfDeployment.end()) {
            it->erase(key);
            if (it->empty())
                m_rsOfDeployment.erase(it);
        }
        m_dirtyDeployments.insert(deployment);
    }
}

} // namespace cw::sim
