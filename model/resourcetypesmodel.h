// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "watchtypes.h"

#include <QAbstractItemModel>
#include <QHash>

#include <memory>
#include <vector>

namespace cw::model {

// The sidebar tree of resource types the cluster serves, grouped as people look for them: Workloads,
// Network, Config, Storage, Cluster, Custom Resources (one level per API group under it), and Other for
// built-in types no group lists. Only resources that support list and watch appear (a table needs both);
// subresources never do. Empty groups are hidden.
class ResourceTypesModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        ColumnCount
    };
    enum Role
    {
        ApiResourceRole = Qt::UserRole + 1, // QVariant::fromValue(cw::watch::ApiResource); invalid on groups
        GroupResourceRole,                  // "deployments.apps", "pods"; "" on groups
    };
    Q_ENUM(Role)

    explicit ResourceTypesModel(QObject *parent = nullptr);
    ~ResourceTypesModel() override;

    // Replaces the tree (one reset).
    void setResources(const QList<cw::watch::ApiResource> &resources);
    // The resource's index, or an invalid one when the cluster does not serve it.
    QModelIndex indexOf(const QString &groupResource) const;
    // What the sidebar shows for a resource: the kind's plural ("Pods", "NetworkPolicies"), or for a custom
    // resource its kind.
    static QString displayName(const cw::watch::ApiResource &api);
    // True for the API groups Kubernetes itself serves ("", "apps", "networking.k8s.io", ...).
    static bool isBuiltInGroup(const QString &group);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    struct Node
    {
        QString text;
        bool isResource = false;
        cw::watch::ApiResource api;
        Node *parent = nullptr;
        int row = 0; // in parent
        std::vector<std::unique_ptr<Node>> children;
        Node *add(std::unique_ptr<Node> child);
    };
    Node *nodeOf(const QModelIndex &index) const;
    QModelIndex indexOfNode(const Node *node) const;

    std::unique_ptr<Node> m_root;
    QHash<QString, Node *> m_byGroupResource;
};

} // namespace cw::model
