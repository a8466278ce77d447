// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

namespace cw::sim {

class Store;

// How big the simulated cluster is. -1 counts are derived from the pod count, the way a real cluster's
// objects scale with its workloads.
struct ClusterShape
{
    int namespaces = 4;   // app namespaces, on top of default, kube-system, kube-public, kube-node-lease
    int nodes = 5;        // the first one is the control plane
    int pods = 200;       // every pod, system ones included
    int deployments = -1; // one per five app pods, one per twelve beyond the first thousand
    int services = -1;    // the "kubernetes" Service plus one per Deployment
    int configmaps = -1;  // kube-root-ca.crt per namespace, kube-system's, and one per two Deployments
    int secrets = -1;     // the bootstrap token, a TLS cert per app namespace, one per two Deployments
    quint32 seed = 1;     // everything but timestamps and uids follows from it
};

// Fills `store` with a settled, realistic cluster of `shape`: nodes, namespaces, Deployments with their
// ReplicaSets and pods, control-plane and kube-proxy pods, CronJob pods, Services, ConfigMaps, Secrets.
void populate(Store &store, const ClusterShape &shape);

} // namespace cw::sim
