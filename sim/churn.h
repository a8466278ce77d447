// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QRandomGenerator>
#include <QStringList>
#include <QTimer>

#include <memory>

namespace cw::sim {

class ChurnIndex;
class Controllers;
class EventRecorder;
class Kubelet;
class Store;
struct ResourceType;
struct StoreEvent;

struct ChurnConfig
{
    // Disruptions per second: a pod killed (and replaced), a container restarted, a readiness probe
    // failing for a while, a crash loop starting. Each sets off several writes over the following seconds.
    double podChangesPerSecond = 4;
    // New image or `kubectl rollout restart` on a settled Deployment: a new ReplicaSet rolls in.
    double deploymentRolloutsPerMinute = 1;
    // A config change on an app ConfigMap.
    double configMapUpdatesPerMinute = 2;
    // kube-apiserver's --event-ttl default: Events live an hour after their last occurrence.
    int eventTtlSeconds = 3600;
    // Grace period of the churn's deletions; shorter than the real 30 s so demos show pods leaving.
    int graceSeconds = 2;
    // Simulated seconds the churn has already been running when start() returns, so that a fresh server
    // looks lived-in (restarts, Events, finished Jobs) and its memory is at its steady level from the start.
    int warmUpSeconds = 0;
    quint32 seed = 1;
};

// Keeps a populated store alive the way a busy cluster is: pods come and go through their real lifecycle,
// containers restart and crash-loop, Jobs run to completion, Deployments roll out, ConfigMaps change, and
// every step leaves the Events a cluster would show. Deterministic for a seed and a sequence of step() times.
// Only ever changes the store through its API and re-reads objects before acting, so it coexists with
// clients (kubectl delete, label, scale) changing the same objects.
class Churn : public QObject
{
    Q_OBJECT
public:
    Churn(Store &store, ChurnConfig config, QObject *parent = nullptr);
    ~Churn() override;

    // Steps with the wall clock about ten times a second.
    void start();
    void stop();
    bool isRunning() const { return m_timer.isActive(); }
    // Advances the simulation to `nowMsecs` (tests drive it with a fake clock).
    void step(qint64 nowMsecs);

private:
    void begin(qint64 now);
    void disruptPod(qint64 now);
    void startRollout(qint64 now);
    void updateConfigMap();
    void keepJobsGoing(qint64 now);
    void reconcile(qint64 now);
    void collectGarbage(qint64 now);

    Store &m_store;
    const ChurnConfig m_config;
    QRandomGenerator m_rng;
    const ResourceType *m_podType;
    const ResourceType *m_rsType;
    const ResourceType *m_deploymentType;
    const ResourceType *m_configMapType;
    std::unique_ptr<ChurnIndex> m_index;
    std::unique_ptr<EventRecorder> m_events;
    std::unique_ptr<Kubelet> m_kubelet;
    std::unique_ptr<Controllers> m_controllers;
    QTimer m_timer;
    qint64 m_last = -1;
    // Fractional work owed; whole units are done each step (rates stay exact at any tick length).
    double m_podBudget = 0;
    double m_rolloutBudget = 0;
    double m_configBudget = 0;
    int m_crashLoopCap = 1; // crash-looping pods at once (those found at the start, and a few more)
    int m_jobTarget = 0;    // Job pods kept around: as many as there were at the start
    QStringList m_jobNamespaces;
    qint64 m_nextJobMs = 0;
};

} // namespace cw::sim
