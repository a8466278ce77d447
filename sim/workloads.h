// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QRandomGenerator>
#include <QString>

// The applications the simulated cluster runs, and the apps/v1 and core/v1 objects that describe them.
// Shared by populate() (which builds them settled) and the churn's controllers (which build new revisions).
namespace cw::sim {

// One deployed application: a catalogue entry placed in a namespace under a name.
struct AppInstance
{
    QString ns;
    QString name;
    int app = 0;       // catalogue index; 0 is CoreDNS
    QString configMap; // mounted at /etc/<name> when set (only names that populate() really creates)
    QString secret;    // exported as env (envFrom) when set
};

int appCatalogSize();
QString appCatalogName(int app);
bool appIsFrontend(int app);

// Counts a controller status reports. Zero fields are omitted like the API's omitempty.
struct ReplicaCounts
{
    int replicas = 0;
    int ready = 0;
    int available = 0;
    int updated = 0;
};

QJsonObject ownerReference(const QString &apiVersion, const QString &kind, const QString &name,
                           const QString &uid);

// The labels the app's Deployment selects its pods (and its Services their endpoints) by.
QJsonObject appSelector(const AppInstance &app);
QString appPortName(int app);
int appPort(int app);
QJsonObject podTemplateFor(const AppInstance &app);
// The release before or after `image`'s tag ("app:v1.8.0" -> "app:v1.7.9" / "app:v1.8.1"); "" if the tag
// has no version number.
QString neighbourRelease(const QString &image, bool newer);
// A Deployment as `kubectl apply` created it (no status: populate() and the controller write that).
QJsonObject deploymentFor(const AppInstance &app, int replicas, qint64 createdMs);
// The ReplicaSet the deployment controller makes for the deployment's current template.
QJsonObject replicaSetFor(const QJsonObject &deployment, const QString &deploymentUid, const QString &hash,
                          int revision, int replicas, qint64 createdMs);
QJsonObject replicaSetStatus(const ReplicaCounts &counts, qint64 observedGeneration);
// Deployment status; conditions are passed in because only the controller knows their history.
QJsonObject deploymentStatus(const ReplicaCounts &counts, qint64 observedGeneration,
                             const QJsonObject &available, const QJsonObject &progressing);
QJsonObject deploymentCondition(const QString &type, bool status, const QString &reason,
                                const QString &message, const QString &time);

} // namespace cw::sim
