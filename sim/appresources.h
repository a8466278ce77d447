// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "workloads.h"

#include <QJsonObject>
#include <QRandomGenerator>
#include <QString>

// What an application has around its Deployment: Services, ConfigMaps, Secrets.
namespace cw::sim {

// variant 0: the app's own Service (LoadBalancer for frontends); 1: a headless one; 2+: a metrics Service.
QJsonObject serviceFor(const AppInstance &app, int variant, const QString &clusterIP, QRandomGenerator &rng,
                       qint64 createdMs);
QString serviceName(const AppInstance &app, int variant);
QJsonObject appConfigMap(const AppInstance &app, const QString &name, qint64 createdMs);
// Opaque credentials, or a kubernetes.io/tls certificate and key.
QJsonObject appSecret(const AppInstance &app, const QString &name, bool tls, QRandomGenerator &rng,
                      qint64 createdMs);
// A config change: one key of an app ConfigMap gets a new value (churn).
QJsonObject bumpConfigMap(QJsonObject configMap, QRandomGenerator &rng);

} // namespace cw::sim
