// SPDX-License-Identifier: Apache-2.0
#pragma once

// populate()'s worker, shared by objects.cpp (cluster plumbing: namespaces, nodes, config, services) and
// populatepods.cpp (workloads and their pods). Not part of the sim's API.

#include "objects.h"
#include "podfactory.h"
#include "resources.h"
#include "store.h"
#include "workloads.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QRandomGenerator>
#include <QStringList>

#include <vector>

namespace cw::sim::populating {

inline constexpr qint64 kMinute = 60'000;
inline constexpr qint64 kHour = 60 * kMinute;
inline constexpr qint64 kDay = 24 * kHour;

struct Types
{
    Types();
    const ResourceType *namespaces;
    const ResourceType *nodes;
    const ResourceType *pods;
    const ResourceType *services;
    const ResourceType *configmaps;
    const ResourceType *secrets;
    const ResourceType *deployments;
    const ResourceType *replicasets;
};

struct NodeSlot
{
    QString name;
    QString ip;
    quint32 podBase = 0;
    quint32 nextPod = 2; // .0 is the network, .1 the bridge
    QString uid;
};

struct PlannedApp
{
    AppInstance app;
    int replicas = 0;
    int revision = 1;
    qint64 createdMs = 0;
};

class Populator
{
public:
    Populator(Store &store, const ClusterShape &shape);
    void run();

private:
    ObjectPtr create(const ResourceType *type, const QJsonObject &object);

    void planCounts();
    void createNamespaces();
    void createNodes();
    void planApps();
    void createConfigMaps();
    void createSecrets();
    void createSystemPods();
    void createDeployment(const PlannedApp &planned);
    void createJobPods();
    void createServices();

    // Round-robin over the nodes pods may run on (null: there are none).
    NodeSlot *nextNode();
    // Creates the pod, retrying with a new suffix in the (rare) event of a name clash.
    ObjectPtr createPod(const PodFactory &factory, PodInstance pod, NodeSlot *node);
    QString clusterIP();
    QString appNamespace(int index) const;

    Store &m_store;
    const ClusterShape m_shape;
    const Types m_types;
    QRandomGenerator m_rng;
    // Whole seconds, so timestamps (second precision) fall the same way for a seed whenever populate() runs:
    // two pods created in the same second in one run are in the same second in every run.
    const qint64 m_now;
    qint64 m_born = 0;
    QByteArray m_caPem;
    QStringList m_appNamespaces;
    QHash<QString, qint64> m_nsCreated;
    std::vector<NodeSlot> m_nodes;
    std::vector<int> m_schedulable;
    int m_cursor = 0;
    int m_staticPods = 0;
    int m_proxyPods = 0;
    int m_jobPods = 0;
    int m_deploymentPods = 0;
    int m_deployments = 0;
    std::vector<PlannedApp> m_apps;
    quint32 m_nextService = 1000;
};

} // namespace cw::sim::populating
