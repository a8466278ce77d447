// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

// Pods no Deployment owns: the control plane's static (mirror) pods and the kube-proxy DaemonSet's pods.
namespace cw::sim {

// etcd, kube-apiserver, kube-controller-manager, kube-scheduler: one each on the control-plane node.
QStringList staticPodComponents();
// The mirror pod's template for `component`; its pod is named "<component>-<node>" and owned by the Node.
QJsonObject staticPodTemplate(const QString &component, const QString &node, const QString &nodeIP,
                              QRandomGenerator &rng, qint64 createdMs);
// kube-proxy's DaemonSet template as it stamps it for one node (node affinity names the node).
QJsonObject kubeProxyTemplate(const QString &node);
// Images of the system pods, for the nodes' image lists.
QStringList systemImages();

} // namespace cw::sim
