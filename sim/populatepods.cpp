// SPDX-License-Identifier: Apache-2.0
// populate(): Deployments with their ReplicaSets and pods, system pods, CronJob pods.
#include "populator.h"

#include "jobs.h"
#include "names.h"
#include "podparts.h"
#include "systempods.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace cw::sim::populating {

namespace {

QString podTemplateImage(const QJsonObject &podTemplate)
{
    return podTemplate.value("spec"_L1)
        .toObject()
        .value("containers"_L1)
        .toArray()
        .at(0)
        .toObject()
        .value("image"_L1)
        .toString();
}

} // namespace

ObjectPtr Populator::createPod(const PodFactory &factory, PodInstance pod, NodeSlot *node)
{
    if (node) {
        pod.node = node->name;
        pod.hostIP = node->ip;
        if (!factory.hostNetwork())
            pod.podIP = ipv4(node->podBase + node->nextPod++);
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        const WriteResult result = m_store.create(m_types.pods, factory.build(pod, m_rng));
        if (result.ok() || result.code != 409 || factory.generateName().isEmpty())
            return result.object;
        pod.name = factory.generateName() + randomSuffix(m_rng);
    }
    return {};
}

void Populator::createSystemPods()
{
    if (m_nodes.empty())
        return;
    const NodeSlot &cp = m_nodes.front();
    const QStringList components = staticPodComponents();
    for (int i = 0; i < m_staticPods; ++i) {
        const qint64 created = m_born + 40'000;
        const QJsonObject owner{{"apiVersion"_L1, u"v1"_s},
                                {"kind"_L1, u"Node"_s},
                                {"name"_L1, cp.name},
                                {"uid"_L1, cp.uid},
                                {"controller"_L1, true}};
        const PodFactory factory(u"kube-system"_s,
                                 staticPodTemplate(components[i], cp.name, cp.ip, m_rng, created), owner, {},
                                 u"kubelet"_s);
        PodInstance pod{components[i] + QLatin1Char('-') + cp.name,
                        {},
                        {},
                        {},
                        PodState::Running,
                        created,
                        created + 5000,
                        0};
        createPod(factory, pod, &m_nodes.front());
    }
    const QJsonObject owner =
        ownerReference(u"apps/v1"_s, u"DaemonSet"_s, u"kube-proxy"_s, randomUuid(m_rng));
    for (int i = 0; i < m_proxyPods; ++i) {
        const PodFactory factory(u"kube-system"_s, kubeProxyTemplate(m_nodes[size_t(i)].name), owner,
                                 u"kube-proxy-"_s);
        const qint64 created = m_born + 3 * kMinute + 30'000;
        PodInstance pod{u"kube-proxy-"_s + randomSuffix(m_rng),
                        {},
                        {},
                        {},
                        PodState::Running,
                        created,
                        created + 4000,
                        0};
        createPod(factory, pod, &m_nodes[size_t(i)]);
    }
}

