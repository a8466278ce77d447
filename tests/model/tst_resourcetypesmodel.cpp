// SPDX-License-Identifier: Apache-2.0
#include "resourcetypesmodel.h"
#include "testmain.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace cw::model;
using namespace Qt::StringLiterals;
using cw::watch::ApiResource;

namespace {

const QStringList ListWatch{u"create"_s, u"delete"_s, u"get"_s, u"list"_s, u"patch"_s, u"update"_s, u"watch"_s};

ApiResource res(const QString &group, const QString &version, const QString &resource, const QString &kind,
                bool namespaced = true, const QStringList &verbs = ListWatch)
{
    ApiResource a;
    a.group = group;
    a.version = version;
    a.resource = resource;
    a.kind = kind;
    a.namespaced = namespaced;
    a.verbs = verbs;
    return a;
}

// Roughly what a kind cluster with cert-manager and metrics-server reports, in discovery order.
QList<ApiResource> discovery()
{
    return {
        res({}, u"v1"_s, u"bindings"_s, u"Binding"_s, true, {u"create"_s}),
        res({}, u"v1"_s, u"configmaps"_s, u"ConfigMap"_s),
        res({}, u"v1"_s, u"endpoints"_s, u"Endpoints"_s),
        res({}, u"v1"_s, u"events"_s, u"Event"_s),
        res({}, u"v1"_s, u"namespaces"_s, u"Namespace"_s, false),
        res({}, u"v1"_s, u"nodes"_s, u"Node"_s, false),
        res({}, u"v1"_s, u"persistentvolumeclaims"_s, u"PersistentVolumeClaim"_s),
        res({}, u"v1"_s, u"persistentvolumes"_s, u"PersistentVolume"_s, false),
        res({}, u"v1"_s, u"pods"_s, u"Pod"_s),
        res({}, u"v1"_s, u"pods/log"_s, u"Pod"_s, true, {u"get"_s}),
        res({}, u"v1"_s, u"pods/status"_s, u"Pod"_s, true, {u"get"_s, u"list"_s, u"watch"_s}),
        res({}, u"v1"_s, u"podtemplates"_s, u"PodTemplate"_s),
        res({}, u"v1"_s, u"replicationcontrollers"_s, u"ReplicationController"_s),
        res({}, u"v1"_s, u"secrets"_s, u"Secret"_s),
        res({}, u"v1"_s, u"serviceaccounts"_s, u"ServiceAccount"_s),
        res({}, u"v1"_s, u"services"_s, u"Service"_s),
        res(u"apps"_s, u"v1"_s, u"daemonsets"_s, u"DaemonSet"_s),
        res(u"apps"_s, u"v1"_s, u"deployments"_s, u"Deployment"_s),
        res(u"apps"_s, u"v1"_s, u"replicasets"_s, u"ReplicaSet"_s),
        res(u"apps"_s, u"v1"_s, u"statefulsets"_s, u"StatefulSet"_s),
        res(u"batch"_s, u"v1"_s, u"cronjobs"_s, u"CronJob"_s),
        res(u"batch"_s, u"v1"_s, u"jobs"_s, u"Job"_s),
        res(u"events.k8s.io"_s, u"v1"_s, u"events"_s, u"Event"_s),
        res(u"networking.k8s.io"_s, u"v1"_s, u"ingresses"_s, u"Ingress"_s),
        res(u"networking.k8s.io"_s, u"v1"_s, u"networkpolicies"_s, u"NetworkPolicy"_s),
        res(u"storage.k8s.io"_s, u"v1"_s, u"storageclasses"_s, u"StorageClass"_s, false),
        res(u"rbac.authorization.k8s.io"_s, u"v1"_s, u"clusterroles"_s, u"ClusterRole"_s, false),
        res(u"authentication.k8s.io"_s, u"v1"_s, u"tokenreviews"_s, u"TokenReview"_s, false, {u"create"_s}),
        res(u"apiextensions.k8s.io"_s, u"v1"_s, u"customresourcedefinitions"_s, u"CustomResourceDefinition"_s, false),
        res(u"cert-manager.io"_s, u"v1"_s, u"certificates"_s, u"Certificate"_s),
        res(u"cert-manager.io"_s, u"v1"_s, u"issuers"_s, u"Issuer"_s),
        res(u"cert-manager.io"_s, u"v1"_s, u"clusterissuers"_s, u"ClusterIssuer"_s, false),
        res(u"acme.cert-manager.io"_s, u"v1"_s, u"challenges"_s, u"Challenge"_s),
        res(u"metrics.k8s.io"_s, u"v1beta1"_s, u"pods"_s, u"PodMetrics"_s, true, {u"get"_s, u"list"_s}),
    };
}

QStringList childrenText(const QAbstractItemModel &model, const QModelIndex &parent)
{
    QStringList out;
    for (int r = 0; r < model.rowCount(parent); ++r)
        out.append(model.index(r, 0, parent).data().toString());
    return out;
}

} // namespace

class TestResourceTypesModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void discovery_becomes_the_grouped_sidebar()
    {
        ResourceTypesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.setResources(discovery());
        QCOMPARE(resets.size(), 1);
        QCOMPARE(model.columnCount(), int(ResourceTypesModel::ColumnCount));

        QCOMPARE(childrenText(model, {}), (QStringList{u"Workloads"_s, u"Network"_s, u"Config"_s, u"Storage"_s,
                                                       u"Cluster"_s, u"Custom Resources"_s, u"Other"_s}));
        QCOMPARE(childrenText(model, model.index(0, 0)),
                 (QStringList{u"Pods"_s, u"Deployments"_s, u"ReplicaSets"_s, u"StatefulSets"_s, u"DaemonSets"_s,
                              u"Jobs"_s, u"CronJobs"_s}));
        QCOMPARE(childrenText(model, model.index(1, 0)),
                 (QStringList{u"Services"_s, u"Endpoints"_s, u"Ingresses"_s, u"NetworkPolicies"_s}));
        QCOMPARE(childrenText(model, model.index(2, 0)), (QStringList{u"ConfigMaps"_s, u"Secrets"_s}));
        QCOMPARE(childrenText(model, model.index(3, 0)),
                 (QStringList{u"PersistentVolumeClaims"_s, u"PersistentVolumes"_s, u"StorageClasses"_s}));
        QCOMPARE(childrenText(model, model.index(4, 0)),
                 (QStringList{u"Nodes"_s, u"Namespaces"_s, u"Events"_s, u"ServiceAccounts"_s, u"ClusterRoles"_s,
                              u"CustomResourceDefinitions"_s}));
        // Custom resources: one level per API group, kinds inside.
        const QModelIndex custom = model.index(5, 0);
        QCOMPARE(childrenText(model, custom), (QStringList{u"acme.cert-manager.io"_s, u"cert-manager.io"_s}));
        QCOMPARE(childrenText(model, model.index(1, 0, custom)),
                 (QStringList{u"Certificate"_s, u"ClusterIssuer"_s, u"Issuer"_s}));
        // Built-in types no group lists; the second Event type names its group.
        QCOMPARE(childrenText(model, model.index(6, 0)),
                 (QStringList{u"Events (events.k8s.io)"_s, u"PodTemplates"_s, u"ReplicationControllers"_s}));
    }

    void only_listable_watchable_top_level_resources_appear()
    {
        ResourceTypesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setResources(discovery());
        QVERIFY(!model.indexOf(u"bindings"_s).isValid());         // create only
        QVERIFY(!model.indexOf(u"tokenreviews.authentication.k8s.io"_s).isValid());
        QVERIFY(!model.indexOf(u"pods.metrics.k8s.io"_s).isValid()); // no watch
        QVERIFY(!model.indexOf(u"pods/status"_s).isValid());      // subresource
        QVERIFY(model.indexOf(u"pods"_s).isValid());
    }

    void index_of_a_group_resource_carries_its_roles()
    {
        ResourceTypesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setResources(discovery());
        const QModelIndex deployments = model.indexOf(u"deployments.apps"_s);
        QVERIFY(deployments.isValid());
        QCOMPARE(deployments.data().toString(), u"Deployments"_s);
        QCOMPARE(deployments.parent().data().toString(), u"Workloads"_s);
        QCOMPARE(deployments.data(ResourceTypesModel::GroupResourceRole).toString(), u"deployments.apps"_s);
        const auto api = deployments.data(ResourceTypesModel::ApiResourceRole).value<ApiResource>();
        QCOMPARE(api.kind, u"Deployment"_s);
        QCOMPARE(api.version, u"v1"_s);
        QCOMPARE(deployments.data(Qt::ToolTipRole).toString(), u"deployments.apps (apps/v1)"_s);
        QVERIFY(deployments.flags() & Qt::ItemIsSelectable);

        const QModelIndex certificates = model.indexOf(u"certificates.cert-manager.io"_s);
        QCOMPARE(certificates.data().toString(), u"Certificate"_s);
        QCOMPARE(certificates.parent().data().toString(), u"cert-manager.io"_s);
        QCOMPARE(certificates.parent().parent().data().toString(), u"Custom Resources"_s);

        const QModelIndex workloads = model.index(0, 0);
        QVERIFY(!(workloads.flags() & Qt::ItemIsSelectable));
        QCOMPARE(workloads.data(ResourceTypesModel::GroupResourceRole).toString(), QString());
        QVERIFY(!workloads.data(ResourceTypesModel::ApiResourceRole).isValid());
    }

    void empty_groups_are_hidden_and_a_new_list_replaces_the_old()
    {
        ResourceTypesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setResources(discovery());
        model.setResources({res({}, u"v1"_s, u"pods"_s, u"Pod"_s), res({}, u"v1"_s, u"nodes"_s, u"Node"_s, false)});
        QCOMPARE(childrenText(model, {}), (QStringList{u"Workloads"_s, u"Cluster"_s}));
        QVERIFY(!model.indexOf(u"deployments.apps"_s).isValid());
        QCOMPARE(model.indexOf(u"nodes"_s).parent().row(), 1);
    }

    void display_names_are_plurals_for_built_ins_and_kinds_for_custom_data()
    {
        QTest::addColumn<QString>("group");
        QTest::addColumn<QString>("resource");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::addRow("pods") << QString() << u"pods"_s << u"Pod"_s << u"Pods"_s;
        QTest::addRow("endpoints") << QString() << u"endpoints"_s << u"Endpoints"_s << u"Endpoints"_s;
        QTest::addRow("ingresses") << u"networking.k8s.io"_s << u"ingresses"_s << u"Ingress"_s << u"Ingresses"_s;
        QTest::addRow("networkpolicies") << u"networking.k8s.io"_s << u"networkpolicies"_s << u"NetworkPolicy"_s
                                         << u"NetworkPolicies"_s;
        QTest::addRow("storageclasses") << u"storage.k8s.io"_s << u"storageclasses"_s << u"StorageClass"_s
                                        << u"StorageClasses"_s;
        QTest::addRow("custom") << u"cert-manager.io"_s << u"certificates"_s << u"Certificate"_s << u"Certificate"_s;
    }
    void display_names_are_plurals_for_built_ins_and_kinds_for_custom()
    {
        QFETCH(QString, group);
        QFETCH(QString, resource);
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        QCOMPARE(ResourceTypesModel::displayName(res(group, u"v1"_s, resource, kind)), expected);
    }
};

CW_TEST(TestResourceTypesModel)
#include "tst_resourcetypesmodel.moc"
