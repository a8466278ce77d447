// SPDX-License-Identifier: Apache-2.0
#include "podfactory.h"

#include "names.h"
#include "podparts.h"

using namespace Qt::StringLiterals;

namespace cw::sim {

namespace {

bool hasToleration(const QJsonArray &tolerations, const QString &key)
{
    for (const QJsonValue &t : tolerations) {
        const QJsonObject o = t.toObject();
        if (o.value("key"_L1).toString() == key ||
            (o.value("operator"_L1) == u"Exists"_s && !o.contains("key"_L1)))
            return true;
    }
    return false;
}

} // namespace

PodFactory::PodFactory(const QString &ns, const QJsonObject &podTemplate, const QJsonObject &owner,
                       const QString &generateName, const QString &manager)
    : m_ns(ns), m_generateName(generateName), m_manager(manager)
{
    const QJsonObject templateMeta = podTemplate.value("metadata"_L1).toObject();
    const QJsonObject templateSpec = podTemplate.value("spec"_L1).toObject();
    m_labels = templateMeta.value("labels"_L1).toObject();
    m_annotations = templateMeta.value("annotations"_L1).toObject();
    if (!owner.isEmpty())
        m_owners = QJsonArray{owner};
    // Mirror pods of static manifests belong to their Node and never get a ServiceAccount token.
    const bool staticPod = owner.value("kind"_L1) == u"Node"_s;

    QJsonObject spec = templateSpec;
    m_containers = spec.take("containers"_L1).toArray();
    m_volumes = spec.take("volumes"_L1).toArray();
    for (const QJsonValue &c : std::as_const(m_containers)) {
        m_containerNames << c.toObject().value("name"_L1).toString();
        m_images << c.toObject().value("image"_L1).toString();
    }
    m_hostNetwork = spec.value("hostNetwork"_L1).toBool();
    m_token = !staticPod && spec.value("automountServiceAccountToken"_L1).toBool(true);
    m_qos = pods::qosClass(m_containers);

    // What admission plugins (ServiceAccount, Priority, DefaultTolerationSeconds) add on a real server.
    if (m_token) {
        const QString sa = spec.value("serviceAccountName"_L1).toString(u"default"_s);
        spec.insert("serviceAccountName"_L1, sa);
        spec.insert("serviceAccount"_L1, sa);
    }
    if (!spec.contains("enableServiceLinks"_L1))
        spec.insert("enableServiceLinks"_L1, true);
    const QString priorityClass = spec.value("priorityClassName"_L1).toString();
    spec.insert("priority"_L1, priorityClass == "system-node-critical"_L1      ? 2000001000
                               : priorityClass == "system-cluster-critical"_L1 ? 2000000000
                                                                               : 0);
    spec.insert("preemptionPolicy"_L1, u"PreemptLowerPriority"_s);
    QJsonArray tolerations = spec.value("tolerations"_L1).toArray();
    for (const char *key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
        if (!hasToleration(tolerations, QLatin1StringView(key)))
            tolerations.append(QJsonObject{{"key"_L1, QLatin1StringView(key)},
                                           {"operator"_L1, u"Exists"_s},
                                           {"effect"_L1, u"NoExecute"_s},
                                           {"tolerationSeconds"_L1, 300}});
    }
    spec.insert("tolerations"_L1, tolerations);
    m_specBase = spec;

    // The creator owns exactly what it sent: the template plus its own metadata.
    QJsonObject sentMeta;
    if (!generateName.isEmpty())
        sentMeta.insert("generateName"_L1, generateName);
    if (!m_labels.isEmpty())
        sentMeta.insert("labels"_L1, m_labels);
    if (!m_annotations.isEmpty())
        sentMeta.insert("annotations"_L1, m_annotations);
    if (!m_owners.isEmpty())
        sentMeta.insert("ownerReferences"_L1, m_owners);
    m_creatorFields = pods::fieldsV1(QJsonObject{{"metadata"_L1, sentMeta}, {"spec"_L1, templateSpec}});
}

template <typename T, typename Make>
T PodFactory::cached(QHash<QString, T> &cache, const QString &key, Make make) const
{
    auto it = cache.constFind(key);
    if (it != cache.constEnd())
        return *it;
    if (cache.size() > 512) // pods created at scattered times share nothing; keep the cache small
        cache.clear();
    return *cache.insert(key, make());
}

QJsonObject PodFactory::metadata(const PodInstance &pod, const Stamp &times) const
{
    QJsonObject meta{{"name"_L1, pod.name}, {"namespace"_L1, m_ns}, {"creationTimestamp"_L1, times.created}};
    if (!m_generateName.isEmpty())
        meta.insert("generateName"_L1, m_generateName);
    if (!m_labels.isEmpty())
        meta.insert("labels"_L1, m_labels);
    if (!m_annotations.isEmpty())
        meta.insert("annotations"_L1, m_annotations);
    if (!m_owners.isEmpty())
        meta.insert("ownerReferences"_L1, m_owners);
    return meta;
}

QJsonArray PodFactory::containers(const QString &token) const
{
    if (token.isEmpty())
        return m_containers;
    QJsonArray out;
    for (const QJsonValue &v : m_containers) {
        QJsonObject c = v.toObject();
        QJsonArray mounts = c.value("volumeMounts"_L1).toArray();
        mounts.append(pods::apiAccessMount(token));
        c.insert("volumeMounts"_L1, mounts);
        out.append(c);
    }
    return out;
}

QJsonObject PodFactory::build(const PodInstance &pod, QRandomGenerator &rng) const
{
    Stamp times;
    times.created = formatTime(pod.createdMs);
    const bool scheduled = !pod.node.isEmpty();
    if (scheduled) {
        const qint64 startedMs = pod.startedMs > 0 ? pod.startedMs : pod.createdMs + 3000;
        times.initialized = formatTime(pod.createdMs + 1000);
        times.started = formatTime(startedMs);
        // Whole seconds from a few choices: pods started together share their condition objects.
        qint64 changedMs = startedMs + 1000 * (2 + rng.bounded(8));
        if (pod.state == PodState::Unready || pod.state == PodState::CrashLoop)
            changedMs = startedMs + 1000 * (1 + rng.bounded(2));
        else if (pod.state == PodState::Succeeded)
            changedMs = startedMs + 1000 * (5 + rng.bounded(55));
        times.changed = formatTime(changedMs);
    }

    QJsonObject spec = m_specBase;
    QString token;
    if (m_token)
        token = u"kube-api-access-"_s + randomSuffix(rng);
    spec.insert("containers"_L1, containers(token));
    QJsonArray volumes = m_volumes;
    if (m_token)
        volumes.append(pods::apiAccessVolume(token));
    if (!volumes.isEmpty())
        spec.insert("volumes"_L1, volumes);
    if (scheduled)
        spec.insert("nodeName"_L1, pod.node);

    QJsonObject meta = metadata(pod, times);
    QJsonArray managed{cached(m_entries, u"c"_s + times.created,
                              [&] { return pods::managedEntry(m_manager, times.created, m_creatorFields); })};
    const QJsonObject status = this->status(pod, times, rng);
    if (scheduled) {
        // The kubelet's entry carries the time of its latest status write.
        const QString latest = std::max(times.changed, times.started);
        QJsonObject entry =
            cached(m_entries, u"k"_s + latest, [&] { return pods::kubeletEntry(latest, {}); });
        entry.insert("fieldsV1"_L1, pods::kubeletFields(m_hostNetwork ? pod.hostIP : pod.podIP));
        managed.append(entry);
    }
    meta.insert("managedFields"_L1, managed);
    return {{"metadata"_L1, meta}, {"spec"_L1, spec}, {"status"_L1, status}};
}

QJsonArray PodFactory::conditions(PodState state, const Stamp &t) const
{
    using namespace pods;
    const QString key = QString::number(int(state)) + t.created + t.initialized + t.changed;
    return cached(m_conditions, key, [&]() -> QJsonArray {
        switch (state) {
        case PodState::Running:
            return {condition(Condition::Initialized, true, t.initialized),
                    condition(Condition::Ready, true, t.changed),
                    condition(Condition::ContainersReady, true, t.changed),
                    condition(Condition::Scheduled, true, t.created)};
        case PodState::Unready:
        case PodState::CrashLoop: {
            const QString message = unreadyMessage({m_containerNames.first()});
            return {condition(Condition::Initialized, true, t.initialized),
                    condition(Condition::Ready, false, t.changed, u"ContainersNotReady"_s, message),
                    condition(Condition::ContainersReady, false, t.changed, u"ContainersNotReady"_s, message),
                    condition(Condition::Scheduled, true, t.created)};
        }
        case PodState::Succeeded:
            return {condition(Condition::Initialized, true, t.initialized, u"PodCompleted"_s),
                    condition(Condition::Ready, false, t.changed, u"PodCompleted"_s),
                    condition(Condition::ContainersReady, false, t.changed, u"PodCompleted"_s),
                    condition(Condition::Scheduled, true, t.created)};
        case PodState::Pending:
            break;
        }
        return {};
    });
}

QJsonObject PodFactory::containerStatus(int index, const PodInstance &pod, const Stamp &t,
                                        QRandomGenerator &rng) const
{
    using namespace pods;
    // A crash-looping pod's first container is the one failing; the others run normally.
    const bool failing = pod.state == PodState::CrashLoop && index == 0;
    const QString key =
        QString::number(index) + QLatin1Char(failing ? 'f' : char('0' + int(pod.state))) + t.started;
    QJsonObject s = cached(m_containerStatuses, key, [&] {
        const QString &image = m_images.at(index);
        const bool running = pod.state != PodState::Succeeded && !failing;
        QJsonObject base{
            {"name"_L1, m_containerNames.at(index)},
            {"image"_L1, imageRef(image)},
            {"imageID"_L1, imageId(image)},
            {"restartCount"_L1, 0},
            {"lastState"_L1, QJsonObject()},
            {"started"_L1, running},
            {"ready"_L1, running && pod.state != PodState::Unready && pod.state != PodState::CrashLoop}};
        // Other containers of a crash-looping pod are ready; only the pod as a whole is not.
        if (pod.state == PodState::CrashLoop && !failing)
            base.insert("ready"_L1, true);
        if (running)
            base.insert("state"_L1, runningState(t.started));
        else if (failing)
            base.insert("state"_L1, waitingState(u"CrashLoopBackOff"_s));
        return base;
    });
    const QString id = containerId(rng);
    s.insert("containerID"_L1, id);
    if (pod.state == PodState::Succeeded)
        s.insert("state"_L1, terminatedState(0, u"Completed"_s, t.started, t.changed, id));
    if (failing) {
        // The failed instance is lastState; the waiting message (it names the pod's uid) is added once the
        // store has assigned one.
        s.insert("lastState"_L1, terminatedState(1, u"Error"_s, t.started, t.changed, id));
    } else if (index == 0 && pod.restarts > 0) {
        // The previous instance ended a moment before the current one started.
        s.insert("lastState"_L1, terminatedState(137, rng.bounded(3) ? u"Error"_s : u"OOMKilled"_s,
                                                 formatTime(pod.startedMs - 60'000 - rng.bounded(3'600'000)),
                                                 formatTime(pod.startedMs - 1000), containerId(rng)));
    }
    if (index == 0 && pod.restarts > 0)
        s.insert("restartCount"_L1, pod.restarts);
    return s;
}

QJsonObject PodFactory::status(const PodInstance &pod, const Stamp &times, QRandomGenerator &rng) const
{
    QJsonObject status{{"qosClass"_L1, m_qos}};
    if (pod.node.isEmpty()) {
        status.insert("phase"_L1, u"Pending"_s);
        return status;
    }
    const QString podIP = m_hostNetwork ? pod.hostIP : pod.podIP;
    QJsonArray statuses;
    for (int i = 0; i < m_containerNames.size(); ++i)
        statuses.append(containerStatus(i, pod, times, rng));
    status.insert("phase"_L1, pod.state == PodState::Succeeded ? u"Succeeded"_s
                              : pod.state == PodState::Pending ? u"Pending"_s
                                                               : u"Running"_s);
    status.insert("conditions"_L1, conditions(pod.state, times));
    status.insert("hostIP"_L1, pod.hostIP);
    status.insert("podIP"_L1, podIP);
    status.insert("podIPs"_L1, QJsonArray{QJsonObject{{"ip"_L1, podIP}}});
    status.insert("startTime"_L1, times.created);
    status.insert("containerStatuses"_L1, statuses);
    return status;
}

} // namespace cw::sim
