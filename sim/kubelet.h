// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store.h"

#include <QHash>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QString>

#include <queue>
#include <set>
#include <vector>

namespace cw::sim {

class EventRecorder;

// The scheduler and every node's kubelet: each pod's life is a chain of timed steps (bind, create
// containers, start, ready; restarts, crash loops, completion, deletion). A step keeps only the pod's key
// and uid; when it runs it re-reads the pod and does nothing if the pod is gone, was replaced, is being
// deleted or has moved on, so changes made behind the churn's back are always respected.
class Kubelet
{
public:
    Kubelet(Store &store, EventRecorder &events, QRandomGenerator &rng, int graceSeconds);

    // A pod without a node: the scheduler binds it shortly.
    void admit(const QString &podKey, qint64 now);
    // A pod found mid-life when the churn starts: pick its life up where it stands.
    void adopt(const ObjectPtr &pod, qint64 now);
    void runDue(qint64 now);

    // Disruptions; each returns false, changing nothing, when the pod is not in a state that allows it.
    bool deleteGracefully(const ObjectPtr &pod, qint64 now);
    bool failLiveness(const ObjectPtr &pod, qint64 now);
    bool failReadiness(const ObjectPtr &pod, qint64 now);
    bool startCrashLoop(const ObjectPtr &pod, qint64 now);
    int crashLooping() const { return int(m_crashLooping.size()); }

private:
    enum class Step
    {
        Schedule,
        Create,
        Start,
        Ready,
        ProbeFail,
        CrashRetry,
        CrashFail,
        Complete,
        Cleanup,
        Remove
    };
    struct Task
    {
        qint64 due = 0;
        quint64 seq = 0; // ties run in the order they were planned: determinism
        Step step = Step::Schedule;
        QString ns;
        QString name;
        QString uid;
        int arg = 0;
        bool operator>(const Task &o) const { return due != o.due ? due > o.due : seq > o.seq; }
    };
    struct Node
    {
        QString name;
        QString ip;
        quint32 podBase = 0;
        quint32 podCount = 256; // addresses in the node's pod CIDR
        bool schedulable = false;
    };

    void later(qint64 due, Step step, const ObjectPtr &pod, int arg = 0);
    void run(const Task &task, qint64 now);
    void schedule(const ObjectPtr &object, QJsonObject pod, qint64 now);
    void createContainers(QJsonObject pod, qint64 now);
    void startContainers(QJsonObject pod, int pulled, qint64 now);
    void crashRetry(QJsonObject pod, int arg, qint64 now);
    void crashFail(QJsonObject pod, int arg, qint64 now);
    ObjectPtr write(const QJsonObject &pod);
    // An event from the pod's kubelet, about one container when `container` is given.
    void event(qint64 now, const ObjectPtr &pod, const QString &container, bool warning,
               const QString &reason, const QString &message);
    void containerStarted(qint64 now, const ObjectPtr &pod, const QJsonObject &json, int index, bool pulled);
    QString probeFailure(const QJsonObject &pod, const char *probe) const;
    void refreshNodes(qint64 now);
    const Node *node(const QString &name) const;
    QString allocatePodIP(const Node &node);

    Store &m_store;
    EventRecorder &m_events;
    QRandomGenerator &m_rng;
    const int m_graceSeconds;
    const ResourceType *m_podType;
    const ResourceType *m_nodeType;
    std::priority_queue<Task, std::vector<Task>, std::greater<>> m_tasks;
    quint64 m_seq = 0;
    std::vector<Node> m_nodes;
    qint64 m_nodesRefreshedAt = -1;
    QHash<QString, quint32> m_nextPodIP; // node -> next free offset in its pod CIDR
    std::set<QString> m_crashLooping;    // pods the kubelet is cycling through back-offs
};

} // namespace cw::sim
