// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

// What every kubeadm-style cluster has before anyone deploys an app: namespaces, nodes, the kube-system
// configuration, the root CA in every namespace, the bootstrap token, the "kubernetes" Service.
namespace cw::sim {

// The kubelet/kube-proxy version every node reports.
inline constexpr char kKubernetesVersion[] = "v1.28.15";

QJsonObject namespaceFor(const QString &name, qint64 createdMs);

struct NodeSpec
{
    QString name;
    int index = 0;
    bool controlPlane = false;
    QString internalIP;
    QString podCidr;
    int maxPods = 110;
};
// A Ready node with capacity, allocatable, nodeInfo, addresses and the images its pods use.
QJsonObject nodeFor(const NodeSpec &node, const QStringList &images, QRandomGenerator &rng, qint64 createdMs,
                    qint64 nowMs);

QJsonObject kubeRootCaConfigMap(const QString &ns, const QByteArray &caPem, qint64 createdMs);
// kube-system and kube-public ConfigMaps of a kubeadm cluster, in creation order.
int systemConfigMapCount();
QJsonObject systemConfigMap(int index, const QByteArray &caPem, qint64 createdMs);
QJsonObject bootstrapTokenSecret(QRandomGenerator &rng, qint64 createdMs);
QJsonObject kubernetesService(qint64 createdMs);

} // namespace cw::sim
