// SPDX-License-Identifier: Apache-2.0
#include "resourcetypesmodel.h"

#include <QMap>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;
using cw::watch::ApiResource;

namespace cw::model {

namespace {

struct Group
{
    QLatin1StringView title;
    QList<QLatin1StringView> members; // group-resources, in the order the sidebar lists them
};

// The fixed groups and what they hold; the order within each is the order people reach for them.
const QList<Group> &groups()
{
    static const QList<Group> all{
        {"Workloads"_L1,
         {"pods"_L1, "deployments.apps"_L1, "replicasets.apps"_L1, "statefulsets.apps"_L1, "daemonsets.apps"_L1,
          "jobs.batch"_L1, "cronjobs.batch"_L1}},
        {"Network"_L1,
         {"services"_L1, "endpoints"_L1, "endpointslices.discovery.k8s.io"_L1, "ingresses.networking.k8s.io"_L1,
          "ingressclasses.networking.k8s.io"_L1, "networkpolicies.networking.k8s.io"_L1}},
        {"Config"_L1,
         {"configmaps"_L1, "secrets"_L1, "resourcequotas"_L1, "limitranges"_L1,
          "horizontalpodautoscalers.autoscaling"_L1, "poddisruptionbudgets.policy"_L1,
          "priorityclasses.scheduling.k8s.io"_L1, "leases.coordination.k8s.io"_L1}},
        {"Storage"_L1,
         {"persistentvolumeclaims"_L1, "persistentvolumes"_L1, "storageclasses.storage.k8s.io"_L1,
          "volumeattachments.storage.k8s.io"_L1, "csidrivers.storage.k8s.io"_L1}},
        {"Cluster"_L1,
         {"nodes"_L1, "namespaces"_L1, "events"_L1, "serviceaccounts"_L1, "roles.rbac.authorization.k8s.io"_L1,
          "rolebindings.rbac.authorization.k8s.io"_L1, "clusterroles.rbac.authorization.k8s.io"_L1,
          "clusterrolebindings.rbac.authorization.k8s.io"_L1,
          "customresourcedefinitions.apiextensions.k8s.io"_L1, "apiservices.apiregistration.k8s.io"_L1,
          "mutatingwebhookconfigurations.admissionregistration.k8s.io"_L1,
          "validatingwebhookconfigurations.admissionregistration.k8s.io"_L1}},
    };
    return all;
}

const QLatin1StringView CustomTitle("Custom Resources");
const QLatin1StringView OtherTitle("Other");

} // namespace

ResourceTypesModel::Node *ResourceTypesModel::Node::add(std::unique_ptr<Node> child)
{
    child->parent = this;
    child->row = int(children.size());
    children.push_back(std::move(child));
    return children.back().get();
}

ResourceTypesModel::ResourceTypesModel(QObject *parent)
    : QAbstractItemModel(parent), m_root(std::make_unique<Node>())
{
}

ResourceTypesModel::~ResourceTypesModel() = default;

bool ResourceTypesModel::isBuiltInGroup(const QString &group)
{
    static const QSet<QString> builtIn{
        QString(), u"apps"_s, u"batch"_s, u"autoscaling"_s, u"policy"_s,
        u"networking.k8s.io"_s, u"rbac.authorization.k8s.io"_s, u"storage.k8s.io"_s,
        u"apiextensions.k8s.io"_s, u"apiregistration.k8s.io"_s, u"admissionregistration.k8s.io"_s,
        u"coordination.k8s.io"_s, u"discovery.k8s.io"_s, u"events.k8s.io"_s, u"scheduling.k8s.io"_s,
        u"node.k8s.io"_s, u"certificates.k8s.io"_s, u"flowcontrol.apiserver.k8s.io"_s, u"resource.k8s.io"_s,
        u"authentication.k8s.io"_s, u"authorization.k8s.io"_s, u"internal.apiserver.k8s.io"_s,
        u"storagemigration.k8s.io"_s,
    };
    return builtIn.contains(group);
}

QString ResourceTypesModel::displayName(const ApiResource &api)
{
    if (!isBuiltInGroup(api.group) || api.kind.isEmpty())
        return api.kind.isEmpty() ? api.resource : api.kind;
    // The plural is the resource name; the kind gives it its capitals: "networkpolicies" + "NetworkPolicy".
    const QString lowerKind = api.kind.toLower();
    if (api.resource.startsWith(lowerKind))
        return api.kind + api.resource.mid(lowerKind.size());
    if (api.kind.endsWith(u'y') && api.resource.endsWith("ies"_L1)
        && api.resource.startsWith(QStringView(lowerKind).chopped(1)))
        return api.kind.chopped(1) + "ies"_L1;
    return api.resource;
}

void ResourceTypesModel::setResources(const QList<ApiResource> &resources)
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    m_byGroupResource.clear();

