// SPDX-License-Identifier: Apache-2.0
#include "resources.h"

namespace cw::sim {

QStringList ResourceType::fieldLabels() const
{
    QStringList labels{QStringLiteral("metadata.name")};
    if (namespaced)
        labels << QStringLiteral("metadata.namespace");
    return labels + extraFieldLabels;
}

namespace {

ResourceType make(const char *group, const char *plural, const char *singular, const char *kind, bool namespaced,
                  QStringList shortNames, QStringList categories, QStringList fields = {})
{
    ResourceType t;
    t.group = QString::fromLatin1(group);
    t.version = QStringLiteral("v1");
    t.plural = QString::fromLatin1(plural);
    t.singular = QString::fromLatin1(singular);
    t.kind = QString::fromLatin1(kind);
    t.namespaced = namespaced;
    t.shortNames = std::move(shortNames);
    t.categories = std::move(categories);
    t.extraFieldLabels = std::move(fields);
    return t;
}

struct Registry
{
    ResourceType namespaces = make("", "namespaces", "namespace", "Namespace", false, {QStringLiteral("ns")}, {},
                                   {QStringLiteral("status.phase")});
    ResourceType nodes = make("", "nodes", "node", "Node", false, {QStringLiteral("no")}, {},
                              {QStringLiteral("spec.unschedulable")});
    ResourceType pods = make("", "pods", "pod", "Pod", true, {QStringLiteral("po")}, {QStringLiteral("all")},
                             {QStringLiteral("spec.nodeName"), QStringLiteral("spec.restartPolicy"),
                              QStringLiteral("spec.schedulerName"), QStringLiteral("spec.serviceAccountName"),
                              QStringLiteral("status.phase"), QStringLiteral("status.podIP"),
                              QStringLiteral("status.nominatedNodeName")});
    ResourceType services = make("", "services", "service", "Service", true, {QStringLiteral("svc")},
                                 {QStringLiteral("all")}, {QStringLiteral("spec.clusterIP"), QStringLiteral("spec.type")});
    ResourceType configmaps = make("", "configmaps", "configmap", "ConfigMap", true, {QStringLiteral("cm")}, {});
    ResourceType secrets = make("", "secrets", "secret", "Secret", true, {}, {}, {QStringLiteral("type")});
    ResourceType events = make("", "events", "event", "Event", true, {QStringLiteral("ev")}, {},
                               {QStringLiteral("involvedObject.kind"), QStringLiteral("involvedObject.namespace"),
                                QStringLiteral("involvedObject.name"), QStringLiteral("involvedObject.uid"),
                                QStringLiteral("involvedObject.apiVersion"),
                                QStringLiteral("involvedObject.resourceVersion"),
                                QStringLiteral("involvedObject.fieldPath"), QStringLiteral("reason"),
                                QStringLiteral("reportingComponent"), QStringLiteral("source"), QStringLiteral("type")});
    ResourceType eventsV1 = make("events.k8s.io", "events", "event", "Event", true, {QStringLiteral("ev")}, {},
                                 {QStringLiteral("regarding.kind"), QStringLiteral("regarding.namespace"),
                                  QStringLiteral("regarding.name"), QStringLiteral("regarding.uid"),
                                  QStringLiteral("regarding.apiVersion"), QStringLiteral("regarding.resourceVersion"),
                                  QStringLiteral("regarding.fieldPath"), QStringLiteral("reason"),
                                  QStringLiteral("reportingController"), QStringLiteral("type")});
    ResourceType deployments = make("apps", "deployments", "deployment", "Deployment", true,
                                    {QStringLiteral("deploy")}, {QStringLiteral("all")});
    ResourceType replicasets = make("apps", "replicasets", "replicaset", "ReplicaSet", true, {QStringLiteral("rs")},
                                    {QStringLiteral("all")});
    QList<const ResourceType *> all;

    Registry()
    {
        eventsV1.storage = &events;
        all = {&namespaces, &nodes, &pods, &services, &configmaps, &secrets, &events, &eventsV1, &deployments,
               &replicasets};
    }
};

const Registry &registry()
{
    static const Registry r;
    return r;
}

} // namespace

const QList<const ResourceType *> &servedResources()
{
    return registry().all;
}

const ResourceType *findResource(const QString &group, const QString &version, const QString &plural)
{
    for (const ResourceType *t : servedResources()) {
        if (t->group == group && t->version == version && t->plural == plural)
            return t;
    }
    return nullptr;
}

const ResourceType *findResourceByKind(const QString &apiVersion, const QString &kind)
{
    for (const ResourceType *t : servedResources()) {
        if (t->apiVersion() == apiVersion && t->kind == kind)
            return t;
    }
    return nullptr;
}

} // namespace cw::sim
