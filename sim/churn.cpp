// SPDX-License-Identifier: Apache-2.0
#include "churn.h"

#include "appresources.h"
#include "churnindex.h"
#include "controllers.h"
#include "eventrecorder.h"
#include "kubelet.h"
#include "names.h"
#include "store.h"
#include "workloads.h"

#include <QDateTime>
#include <QJsonArray>

#include <set>

using namespace Qt::StringLiterals;

namespace cw::sim {

namespace {

// A stalled clock (suspended laptop, debugger) must not turn into a burst of hours of churn at once.
constexpr qint64 kMaxStepMs = 5000;
constexpr int kTickMs = 100;
// Coarser than a tick: the warm-up makes the same changes in fewer, cheaper steps.
constexpr int kWarmUpStepMs = 1000;

// A settled Deployment: nothing in flight, so a new rollout starts from a clean state.
bool settled(const QJsonObject &deployment)
{
    const QJsonObject meta = deployment.value("metadata"_L1).toObject();
    const QJsonObject status = deployment.value("status"_L1).toObject();
    const int replicas = deployment.value("spec"_L1).toObject().value("replicas"_L1).toInt(1);
    return status.value("observedGeneration"_L1).toInteger() >= meta.value("generation"_L1).toInteger(1) &&
           status.value("updatedReplicas"_L1).toInt() == replicas &&
           status.value("replicas"_L1).toInt() == replicas &&
           status.value("availableReplicas"_L1).toInt() == replicas;
}

// The next patch release of the first container's image ("app:v1.8.0" -> "app:v1.8.1").
bool bumpImage(QJsonObject &podTemplate)
{
    QJsonObject spec = podTemplate.value("spec"_L1).toObject();
    QJsonArray containers = spec.value("containers"_L1).toArray();
    QJsonObject container = containers.at(0).toObject();
    const QString next = neighbourRelease(container.value("image"_L1).toString(), true);
    if (next.isEmpty())
        return false;
    container.insert("image"_L1, next);
    containers.replace(0, container);
    spec.insert("containers"_L1, containers);
    podTemplate.insert("spec"_L1, spec);
    return true;
}

// {"a": {"b": ... leaf}} for a fieldsV1 path.
QJsonObject nested(const QStringList &path, const QJsonObject &leaf)
{
    QJsonObject out = leaf;
    for (auto it = path.crbegin(); it != path.crend(); ++it)
        out = QJsonObject{{*it, out}};
    return out;
}

// The client that made a change shows up in managedFields, as on a real server.
void recordManager(QJsonObject &object, const QString &manager, const QString &time,
                   const QJsonObject &fields)
{
    QJsonObject meta = object.value("metadata"_L1).toObject();
    QJsonArray managed = meta.value("managedFields"_L1).toArray();
    const QJsonObject entry{{"manager"_L1, manager},          {"operation"_L1, u"Update"_s},
                            {"apiVersion"_L1, u"apps/v1"_s},  {"time"_L1, time},
                            {"fieldsType"_L1, u"FieldsV1"_s}, {"fieldsV1"_L1, fields}};
    qsizetype at = -1;
    for (qsizetype i = 0; i < managed.size(); ++i) {
        if (managed.at(i).toObject().value("manager"_L1).toString() == manager)
            at = i;
    }
    if (at >= 0)
        managed.replace(at, entry);
    else
        managed.append(entry);
    meta.insert("managedFields"_L1, managed);
    object.insert("metadata"_L1, meta);
}

} // namespace

Churn::Churn(Store &store, ChurnConfig config, QObject *parent)
    : QObject(parent), m_store(store), m_config(config), m_rng(config.seed),
      m_podType(findResource({}, u"v1"_s, u"pods"_s)),
      m_rsType(findResource(u"apps"_s, u"v1"_s, u"replicasets"_s)),
      m_deploymentType(findResource(u"apps"_s, u"v1"_s, u"deployments"_s)),
      m_configMapType(findResource({}, u"v1"_s, u"configmaps"_s)),
      m_index(std::make_unique<ChurnIndex>(store)),
      m_events(std::make_unique<EventRecorder>(store, config.eventTtlSeconds)),
      m_kubelet(std::make_unique<Kubelet>(store, *m_events, m_rng, config.graceSeconds)),
      m_controllers(std::make_unique<Controllers>(store, *m_index, *m_events, *m_kubelet, m_rng))
{
    // The churn's informer: every write, ours included, keeps the index current.
    connect(&store, &Store::changed, this, [this](const StoreEvent &event) { m_index->apply(event); });
    connect(&store, &Store::historyReset, this, [this] { m_index->rebuild(true); });
    m_timer.setInterval(kTickMs);
    connect(&m_timer, &QTimer::timeout, this, [this] { step(QDateTime::currentMSecsSinceEpoch()); });
}

Churn::~Churn()
{
    // Nothing may reach the index while the parts below are being torn down.
    disconnect(&m_store, nullptr, this, nullptr);
}

void Churn::start()
{
    if (m_last < 0 && m_config.warmUpSeconds > 0) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        // Nobody watches the warm-up: like a freshly started API server, it keeps only the current state,
        // and compacting as it goes keeps the warm-up's peak (and the heap it leaves behind) small.
        int ticks = 0;
        for (qint64 t = now - qint64(m_config.warmUpSeconds) * 1000; t < now; t += kWarmUpStepMs) {
            step(t);
            if (++ticks % 5 == 0)
                m_store.compactNow();
        }
        m_store.compactNow();
    }
    m_timer.start();
}

