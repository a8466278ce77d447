// SPDX-License-Identifier: Apache-2.0
#include "kubelet.h"

#include "eventrecorder.h"
#include "names.h"
#include "podlifecycle.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace cw::sim {

namespace {

// A crash loop's arg packs the cycle count and after how many cycles someone gives up and deletes the pod.
constexpr int kCycleBase = 100;
// The kubelet's back-off doubles from 10 s up to 5 minutes.
constexpr int kMaxBackoffSeconds = 300;

QString keyOf(const QString &ns, const QString &name)
{
    return ns + QLatin1Char('/') + name;
}

bool isJobPod(const QJsonObject &pod)
{
    return lifecycle::ownerKind(pod) == u"Job"_s;
}

QJsonObject container(const QJsonObject &pod, int index)
{
    return pod.value("spec"_L1).toObject().value("containers"_L1).toArray().at(index).toObject();
}

} // namespace

Kubelet::Kubelet(Store &store, EventRecorder &events, QRandomGenerator &rng, int graceSeconds)
    : m_store(store), m_events(events), m_rng(rng), m_graceSeconds(std::max(0, graceSeconds)),
      m_podType(findResource({}, u"v1"_s, u"pods"_s)), m_nodeType(findResource({}, u"v1"_s, u"nodes"_s))
{}

void Kubelet::later(qint64 due, Step step, const ObjectPtr &pod, int arg)
{
    m_tasks.push({due, ++m_seq, step, pod->ns, pod->name, pod->uid, arg});
}

void Kubelet::admit(const QString &podKey, qint64 now)
{
    const qsizetype slash = podKey.indexOf(QLatin1Char('/'));
    if (const ObjectPtr pod = m_store.get(m_podType, podKey.left(slash), podKey.mid(slash + 1)))
        later(now + m_rng.bounded(100, 700), Step::Schedule, pod);
}