void Populator::createDeployment(const PlannedApp &planned)
{
    const AppInstance &app = planned.app;
    const int replicas = planned.replicas;
    // A rollout since creation: the current ReplicaSet is younger, the previous one ran the release before
    // and is kept, scaled to zero (revisionHistoryLimit). (Versions, not kubectl's restartedAt time, tell
    // them apart: template hashes, and so pod names, must not depend on when populate() ran.)
    QJsonObject deployment = deploymentFor(app, replicas, planned.createdMs);
    const QJsonObject podTemplate = deployment.value("spec"_L1).toObject().value("template"_L1).toObject();
    QJsonObject previousTemplate = podTemplate;
    {
        QJsonObject spec = previousTemplate.value("spec"_L1).toObject();
        QJsonArray containers = spec.value("containers"_L1).toArray();
        QJsonObject first = containers.at(0).toObject();
        first.insert("image"_L1, neighbourRelease(first.value("image"_L1).toString(), false));
        containers.replace(0, first);
        spec.insert("containers"_L1, containers);
        previousTemplate.insert("spec"_L1, spec);
    }
    const int revision =
        neighbourRelease(podTemplateImage(podTemplate), false).isEmpty() ? 1 : planned.revision;
    const qint64 rsCreated =
        revision == 1 ? planned.createdMs
                      : planned.createdMs + m_rng.bounded(std::max<qint64>(1, m_now - planned.createdMs));
    if (revision > 1) {
        QJsonObject meta = deployment.value("metadata"_L1).toObject();
        meta.insert("annotations"_L1,
                    QJsonObject{{"deployment.kubernetes.io/revision"_L1, QString::number(revision)}});
        deployment.insert("metadata"_L1, meta);
    }

    // Decide every pod's state first: the controllers' statuses must add up to them.
    std::vector<PodState> states(size_t(std::max(0, replicas)), PodState::Running);
    int ready = 0;
    for (PodState &state : states) {
        const int roll = app.app == 0 ? 999 : m_rng.bounded(1000);
        state = roll < 15 ? PodState::CrashLoop : roll < 25 ? PodState::Unready : PodState::Running;
        ready += state == PodState::Running ? 1 : 0;
    }
    const QString hash = templateHash(podTemplate);
    const QString rsName = app.name + QLatin1Char('-') + hash;
    const QString settled = formatTime(rsCreated + 20'000);
    const bool available = ready >= replicas - replicas / 4;
    deployment.insert(
        "status"_L1,
        deploymentStatus(
            {replicas, ready, ready, replicas}, 1,
            available ? deploymentCondition(u"Available"_s, true, u"MinimumReplicasAvailable"_s,
                                            u"Deployment has minimum availability."_s, settled)
                      : deploymentCondition(u"Available"_s, false, u"MinimumReplicasUnavailable"_s,
                                            u"Deployment does not have minimum availability."_s, settled),
            deploymentCondition(u"Progressing"_s, true, u"NewReplicaSetAvailable"_s,
                                u"ReplicaSet \""_s + rsName + u"\" has successfully progressed."_s,
                                settled)));
    const ObjectPtr created = create(m_types.deployments, deployment);
    if (!created)
        return;
    if (revision > 1) {
        QJsonObject previous = deployment;
        QJsonObject spec = previous.value("spec"_L1).toObject();
        spec.insert("template"_L1, previousTemplate);
        previous.insert("spec"_L1, spec);
        create(m_types.replicasets, replicaSetFor(previous, created->uid, templateHash(previousTemplate),
                                                  revision - 1, 0, planned.createdMs));
    }
    QJsonObject rs = replicaSetFor(deployment, created->uid, hash, revision, replicas, rsCreated);
    rs.insert("status"_L1, replicaSetStatus({replicas, ready, ready, replicas}, 1));
    const ObjectPtr rsObject = create(m_types.replicasets, rs);
    if (!rsObject)
        return;

    const PodFactory factory(app.ns, rs.value("spec"_L1).toObject().value("template"_L1).toObject(),
                             ownerReference(u"apps/v1"_s, u"ReplicaSet"_s, rsName, rsObject->uid),
                             rsName + u"-"_s);
    for (const PodState state : states) {
        const qint64 age = m_now - rsCreated;
        // Most pods date from the rollout; some were replaced since (evictions, node drains).
        const qint64 podCreated =
            rsCreated + (m_rng.bounded(5) < 2 ? m_rng.bounded(std::max<qint64>(1, age)) : 0);
        int restarts = 0;
        qint64 started = podCreated + 3000 + m_rng.bounded(5000);
        if (state == PodState::CrashLoop) {
            restarts = 5 + m_rng.bounded(40);
            started = m_now - 60'000 - m_rng.bounded(240'000);
        } else if (m_rng.bounded(7) == 0) {
            restarts = 1 + m_rng.bounded(4);
            started = podCreated + m_rng.bounded(std::max<qint64>(1, m_now - podCreated));
        }
        const PodInstance pod{rsName + QLatin1Char('-') + randomSuffix(m_rng),
                              {},
                              {},
                              {},
                              state,
                              podCreated,
                              started,
                              restarts};
        const ObjectPtr object = createPod(factory, pod, nextNode());
        if (object && state == PodState::CrashLoop) {
            // The kubelet's back-off message names the pod's uid, known only now.
            QJsonObject json = object->toJsonObject();
            QJsonObject status = json.value("status"_L1).toObject();
            QJsonArray statuses = status.value("containerStatuses"_L1).toArray();
            QJsonObject first = statuses.at(0).toObject();
            first.insert("state"_L1,
                         pods::waitingState(u"CrashLoopBackOff"_s,
                                            pods::backOffMessage(300, first.value("name"_L1).toString(),
                                                                 object->name, object->ns, object->uid)));
            statuses.replace(0, first);
            status.insert("containerStatuses"_L1, statuses);
            json.insert("status"_L1, status);
            m_store.update(m_types.pods, json);
        }
    }
}

void Populator::createJobPods()
{
    for (int i = 0; i < m_jobPods; ++i) {
        const QString ns = appNamespace(i);
        // CronJobs fire on the minute; most of their pods have finished, the latest few still run.
        const bool running = m_rng.bounded(10) < 3;
        const qint64 minutesAgo = running ? m_rng.bounded(3) : 5 + m_rng.bounded(115);
        const qint64 scheduled = (m_now / kMinute - minutesAgo) * kMinute;
        const JobPods job = jobFor(m_rng.bounded(jobCatalogSize()), scheduled, m_rng);
        const PodFactory factory(ns, job.podTemplate, job.owner, job.jobName + u"-"_s);
        const qint64 created = scheduled + 1000 + m_rng.bounded(2000);
        const PodInstance pod{job.jobName + QLatin1Char('-') + randomSuffix(m_rng),
                              {},
                              {},
                              {},
                              running ? PodState::Running : PodState::Succeeded,
                              created,
                              created + 3000 + m_rng.bounded(4000),
                              0};
        createPod(factory, pod, nextNode());
    }
}

} // namespace cw::sim::populating