void Churn::stop()
{
    m_timer.stop();
}

void Churn::begin(qint64 now)
{
    const QList<ObjectPtr> pods = m_store.list(m_podType, {});
    std::set<QString> jobNamespaces;
    for (const ObjectPtr &pod : pods) {
        m_kubelet->adopt(pod, now);
        if (pod->labels.contains(u"job-name"_s))
            jobNamespaces.insert(pod->ns);
    }
    m_jobNamespaces = QStringList(jobNamespaces.begin(), jobNamespaces.end());
    m_jobTarget = m_index->jobPodCount();
    // Crash loops found running keep going; disruptions add about one in a hundred pods more, twenty at most.
    m_crashLoopCap = m_kubelet->crashLooping() + std::clamp(int(pods.size()) / 100, 1, 20);
    m_index->takeUnscheduled(); // adopt() already queued them
    // Rollouts or scalings left half-done (by an earlier churn, or a client) are picked up again; settled
    // workloads, nearly all of them after populate(), cost nothing more than this look.
    for (const ObjectPtr &deployment : m_store.list(m_deploymentType, {})) {
        if (!settled(deployment->toJsonObject()))
            m_index->markDeploymentDirty(deployment->key());
    }
    for (const ObjectPtr &rs : m_store.list(m_rsType, {})) {
        const QJsonObject json = rs->toJsonObject();
        const int replicas = json.value("spec"_L1).toObject().value("replicas"_L1).toInt(1);
        const QJsonObject status = json.value("status"_L1).toObject();
        if (status.value("replicas"_L1).toInt() != replicas ||
            status.value("readyReplicas"_L1).toInt() != replicas)
            m_index->markReplicaSetDirty(rs->key());
    }
}

void Churn::step(qint64 now)
{
    if (m_last < 0) {
        m_last = now;
        begin(now);
    }
    const qint64 elapsed = std::clamp<qint64>(now - m_last, 0, kMaxStepMs);
    m_last = std::max(m_last, now);
    m_podBudget += m_config.podChangesPerSecond * double(elapsed) / 1000.0;
    m_rolloutBudget += m_config.deploymentRolloutsPerMinute * double(elapsed) / 60'000.0;
    m_configBudget += m_config.configMapUpdatesPerMinute * double(elapsed) / 60'000.0;
    // The epsilon keeps summed tenths of a second from falling just short of a whole unit.
    constexpr double whole = 1 - 1e-9;
    for (; m_podBudget >= whole; m_podBudget -= 1)
        disruptPod(now);
    for (; m_rolloutBudget >= whole; m_rolloutBudget -= 1)
        startRollout(now);
    for (; m_configBudget >= whole; m_configBudget -= 1)
        updateConfigMap();

    for (const QString &key : m_index->takeUnscheduled())
        m_kubelet->admit(key, now);
    m_kubelet->runDue(now);
    collectGarbage(now);
    reconcile(now);
    keepJobsGoing(now);
    for (const QString &key : m_index->takeUnscheduled())
        m_kubelet->admit(key, now);
    m_events->expire(now);
}

void Churn::disruptPod(qint64 now)
{
    const int kind = m_rng.bounded(100);
    // A few tries to find a pod the disruption applies to; on a quiet cluster it may simply not happen.
    for (int attempt = 0; attempt < 8 && m_index->podCount() > 0; ++attempt) {
        const QString key = m_index->podKeyAt(m_rng.bounded(int(m_index->podCount())));
        const qsizetype slash = key.indexOf(QLatin1Char('/'));
        const ObjectPtr pod = m_store.get(m_podType, key.left(slash), key.mid(slash + 1));
        if (!pod)
            continue;
        bool done = false;
        if (kind < 35) {
            // Evicted or deleted: only pods a ReplicaSet will replace, so the population holds.
            if (pod->labels.contains(u"pod-template-hash"_s) &&
                pod->fields.value(u"status.phase"_s) == "Running"_L1)
                done = m_kubelet->deleteGracefully(pod, now);
        } else if (kind < 65) {
            done = m_kubelet->failLiveness(pod, now);
        } else if (kind < 85) {
            done = m_kubelet->failReadiness(pod, now);
        } else if (m_kubelet->crashLooping() < m_crashLoopCap) {
            done = m_kubelet->startCrashLoop(pod, now);
        } else {
            done = m_kubelet->failLiveness(pod, now);
        }
        if (done)
            return;
    }
}

