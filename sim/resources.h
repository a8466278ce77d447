// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace cw::sim {

// One served resource of the simulated API server, as discovery describes it.
struct ResourceType
{
    QString group;      // "" for the core group
    QString version;    // "v1"
    QString plural;     // "pods"
    QString singular;   // "pod"
    QString kind;       // "Pod"
    bool namespaced = true;
    QStringList shortNames;
    QStringList categories;
    // Field-selector labels accepted besides metadata.name and metadata.namespace.
    QStringList extraFieldLabels;
    // events.k8s.io/v1 Event shares storage (and resourceVersions) with core/v1 Event, like the real server.
    const ResourceType *storage = nullptr;

    QString apiVersion() const { return group.isEmpty() ? version : group + QLatin1Char('/') + version; }
    QString groupVersion() const { return apiVersion(); }
    // "pods" or "deployments.apps": the name kubectl and RBAC messages use.
    QString groupResource() const { return group.isEmpty() ? plural : plural + QLatin1Char('.') + group; }
    const ResourceType *storageType() const { return storage ? storage : this; }
    bool isAlias() const { return storage != nullptr; }
    QStringList fieldLabels() const;
};

// Every resource the sim serves, in discovery order. Pointers stay valid for the process lifetime.
const QList<const ResourceType *> &servedResources();
const ResourceType *findResource(const QString &group, const QString &version, const QString &plural);
// Lookup by kind within a group/version (used for writes that name the kind in the body).
const ResourceType *findResourceByKind(const QString &apiVersion, const QString &kind);

} // namespace cw::sim
