// SPDX-License-Identifier: Apache-2.0
#include "controllers.h"

#include "churnindex.h"
#include "eventrecorder.h"
#include "jobs.h"
#include "kubelet.h"
#include "names.h"
#include "podfactory.h"
#include "podlifecycle.h"
#include "workloads.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;

namespace cw::sim {

namespace {

// The ReplicaSet controller creates at most this many pods per sync (client-go's slow start, simplified).
constexpr int kCreateBurst = 20;

std::pair<QString, QString> split(const QString &key)
{
    const qsizetype slash = key.indexOf(QLatin1Char('/'));
    return {key.left(slash), key.mid(slash + 1)};
}

QJsonObject section(const QJsonObject &o, QLatin1StringView name)
{
    return o.value(name).toObject();
}

bool selects(const QJsonObject &matchLabels, const QMap<QString, QString> &labels)
{
    for (auto it = matchLabels.begin(); it != matchLabels.end(); ++it) {
        if (labels.value(it.key()) != it.value().toString())
            return false;
    }
    return true;
}

// intstr for maxSurge/maxUnavailable: an absolute number or a percentage of `total`.
int resolve(const QJsonValue &value, int total, bool roundUp, int fallbackPercent)
{
    if (value.isDouble())
        return value.toInt();
    QString text = value.toString();
    int percent = fallbackPercent;
    if (text.endsWith(QLatin1Char('%'))) {
        text.chop(1);
        percent = text.toInt();
    } else if (!text.isEmpty()) {
        return text.toInt();
    }
    const double exact = double(total) * percent / 100.0;
    return int(roundUp ? std::ceil(exact) : std::floor(exact));
}

// Keeps a condition's timestamps while what it says stays the same, so a no-op sync writes nothing.
QJsonObject settle(QJsonObject fresh, const QJsonArray &old)
{
    for (const QJsonValue &v : old) {
        const QJsonObject o = v.toObject();
        if (o.value("type"_L1) != fresh.value("type"_L1))
            continue;
        if (o.value("status"_L1) == fresh.value("status"_L1))
            fresh.insert("lastTransitionTime"_L1, o.value("lastTransitionTime"_L1));
        if (o.value("reason"_L1) == fresh.value("reason"_L1) &&
            o.value("message"_L1) == fresh.value("message"_L1))
            fresh.insert("lastUpdateTime"_L1, o.value("lastUpdateTime"_L1));
    }
    return fresh;
}

} // namespace

struct Controllers::RsView
{
    ObjectPtr object;
    QJsonObject json;
    QString hash;
    int replicas = 0; // spec
    int current = 0;  // status.replicas
    int ready = 0;
    int available = 0;
    int revision = 0;