void Churn::startRollout(qint64 now)
{
    const QList<ObjectPtr> all = m_store.list(m_deploymentType, {});
    for (int attempt = 0; attempt < 5 && !all.isEmpty(); ++attempt) {
        QJsonObject deployment = all.at(m_rng.bounded(int(all.size())))->toJsonObject();
        if (!settled(deployment))
            continue;
        QJsonObject spec = deployment.value("spec"_L1).toObject();
        QJsonObject podTemplate = spec.value("template"_L1).toObject();
        const QString time = formatTime(now);
        QJsonObject changed;
        QString manager;
        if (m_rng.bounded(2) == 0 && bumpImage(podTemplate)) {
            // kubectl set image
            manager = u"kubectl-set"_s;
            const QString container = podTemplate.value("spec"_L1)
                                          .toObject()
                                          .value("containers"_L1)
                                          .toArray()
                                          .at(0)
                                          .toObject()
                                          .value("name"_L1)
                                          .toString();
            changed = nested({u"f:spec"_s, u"f:template"_s, u"f:spec"_s, u"f:containers"_s,
                              u"k:{\"name\":\""_s + container + u"\"}"_s, u"f:image"_s},
                             {});
        } else {
            // kubectl rollout restart
            manager = u"kubectl-rollout"_s;
            QJsonObject meta = podTemplate.value("metadata"_L1).toObject();
            QJsonObject annotations = meta.value("annotations"_L1).toObject();
            annotations.insert("kubectl.kubernetes.io/restartedAt"_L1, time);
            meta.insert("annotations"_L1, annotations);
            podTemplate.insert("metadata"_L1, meta);
            changed =
                nested({u"f:spec"_s, u"f:template"_s, u"f:metadata"_s, u"f:annotations"_s},
                       {{"."_L1, QJsonObject()}, {"f:kubectl.kubernetes.io/restartedAt"_L1, QJsonObject()}});
        }
        spec.insert("template"_L1, podTemplate);
        deployment.insert("spec"_L1, spec);
        recordManager(deployment, manager, time, changed);
        // The store bumps generation; the deployment controller sees the change through the index.
        m_store.update(m_deploymentType, deployment);
        return;
    }
}

void Churn::updateConfigMap()
{
    // Only application config changes; the cluster's own (CA bundle, kube-system) stays put.
    const QList<ObjectPtr> candidates =
        m_store.list(m_configMapType, {}, 0, {}, 0, nullptr, nullptr, [](const SimObject &cm) {
            return cm.name != "kube-root-ca.crt"_L1 && !cm.ns.startsWith("kube-"_L1);
        });
    if (candidates.isEmpty())
        return;
    const ObjectPtr picked = candidates.at(m_rng.bounded(int(candidates.size())));
    m_store.update(m_configMapType, bumpConfigMap(picked->toJsonObject(), m_rng));
}

void Churn::keepJobsGoing(qint64 now)
{
    // CronJobs keep firing: as finished Job pods are cleaned up, new ones start, holding the count.
    if (m_jobNamespaces.isEmpty() || now < m_nextJobMs || m_index->jobPodCount() >= m_jobTarget)
        return;
    m_controllers->createJobPod(m_jobNamespaces.at(m_rng.bounded(int(m_jobNamespaces.size()))), now);
    m_nextJobMs = now + m_rng.bounded(2000, 15'000);
}

void Churn::collectGarbage(qint64 now)
{
    // Background cascading deletion: a deleted Deployment's ReplicaSets go, a deleted ReplicaSet's pods go.
    for (const ChurnIndex::Orphan &orphan : m_index->takeOrphans()) {
        const qsizetype slash = orphan.key.indexOf(QLatin1Char('/'));
        const ObjectPtr object = m_store.get(orphan.type, orphan.key.left(slash), orphan.key.mid(slash + 1));
        if (!object)
            continue;
        bool owned = false;
        for (const QJsonValue &owner :
             object->toJsonObject().value("metadata"_L1).toObject().value("ownerReferences"_L1).toArray())
            owned = owned || owner.toObject().value("uid"_L1).toString() == orphan.ownerUid;
        if (!owned)
            continue;
        if (orphan.type == m_podType)
            m_kubelet->deleteGracefully(object, now);
        else
            m_store.remove(orphan.type, object->ns, object->name);
    }
}

void Churn::reconcile(qint64 now)
{
    // Two rounds: a Deployment change scales a ReplicaSet, whose controller then acts in the same step.
    for (int round = 0; round < 2; ++round) {
        const std::set<QString> deployments = m_index->takeDirtyDeployments();
        for (const QString &key : deployments)
            m_controllers->syncDeployment(key, now);
        const std::set<QString> replicaSets = m_index->takeDirtyReplicaSets();
        for (const QString &key : replicaSets)
            m_controllers->syncReplicaSet(key, now);
        if (deployments.empty() && replicaSets.empty())
            break;
    }
}

} // namespace cw::sim
