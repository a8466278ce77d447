// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

namespace cw::sim {

// Where a freshly built pod stands. populate() builds pods directly in their settled state; the churn only
// ever builds Pending ones and walks them on with the lifecycle functions.
enum class PodState
{
    Pending,
    Running,
    Unready,
    CrashLoop,
    Succeeded
};

struct PodInstance
{
    QString name;
    QString node; // empty: not scheduled yet
    QString hostIP;
    QString podIP; // hostNetwork pods report their node's address instead
    PodState state = PodState::Pending;
    qint64 createdMs = 0;
    qint64 startedMs = 0; // the containers' latest start (after the last restart)
    int restarts = 0;
};

// Builds the pods of one workload. Everything the pods share (containers, defaults admission adds,
// managedFields of the creating controller, QoS class) is worked out once here, so stamping a pod only
// fills in what differs: name, token volume, node, addresses, times, container ids.
class PodFactory
{
public:
    // `podTemplate` is a PodTemplateSpec (metadata + spec) as controllers store it; `owner` the controller's
    // ownerReference (empty: none); `manager` the field manager that creates the pods.
    PodFactory(const QString &ns, const QJsonObject &podTemplate, const QJsonObject &owner,
               const QString &generateName,
               const QString &manager = QStringLiteral("kube-controller-manager"));

    QJsonObject build(const PodInstance &pod, QRandomGenerator &rng) const;
    const QString &generateName() const { return m_generateName; }
    bool hostNetwork() const { return m_hostNetwork; }

private:
    // A pod's times, formatted once: when it was created (and scheduled), initialized, its containers last
    // started, and its readiness last changed (or its containers finished).
    struct Stamp
    {
        QString created;
        QString initialized;
        QString started;
        QString changed;
    };
    QJsonObject metadata(const PodInstance &pod, const Stamp &times) const;
    QJsonArray containers(const QString &token) const;
    QJsonObject status(const PodInstance &pod, const Stamp &times, QRandomGenerator &rng) const;
    QJsonArray conditions(PodState state, const Stamp &times) const;
    QJsonObject containerStatus(int index, const PodInstance &pod, const Stamp &times,
                                QRandomGenerator &rng) const;
    template <typename T, typename Make>
    T cached(QHash<QString, T> &cache, const QString &key, Make make) const;

    QString m_ns;
    QString m_generateName;
    QString m_manager;
    QJsonObject m_labels;
    QJsonObject m_annotations;
    QJsonArray m_owners;
    QJsonObject m_creatorFields;
    QJsonObject m_specBase; // template spec plus admission defaults, without containers/volumes
    QJsonArray m_containers;
    QJsonArray m_volumes;
    QStringList m_containerNames;
    QStringList m_images;
    QString m_qos;
    bool m_hostNetwork = false;
    bool m_token = true;
    // Pods of one workload share most sub-objects; Qt shares nested JSON containers by reference, so
    // reusing them saves building (and later freeing) the same objects for every pod.
    mutable QHash<QString, QJsonObject> m_entries;
    mutable QHash<QString, QJsonArray> m_conditions;
    mutable QHash<QString, QJsonObject> m_containerStatuses;
};

} // namespace cw::sim