void Kubelet::adopt(const ObjectPtr &object, qint64 now)
{
    if (object->isTerminating()) {
        const QString deletion =
            object->toJsonObject().value("metadata"_L1).toObject().value("deletionTimestamp"_L1).toString();
        later(std::max(now, parseTime(deletion)), Step::Remove, object);
        return;
    }
    const QString phase = object->fields.value(u"status.phase"_s);
    const bool job = object->labels.contains(u"job-name"_s);
    if (object->fields.value(u"spec.nodeName"_s).isEmpty()) {
        later(now + m_rng.bounded(100, 700), Step::Schedule, object);
    } else if (object->json.contains("\"ContainerCreating\"")) {
        later(now + m_rng.bounded(1000, 3000), Step::Start, object);
    } else if (phase == "Pending"_L1) {
        later(now + m_rng.bounded(300, 1000), Step::Create, object);
    } else if (object->json.contains("\"CrashLoopBackOff\"")) {
        // It has been failing for a while: the back-off is at its 5-minute ceiling, the next try due anytime.
        m_crashLooping.insert(object->key());
        const int cycle = 5;
        later(now + m_rng.bounded(1000, kMaxBackoffSeconds * 1000), Step::CrashRetry, object,
              cycle + kCycleBase * (cycle + m_rng.bounded(2, 6)));
    } else if (job && phase == "Running"_L1) {
        later(now + m_rng.bounded(5000, 40'000), Step::Complete, object);
    } else if (job && phase == "Succeeded"_L1) {
        later(now + m_rng.bounded(10'000, 120'000), Step::Cleanup, object);
    } else if (phase == "Running"_L1 && object->json.contains("\"ready\":false")) {
        later(now + m_rng.bounded(5000, 30'000), Step::Ready, object);
    }
}

void Kubelet::runDue(qint64 now)
{
    while (!m_tasks.empty() && m_tasks.top().due <= now) {
        const Task task = m_tasks.top();
        m_tasks.pop();
        run(task, now);
    }
}

void Kubelet::run(const Task &task, qint64 now)
{
    const QString key = keyOf(task.ns, task.name);
    const ObjectPtr object = m_store.get(m_podType, task.ns, task.name);
    if (!object || object->uid != task.uid) {
        m_crashLooping.erase(key); // deleted (or replaced by a namesake) behind our back
        return;
    }
    if (task.step == Step::Remove) {
        m_store.remove(m_podType, task.ns, task.name);
        m_crashLooping.erase(key);
        return;
    }
    if (object->isTerminating()) {
        m_crashLooping.erase(key); // someone deleted it: its life ends here
        return;
    }
    QJsonObject pod = object->toJsonObject();
    const QString phase = lifecycle::phase(pod);
    switch (task.step) {
    case Step::Schedule:
        if (lifecycle::nodeName(pod).isEmpty())
            schedule(object, pod, now);
        break;
    case Step::Create:
        if (!lifecycle::nodeName(pod).isEmpty() && !lifecycle::hasContainerStatuses(pod))
            createContainers(pod, now);
        break;
    case Step::Start:
        if (lifecycle::waitingReason(pod, 0) == "ContainerCreating"_L1)
            startContainers(pod, task.arg, now);
        break;
    case Step::Ready:
        if (phase == "Running"_L1 && !lifecycle::isReady(pod) && lifecycle::waitingReason(pod, 0).isEmpty()) {
            lifecycle::setReady(pod, -1, true, now);
            write(pod);
        }
        break;
    case Step::ProbeFail:
        // The readiness probe keeps failing every period until it recovers: the same event, counted up.
        if (phase == "Running"_L1 && !lifecycle::isReady(pod) && lifecycle::waitingReason(pod, 0).isEmpty()) {
            event(now, object, lifecycle::containerNames(pod).value(0), true, u"Unhealthy"_s,
                  probeFailure(pod, "readinessProbe"));
            if (task.arg > 0)
                later(now + 10'000, Step::ProbeFail, object, task.arg - 1);
            else
                later(now + m_rng.bounded(1000, 4000), Step::Ready, object);
        }
        break;
    case Step::CrashRetry:
        if (lifecycle::waitingReason(pod, 0) == "CrashLoopBackOff"_L1)
            crashRetry(pod, task.arg, now);
        else
            m_crashLooping.erase(key); // recovered or changed by someone else
        break;
    case Step::CrashFail:
        if (phase == "Running"_L1 && lifecycle::waitingReason(pod, 0).isEmpty())
            crashFail(pod, task.arg, now);
        else
            m_crashLooping.erase(key);
        break;
    case Step::Complete:
        if (phase == "Running"_L1) {
            lifecycle::complete(pod, now);
            if (const ObjectPtr done = write(pod))
                later(now + m_rng.bounded(20'000, 90'000), Step::Cleanup,
                      done); // the CronJob's history limit
        }
        break;
    case Step::Cleanup:
        if (phase == "Succeeded"_L1 || phase == "Failed"_L1)
            deleteGracefully(object, now);
        break;
    case Step::Remove:
        break;
    }
}

void Kubelet::schedule(const ObjectPtr &object, QJsonObject pod, qint64 now)
{
    refreshNodes(now);
    std::vector<const Node *> candidates;
    for (const Node &n : m_nodes) {
        if (n.schedulable)
            candidates.push_back(&n);
    }
    if (candidates.empty()) {
        later(now + 30'000, Step::Schedule, object); // nowhere to go: stays Pending, tried again later
        return;
    }
    const Node *target = candidates[size_t(m_rng.bounded(int(candidates.size())))];
    lifecycle::bind(pod, target->name, now);
    if (const ObjectPtr bound = write(pod)) {
        m_events.record(now, EventTarget::of(bound), {u"default-scheduler"_s, {}}, false, u"Scheduled"_s,
                        u"Successfully assigned "_s + bound->ns + QLatin1Char('/') + bound->name + u" to "_s +
                            target->name);
        later(now + m_rng.bounded(200, 1000), Step::Create, bound);
    }
}

void Kubelet::createContainers(QJsonObject pod, qint64 now)
{
    refreshNodes(now);
    const Node *host = node(lifecycle::nodeName(pod));
    lifecycle::beginCreating(pod, host ? host->ip : u"10.0.0.10"_s, now);
    const ObjectPtr object = write(pod);
    if (!object)
        return;
    // Most images are cached on the node already; the rest are pulled (bit i: container i pulls).
    int pulled = 0;
    const QStringList names = lifecycle::containerNames(pod);
    for (int i = 0; i < names.size(); ++i) {
        const QString image = lifecycle::containerImage(pod, i);
        if (m_rng.bounded(10) < 3) {
            pulled |= 1 << i;
            event(now, object, names[i], false, u"Pulling"_s, u"Pulling image \""_s + image + u"\""_s);
        } else {
            event(now, object, names[i], false, u"Pulled"_s,
                  u"Container image \""_s + image + u"\" already present on machine"_s);
        }
    }
    later(now + (pulled ? m_rng.bounded(2000, 6000) : m_rng.bounded(800, 2000)), Step::Start, object, pulled);
}

void Kubelet::startContainers(QJsonObject pod, int pulled, qint64 now)
{
    refreshNodes(now);
    const Node *host = node(lifecycle::nodeName(pod));
    const bool hostNetwork = pod.value("spec"_L1).toObject().value("hostNetwork"_L1).toBool();
    const QString podIP = hostNetwork || !host
                              ? pod.value("status"_L1).toObject().value("hostIP"_L1).toString()
                              : allocatePodIP(*host);
    lifecycle::startContainers(pod, podIP, m_rng, now);
    const ObjectPtr object = write(pod);
    if (!object)
        return;
    for (int i = 0; i < lifecycle::containerNames(pod).size(); ++i)
        containerStarted(now, object, pod, i, pulled & (1 << i));
    if (isJobPod(pod))
        later(now + m_rng.bounded(5000, 40'000), Step::Complete, object);
    else
        later(now + m_rng.bounded(1000, 6000), Step::Ready, object);
}

void Kubelet::containerStarted(qint64 now, const ObjectPtr &object, const QJsonObject &pod, int index,
                               bool pulled)
{
    const QString name = lifecycle::containerNames(pod).value(index);
    const QString image = lifecycle::containerImage(pod, index);
    if (pulled) {
        const QString took = QString::number(1 + m_rng.bounded(9)) + QLatin1Char('.') +
                             QString::number(m_rng.bounded(100, 999)) + u"s"_s;
        event(now, object, name, false, u"Pulled"_s,
              u"Successfully pulled image \""_s + image + u"\" in "_s + took + u" ("_s + took +
                  u" including waiting)"_s);
    } else if (lifecycle::restartCount(pod, index) > 0) {
        event(now, object, name, false, u"Pulled"_s,
              u"Container image \""_s + image + u"\" already present on machine"_s);
    }
    event(now, object, name, false, u"Created"_s, u"Created container "_s + name);
    event(now, object, name, false, u"Started"_s, u"Started container "_s + name);
}

void Kubelet::crashRetry(QJsonObject pod, int arg, qint64 now)
{
    const int cycle = arg % kCycleBase;
    const int giveUp = arg / kCycleBase;
    if (cycle >= giveUp) {
        // Someone looked at the crash loop long enough and deleted the pod; its ReplicaSet replaces it.
        const QJsonObject meta = pod.value("metadata"_L1).toObject();
        if (const ObjectPtr object = m_store.get(m_podType, meta.value("namespace"_L1).toString(),
                                                 meta.value("name"_L1).toString()))
            deleteGracefully(object, now);
        return;
    }
    lifecycle::retry(pod, 0, m_rng, now);
    if (const ObjectPtr object = write(pod)) {
        containerStarted(now, object, pod, 0, false);
        later(now + m_rng.bounded(1000, 3000), Step::CrashFail, object, arg);
    }
}

void Kubelet::crashFail(QJsonObject pod, int arg, qint64 now)
{
    const int cycle = arg % kCycleBase;
    const int backoff = std::min(10 << std::min(cycle, 5), kMaxBackoffSeconds);
    lifecycle::crash(pod, 0, backoff, false, now);
    if (const ObjectPtr object = write(pod)) {
        const QString name = lifecycle::containerNames(pod).value(0);
        event(now, object, name, true, u"BackOff"_s,
              u"Back-off restarting failed container "_s + name + u" in pod "_s + object->name +
                  QLatin1Char('_') + object->ns + QLatin1Char('(') + object->uid + QLatin1Char(')'));
        later(now + backoff * 1000, Step::CrashRetry, object, arg + 1);
    }
}

bool Kubelet::deleteGracefully(const ObjectPtr &object, qint64 now)
{
    if (object->isTerminating())
        return false;
    QJsonObject pod = object->toJsonObject();
    const bool running = lifecycle::phase(pod) == "Running"_L1;
    lifecycle::markForDeletion(pod, m_graceSeconds, now);
    const ObjectPtr marked = write(pod);
    if (!marked)
        return false;
    m_crashLooping.erase(marked->key());
    if (running) {
        for (const QString &name : lifecycle::containerNames(pod))
            event(now, marked, name, false, u"Killing"_s, u"Stopping container "_s + name);
    }
    later(now + m_graceSeconds * 1000, Step::Remove, marked);
    return true;
}

bool Kubelet::failLiveness(const ObjectPtr &object, qint64 now)
{
    if (object->isTerminating())
        return false;
    QJsonObject pod = object->toJsonObject();
    if (lifecycle::phase(pod) != "Running"_L1 || !lifecycle::isReady(pod) || isJobPod(pod))
        return false;
    const QString name = lifecycle::containerNames(pod).value(0);
    // With a liveness probe the kubelet kills the container; without one it was the OOM killer.
    const bool probed = container(pod, 0).contains("livenessProbe"_L1);
    if (probed) {
        event(now, object, name, true, u"Unhealthy"_s, probeFailure(pod, "livenessProbe"));
        event(now, object, name, false, u"Killing"_s,
              u"Container "_s + name + u" failed liveness probe, will be restarted"_s);
    }
    lifecycle::restartContainer(pod, 0, 137, probed ? u"Error"_s : u"OOMKilled"_s, m_rng, now);
    const ObjectPtr restarted = write(pod);
    if (!restarted)
        return false;
    containerStarted(now, restarted, pod, 0, false);
    later(now + m_rng.bounded(2000, 8000), Step::Ready, restarted);
    return true;
}

bool Kubelet::failReadiness(const ObjectPtr &object, qint64 now)
{
    if (object->isTerminating())
        return false;
    QJsonObject pod = object->toJsonObject();
    if (lifecycle::phase(pod) != "Running"_L1 || !lifecycle::isReady(pod) ||
        !container(pod, 0).contains("readinessProbe"_L1))
        return false;
    lifecycle::setReady(pod, 0, false, now);
    const ObjectPtr unready = write(pod);
    if (!unready)
        return false;
    event(now, unready, lifecycle::containerNames(pod).value(0), true, u"Unhealthy"_s,
          probeFailure(pod, "readinessProbe"));
    later(now + 10'000, Step::ProbeFail, unready, m_rng.bounded(3));
    return true;
}

bool Kubelet::startCrashLoop(const ObjectPtr &object, qint64 now)
{
    if (object->isTerminating())
        return false;
    QJsonObject pod = object->toJsonObject();
    if (lifecycle::phase(pod) != "Running"_L1 || lifecycle::ownerKind(pod) != u"ReplicaSet"_s ||
        !lifecycle::waitingReason(pod, 0).isEmpty())
        return false;
    lifecycle::crash(pod, 0, 10, true, now);
    const ObjectPtr crashed = write(pod);
    if (!crashed)
        return false;
    const QString name = lifecycle::containerNames(pod).value(0);
    event(now, crashed, name, true, u"BackOff"_s,
          u"Back-off restarting failed container "_s + name + u" in pod "_s + crashed->name +
              QLatin1Char('_') + crashed->ns + QLatin1Char('(') + crashed->uid + QLatin1Char(')'));
    m_crashLooping.insert(crashed->key());
    later(now + 10'000, Step::CrashRetry, crashed, 1 + kCycleBase * m_rng.bounded(3, 7));
    return true;
}

ObjectPtr Kubelet::write(const QJsonObject &pod)
{
    // The pod carries the resourceVersion it was read at: a write racing another one fails (409), and
    // the step is simply dropped, as a real kubelet would retry from a fresh read.
    return m_store.update(m_podType, pod).object;
}

void Kubelet::event(qint64 now, const ObjectPtr &pod, const QString &container, bool warning,
                    const QString &reason, const QString &message)
{
    const QString fieldPath =
        container.isEmpty() ? QString() : QString(u"spec.containers{"_s + container + u"}"_s);
    m_events.record(now, EventTarget::of(pod, fieldPath),
                    {u"kubelet"_s, pod->fields.value(u"spec.nodeName"_s)}, warning, reason, message);
}

QString Kubelet::probeFailure(const QJsonObject &pod, const char *which) const
{
    const QString kind = QLatin1StringView(which) == "livenessProbe"_L1 ? u"Liveness"_s : u"Readiness"_s;
    const QJsonObject probe = container(pod, 0).value(QLatin1StringView(which)).toObject();
    const QString ip = pod.value("status"_L1).toObject().value("podIP"_L1).toString();
    if (probe.contains("httpGet"_L1)) {
        const QJsonObject get = probe.value("httpGet"_L1).toObject();
        const QString port = QString::number(get.value("port"_L1).toInt());
        if (kind == "Liveness"_L1)
            return kind + u" probe failed: HTTP probe failed with statuscode: 503"_s;
        return kind + u" probe failed: Get \"http://"_s + ip + QLatin1Char(':') + port +
               get.value("path"_L1).toString() + u"\": dial tcp "_s + ip + QLatin1Char(':') + port +
               u": connect: connection refused"_s;
    }
    const QString port = QString::number(probe.value("tcpSocket"_L1).toObject().value("port"_L1).toInt());
    return kind + u" probe failed: dial tcp "_s + ip + QLatin1Char(':') + port +
           u": connect: connection refused"_s;
}

void Kubelet::refreshNodes(qint64 now)
{
    // Nodes change rarely; reading them every 30 s of sim time notices cordons and new nodes soon enough.
    if (m_nodesRefreshedAt >= 0 && now - m_nodesRefreshedAt < 30'000)
        return;
    m_nodesRefreshedAt = now;
    m_nodes.clear();
    bool anySchedulable = false;
    for (const ObjectPtr &object : m_store.list(m_nodeType, {})) {
        const QJsonObject json = object->toJsonObject();
        const QJsonObject spec = json.value("spec"_L1).toObject();
        const QJsonObject status = json.value("status"_L1).toObject();
        Node n;
        n.name = object->name;
        for (const QJsonValue &a : status.value("addresses"_L1).toArray()) {
            if (a.toObject().value("type"_L1) == u"InternalIP"_s)
                n.ip = a.toObject().value("address"_L1).toString();
        }
        const QString podCidr = spec.value("podCIDR"_L1).toString();
        const QStringList cidr = podCidr.section(QLatin1Char('/'), 0, 0).split(QLatin1Char('.'));
        const int prefix = podCidr.section(QLatin1Char('/'), 1).toInt();
        if (cidr.size() == 4 && prefix >= 8 && prefix <= 30) {
            n.podBase = (cidr[0].toUInt() << 24) | (cidr[1].toUInt() << 16) | (cidr[2].toUInt() << 8) |
                        cidr[3].toUInt();
            n.podCount = 1u << (32 - prefix);
        }
        bool ready = false;
        for (const QJsonValue &c : status.value("conditions"_L1).toArray()) {
            if (c.toObject().value("type"_L1) == u"Ready"_s)
                ready = c.toObject().value("status"_L1) == u"True"_s;
        }
        bool tainted = spec.value("unschedulable"_L1).toBool();
        for (const QJsonValue &t : spec.value("taints"_L1).toArray())
            tainted = tainted || t.toObject().value("effect"_L1) == u"NoSchedule"_s;
        n.schedulable = ready && !tainted;
        anySchedulable = anySchedulable || n.schedulable;
        m_nodes.push_back(n);
    }
    // A cluster of tainted nodes only (a lone control plane) still runs its pods there.
    if (!anySchedulable) {
        for (Node &n : m_nodes)
            n.schedulable = true;
    }
    if (m_nextPodIP.isEmpty()) {
        // Continue after the highest address in use on each node, so new pods never share one.
        QHash<QString, const Node *> byName;
        for (const Node &n : m_nodes)
            byName.insert(n.name, &n);
        for (const ObjectPtr &pod : m_store.list(m_podType, {})) {
            const QString nodeName = pod->fields.value(u"spec.nodeName"_s);
            const QStringList ip = pod->fields.value(u"status.podIP"_s).split(QLatin1Char('.'));
            const Node *n = byName.value(nodeName);
            if (ip.size() != 4 || !n)
                continue;
            const quint32 a =
                (ip[0].toUInt() << 24) | (ip[1].toUInt() << 16) | (ip[2].toUInt() << 8) | ip[3].toUInt();
            const quint32 offset = a - n->podBase;
            if (offset < n->podCount)
                m_nextPodIP[nodeName] = std::max(m_nextPodIP.value(nodeName, 2), offset + 1);
        }
    }
}

const Kubelet::Node *Kubelet::node(const QString &name) const
{
    for (const Node &n : m_nodes) {
        if (n.name == name)
            return &n;
    }
    return nullptr;
}

QString Kubelet::allocatePodIP(const Node &node)
{
    quint32 &next = m_nextPodIP[node.name];
    if (next < 2 || next + 1 >= node.podCount)
        next = 2; // wrapped around the CIDR: the old holders are long gone
    return ipv4(node.podBase + next++);
}

} // namespace cw::sim