    QHash<QString, ApiResource> usable;
    for (const ApiResource &api : resources) {
        if (api.resource.contains(u'/') || !api.verbs.contains("list"_L1) || !api.verbs.contains("watch"_L1))
            continue;
        usable.insert(api.groupResource(), api);
    }

    const auto leaf = [](const ApiResource &api, const QString &text) {
        auto node = std::make_unique<Node>();
        node->text = text;
        node->isResource = true;
        node->api = api;
        return node;
    };
    const auto group = [](const QString &title) {
        auto node = std::make_unique<Node>();
        node->text = title;
        return node;
    };
    QSet<QString> placed;
    for (const Group &g : groups()) {
        auto node = group(g.title);
        for (const QLatin1StringView member : g.members) {
            const auto it = usable.constFind(member);
            if (it == usable.constEnd())
                continue;
            m_byGroupResource.insert(it.key(), node->add(leaf(*it, displayName(*it))));
            placed.insert(it.key());
        }
        if (!node->children.empty())
            m_root->add(std::move(node));
    }

    // Custom resources by API group, groups and kinds in alphabetical order; everything else built-in sorted
    // by its display name (with its group, since e.g. events.k8s.io Events would read like core Events).
    QMap<QString, QMap<QString, ApiResource>> custom;
    QMap<QString, ApiResource> other;
    for (auto it = usable.constBegin(); it != usable.constEnd(); ++it) {
        if (placed.contains(it.key()))
            continue;
        if (isBuiltInGroup(it->group))
            other.insert(displayName(*it).toLower() + u' ' + it.key(), *it);
        else
            custom[it->group].insert(it->kind.toLower() + u' ' + it.key(), *it);
    }
    if (!custom.isEmpty()) {
        auto node = group(CustomTitle);
        for (auto g = custom.constBegin(); g != custom.constEnd(); ++g) {
            Node *apiGroup = node->add(group(g.key()));
            for (const ApiResource &api : *g)
                m_byGroupResource.insert(api.groupResource(), apiGroup->add(leaf(api, displayName(api))));
        }
        m_root->add(std::move(node));
    }
    if (!other.isEmpty()) {
        auto node = group(OtherTitle);
        for (const ApiResource &api : std::as_const(other)) {
            const QString text = api.group.isEmpty() ? displayName(api)
                                                     : displayName(api) + " ("_L1 + api.group + u')';
            m_byGroupResource.insert(api.groupResource(), node->add(leaf(api, text)));
        }
        m_root->add(std::move(node));
    }
    endResetModel();
}

ResourceTypesModel::Node *ResourceTypesModel::nodeOf(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

QModelIndex ResourceTypesModel::indexOfNode(const Node *node) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row, 0, const_cast<Node *>(node));
}

QModelIndex ResourceTypesModel::indexOf(const QString &groupResource) const
{
    return indexOfNode(m_byGroupResource.value(groupResource, nullptr));
}

QModelIndex ResourceTypesModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    return createIndex(row, column, nodeOf(parent)->children[size_t(row)].get());
}

QModelIndex ResourceTypesModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    return indexOfNode(nodeOf(child)->parent);
}

int ResourceTypesModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(nodeOf(parent)->children.size());
}

int ResourceTypesModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant ResourceTypesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !hasIndex(index.row(), index.column(), index.parent()))
        return {};
    const Node *node = nodeOf(index);
    switch (role) {
    case Qt::DisplayRole:
        return node->text;
    case Qt::ToolTipRole: {
        if (!node->isResource)
            return {};
        const QString groupVersion =
            node->api.group.isEmpty() ? node->api.version : node->api.group + u'/' + node->api.version;
        return QString(node->api.groupResource() + " ("_L1 + groupVersion + u')');
    }
    case ApiResourceRole:
        return node->isResource ? QVariant::fromValue(node->api) : QVariant();
    case GroupResourceRole:
        return node->isResource ? node->api.groupResource() : QString();
    default:
        return {};
    }
}

Qt::ItemFlags ResourceTypesModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    // Groups only fold and unfold; choosing one would open no table.
    return nodeOf(index)->isResource ? Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren
                                     : Qt::ItemIsEnabled;
}

} // namespace cw::model