    explicit RsView(const ObjectPtr &rs)
        : object(rs), json(rs->toJsonObject()), hash(rs->labels.value(u"pod-template-hash"_s))
    {
        const QJsonObject status = section(json, "status"_L1);
        replicas = section(json, "spec"_L1).value("replicas"_L1).toInt(1);
        current = status.value("replicas"_L1).toInt();
        ready = status.value("readyReplicas"_L1).toInt();
        available = status.value("availableReplicas"_L1).toInt();
        revision = section(section(json, "metadata"_L1), "annotations"_L1)
                       .value("deployment.kubernetes.io/revision"_L1)
                       .toString()
                       .toInt();
    }
};

Controllers::Controllers(Store &store, ChurnIndex &index, EventRecorder &events, Kubelet &kubelet,
                         QRandomGenerator &rng)
    : m_store(store), m_index(index), m_events(events), m_kubelet(kubelet), m_rng(rng),
      m_podType(findResource({}, u"v1"_s, u"pods"_s)),
      m_rsType(findResource(u"apps"_s, u"v1"_s, u"replicasets"_s)),
      m_deploymentType(findResource(u"apps"_s, u"v1"_s, u"deployments"_s))
{}

void Controllers::syncReplicaSet(const QString &key, qint64 now)
{
    const auto [ns, name] = split(key);
    const ObjectPtr rs = m_store.get(m_rsType, ns, name);
    // Only ReplicaSets made by a Deployment are managed: their pods are found by pod-template-hash.
    if (!rs || rs->isTerminating() || !rs->labels.contains(u"pod-template-hash"_s))
        return;
    QJsonObject json = rs->toJsonObject();
    const QJsonObject spec = section(json, "spec"_L1);
    const int desired = spec.value("replicas"_L1).toInt(1);
    const QJsonObject matchLabels = section(section(spec, "selector"_L1), "matchLabels"_L1);

    struct Member
    {
        ObjectPtr pod;
        int rank = 0; // deletion preference: unscheduled, pending, unready, ready
        QString created;
    };
    std::vector<Member> active;
    for (const QString &podName : m_index.podsOf(key)) {
        const ObjectPtr pod = m_store.get(m_podType, ns, podName);
        if (!pod || pod->isTerminating() || !selects(matchLabels, pod->labels))
            continue;
        const QString phase = pod->fields.value(u"status.phase"_s);
        if (phase == "Succeeded"_L1 || phase == "Failed"_L1)
            continue;
        Member m{pod, 3, {}};
        if (pod->fields.value(u"spec.nodeName"_s).isEmpty())
            m.rank = 0;
        else if (phase != "Running"_L1)
            m.rank = 1;
        else if (!isReady(pod))
            m.rank = 2;
        active.push_back(m);
    }

    const EventTarget target = EventTarget::of(rs);
    const EventSource source{u"replicaset-controller"_s, {}};
    int replicas = int(active.size());
    int ready = int(std::count_if(active.begin(), active.end(), [](const Member &m) { return m.rank == 3; }));
    const int diff = desired - replicas;
    if (diff > 0) {
        const PodFactory factory(ns, section(spec, "template"_L1),
                                 ownerReference(u"apps/v1"_s, u"ReplicaSet"_s, name, rs->uid), name + u"-"_s);
        for (int i = 0; i < std::min(diff, kCreateBurst); ++i) {
            PodInstance pod;
            pod.createdMs = now;
            for (int attempt = 0; attempt < 3; ++attempt) {
                pod.name = factory.generateName() + randomSuffix(m_rng);
                if (const WriteResult created = m_store.create(m_podType, factory.build(pod, m_rng));
                    created.ok()) {
                    m_events.record(now, target, source, false, u"SuccessfulCreate"_s,
                                    u"Created pod: "_s + pod.name);
                    ++replicas;
                    break;
                }
            }
        }
        if (diff > kCreateBurst)
            m_index.markReplicaSetDirty(key);
    } else if (diff < 0) {
        // Like the real controller: the least useful pods go first, newer before older.
        for (Member &m : active)
            m.created =
                section(m.pod->toJsonObject(), "metadata"_L1).value("creationTimestamp"_L1).toString();
        std::sort(active.begin(), active.end(), [](const Member &a, const Member &b) {
            if (a.rank != b.rank)
                return a.rank < b.rank;
            if (a.created != b.created)
                return a.created > b.created;
            return a.pod->name < b.pod->name;
        });
        for (int i = 0; i < -diff && i < int(active.size()); ++i) {
            if (m_kubelet.deleteGracefully(active[size_t(i)].pod, now)) {
                m_events.record(now, target, source, false, u"SuccessfulDelete"_s,
                                u"Deleted pod: "_s + active[size_t(i)].pod->name);
                --replicas;
                ready -= active[size_t(i)].rank == 3 ? 1 : 0;
            }
        }
    }

    const qint64 generation = section(json, "metadata"_L1).value("generation"_L1).toInteger(1);
    const QJsonObject status = replicaSetStatus({replicas, ready, ready, 0}, generation);
    if (status != section(json, "status"_L1)) {
        // Re-read: creating pods did not touch the ReplicaSet, but its status must go on the latest version.
        if (const ObjectPtr latest = m_store.get(m_rsType, ns, name)) {
            json = latest->toJsonObject();
            json.insert("status"_L1, status);
            m_store.update(m_rsType, json);
        }
    }
}

bool Controllers::isReady(const ObjectPtr &pod)
{
    const QString key = pod->key();
    const auto known = m_readiness.constFind(key);
    if (known != m_readiness.cend() && known->first == pod->rv)
        return known->second;
    if (m_readiness.size() > 2 * m_store.count(m_podType) + 1000)
        m_readiness.clear(); // forget pods long gone
    const bool ready = lifecycle::isReady(pod->toJsonObject());
    m_readiness.insert(key, {pod->rv, ready});
    return ready;
}

void Controllers::scaleReplicaSet(const RsView &rs, int replicas, int desired, const ObjectPtr &deployment,
                                  qint64 now)
{
    QJsonObject json = rs.json;
    QJsonObject spec = section(json, "spec"_L1);
    spec.insert("replicas"_L1, replicas);
    json.insert("spec"_L1, spec);
    QJsonObject meta = section(json, "metadata"_L1);
    QJsonObject annotations = section(meta, "annotations"_L1);
    annotations.insert("deployment.kubernetes.io/desired-replicas"_L1, QString::number(desired));
    meta.insert("annotations"_L1, annotations);
    json.insert("metadata"_L1, meta);
    if (!m_store.update(m_rsType, json).ok())
        return;
    const bool up = replicas > rs.replicas;
    m_events.record(now, EventTarget::of(deployment), {u"deployment-controller"_s, {}}, false,
                    u"ScalingReplicaSet"_s,
                    (up ? u"Scaled up replica set "_s : u"Scaled down replica set "_s) + rs.object->name +
                        u" to "_s + QString::number(replicas) + u" from "_s + QString::number(rs.replicas));
}

void Controllers::syncDeployment(const QString &key, qint64 now)
{
    const auto [ns, name] = split(key);
    const ObjectPtr deployment = m_store.get(m_deploymentType, ns, name);
    if (!deployment || deployment->isTerminating())
        return;
    const QJsonObject json = deployment->toJsonObject();
    const QJsonObject spec = section(json, "spec"_L1);
    const int desired = spec.value("replicas"_L1).toInt(1);
    const QString hash = templateHash(section(spec, "template"_L1));
    const QJsonObject strategy = section(spec, "strategy"_L1);
    const QJsonObject rolling = section(strategy, "rollingUpdate"_L1);
    const bool recreate = strategy.value("type"_L1) == u"Recreate"_s;
    int surge = recreate ? 0 : resolve(rolling.value("maxSurge"_L1), desired, true, 25);
    int unavailable = recreate ? desired : resolve(rolling.value("maxUnavailable"_L1), desired, false, 25);
    if (surge == 0 && unavailable == 0)
        surge = 1; // the API rejects both zero; a rollout must be able to move

    std::vector<RsView> olds;
    std::optional<RsView> fresh;
    int maxRevision = 0;
    for (const QString &rsKey : m_index.replicaSetsOf(key)) {
        const auto [rsNs, rsName] = split(rsKey);
        const ObjectPtr rs = m_store.get(m_rsType, rsNs, rsName);
        if (!rs || rs->isTerminating())
            continue;
        RsView view(rs);
        maxRevision = std::max(maxRevision, view.revision);
        if (view.hash == hash && !fresh)
            fresh = view;
        else
            olds.push_back(view);
    }
    std::sort(olds.begin(), olds.end(), [](const RsView &a, const RsView &b) {
        return a.revision != b.revision ? a.revision < b.revision : a.object->name < b.object->name;
    });
    int oldTotal = 0;
    for (const RsView &old : olds)
        oldTotal += old.replicas;

    const EventTarget target = EventTarget::of(deployment);
    bool created = false;
    if (!fresh) {
        const int replicas = olds.empty() ? desired : std::clamp(desired + surge - oldTotal, 0, desired);
        const WriteResult result = m_store.create(
            m_rsType, replicaSetFor(json, deployment->uid, hash, maxRevision + 1, replicas, now));
        if (!result.ok())
            return;
        fresh = RsView(result.object);
        created = true;
        if (replicas > 0)
            m_events.record(now, target, {u"deployment-controller"_s, {}}, false, u"ScalingReplicaSet"_s,
                            u"Scaled up replica set "_s + result.object->name + u" to "_s +
                                QString::number(replicas) + u" from 0"_s);
    } else if (fresh->replicas > desired) {
        scaleReplicaSet(*fresh, desired, desired, deployment, now);
    } else if (fresh->replicas < desired) {
        const int room =
            olds.empty() ? desired - fresh->replicas : desired + surge - (fresh->replicas + oldTotal);
        const int up = std::min(desired - fresh->replicas, std::max(0, room));
        if (up > 0)
            scaleReplicaSet(*fresh, fresh->replicas + up, desired, deployment, now);
    }

    // Old ReplicaSets shrink as far as availability allows; unhealthy old pods may always go.
    int oldAvailable = 0;
    for (const RsView &old : olds)
        oldAvailable += old.available;
    int removable = std::max(0, fresh->available + oldAvailable - (desired - unavailable)) +
                    std::max(0, oldTotal - oldAvailable);
    for (const RsView &old : olds) {
        const int take = std::min(old.replicas, removable);
        if (take <= 0)
            continue;
        scaleReplicaSet(old, old.replicas - take, desired, deployment, now);
        removable -= take;
        oldTotal -= take;
    }

    // A finished rollout keeps revisionHistoryLimit old ReplicaSets (at zero) and lets the rest go.
    const bool complete = oldTotal == 0 && fresh->replicas == desired && fresh->available >= desired;
    if (complete) {
        int surplus = int(olds.size()) - spec.value("revisionHistoryLimit"_L1).toInt(10);
        for (const RsView &old : olds) {
            if (surplus-- <= 0)
                break;
            if (old.current == 0)
                m_store.remove(m_rsType, old.object->ns, old.object->name);
        }
    }

    ReplicaCounts counts{fresh->current, fresh->ready, fresh->available, fresh->current};
    for (const RsView &old : olds) {
        counts.replicas += old.current;
        counts.ready += old.ready;
        counts.available += old.available;
    }
    const QString time = formatTime(now);
    const QString rsName = fresh->object->name;
    const bool minimum = counts.available >= desired - unavailable;
    const QJsonArray oldConditions = section(json, "status"_L1).value("conditions"_L1).toArray();
    const QJsonObject availableCondition =
        settle(minimum ? deploymentCondition(u"Available"_s, true, u"MinimumReplicasAvailable"_s,
                                             u"Deployment has minimum availability."_s, time)
                       : deploymentCondition(u"Available"_s, false, u"MinimumReplicasUnavailable"_s,
                                             u"Deployment does not have minimum availability."_s, time),
               oldConditions);
    // Progressing reports rollouts: once one finished, a pod failing later does not change it.
    const bool inFlight = created || oldTotal > 0 || fresh->replicas != desired || counts.updated != desired;
    QJsonObject progressing;
    for (const QJsonValue &c : oldConditions) {
        const QJsonObject o = c.toObject();
        if (!inFlight && o.value("type"_L1) == u"Progressing"_s &&
            o.value("reason"_L1) == u"NewReplicaSetAvailable"_s &&
            o.value("message"_L1).toString().contains(QLatin1Char('"') + rsName + QLatin1Char('"')))
            progressing = o;
    }
    if (progressing.isEmpty()) {
        if (complete && counts.updated == desired && counts.replicas == desired)
            progressing =
                deploymentCondition(u"Progressing"_s, true, u"NewReplicaSetAvailable"_s,
                                    u"ReplicaSet \""_s + rsName + u"\" has successfully progressed."_s, time);
        else if (created)
            progressing = deploymentCondition(u"Progressing"_s, true, u"NewReplicaSetCreated"_s,
                                              u"Created new replica set \""_s + rsName + u"\""_s, time);
        else
            progressing = deploymentCondition(u"Progressing"_s, true, u"ReplicaSetUpdated"_s,
                                              u"ReplicaSet \""_s + rsName + u"\" is progressing."_s, time);
        progressing = settle(progressing, oldConditions);
    }
    const qint64 generation = section(json, "metadata"_L1).value("generation"_L1).toInteger(1);
    writeDeploymentStatus(deployment, json,
                          deploymentStatus(counts, generation, availableCondition, progressing));
}

void Controllers::writeDeploymentStatus(const ObjectPtr &deployment, const QJsonObject &json,
                                        const QJsonObject &status)
{
    if (section(json, "status"_L1) == status)
        return;
    // Scaling ReplicaSets did not touch the Deployment; still, write onto the latest version.
    const ObjectPtr latest = m_store.get(m_deploymentType, deployment->ns, deployment->name);
    if (!latest)
        return;
    QJsonObject out = latest->toJsonObject();
    out.insert("status"_L1, status);
    m_store.update(m_deploymentType, out);
}

bool Controllers::createJobPod(const QString &ns, qint64 now)
{
    // CronJobs fire on the minute.
    const JobPods job = jobFor(m_rng.bounded(jobCatalogSize()), now / 60'000 * 60'000, m_rng);
    const PodFactory factory(ns, job.podTemplate, job.owner, job.jobName + u"-"_s);
    PodInstance pod;
    pod.createdMs = now;
    pod.name = factory.generateName() + randomSuffix(m_rng);
    const WriteResult created = m_store.create(m_podType, factory.build(pod, m_rng));
    if (!created.ok())
        return false;
    const EventTarget jobTarget{
        u"Job"_s, u"batch/v1"_s, ns, job.jobName, job.owner.value("uid"_L1).toString(), {}, {}};
    m_events.record(now, jobTarget, {u"job-controller"_s, {}}, false, u"SuccessfulCreate"_s,
                    u"Created pod: "_s + pod.name);
    return true;
}

} // namespace cw::sim
