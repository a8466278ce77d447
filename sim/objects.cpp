// SPDX-License-Identifier: Apache-2.0
#include "objects.h"

#include "appresources.h"
#include "clusterbase.h"
#include "names.h"
#include "populator.h"
#include "systempods.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSet>

#include <vector>

using namespace Qt::StringLiterals;

namespace cw::sim {

namespace populating {

namespace {

const char *const kAppNamespaces[] = {"shop",   "payments", "platform", "monitoring", "data",
                                      "search", "identity", "media",    "analytics",  "ci"};

} // namespace

Types::Types()
    : namespaces(findResource({}, u"v1"_s, u"namespaces"_s)), nodes(findResource({}, u"v1"_s, u"nodes"_s)),
      pods(findResource({}, u"v1"_s, u"pods"_s)), services(findResource({}, u"v1"_s, u"services"_s)),
      configmaps(findResource({}, u"v1"_s, u"configmaps"_s)),
      secrets(findResource({}, u"v1"_s, u"secrets"_s)),
      deployments(findResource(u"apps"_s, u"v1"_s, u"deployments"_s)),
      replicasets(findResource(u"apps"_s, u"v1"_s, u"replicasets"_s))
{}

Populator::Populator(Store &store, const ClusterShape &shape)
    : m_store(store), m_shape(shape), m_rng(shape.seed),
      m_now(QDateTime::currentMSecsSinceEpoch() / 1000 * 1000)
{
    // A cluster a month and a half old: ages in kubectl look lived-in.
    m_born = m_now - 45 * kDay - m_rng.bounded(12 * kHour);
    m_caPem = fakePem(m_rng, "CERTIFICATE", 800);
}

void Populator::run()
{
    planCounts();
    createNamespaces();
    createNodes();
    planApps();
    createConfigMaps();
    createSecrets();
    createSystemPods();
    for (const PlannedApp &planned : m_apps)
        createDeployment(planned);
    createJobPods();
    createServices();
}

ObjectPtr Populator::create(const ResourceType *type, const QJsonObject &object)
{
    const WriteResult result = m_store.create(type, object);
    if (!result.ok())
        qWarning("populate: creating %s failed: %s", qPrintable(type->plural), qPrintable(result.message));
    return result.object;
}

NodeSlot *Populator::nextNode()
{
    if (m_schedulable.empty())
        return nullptr;
    m_cursor = (m_cursor + 1) % int(m_schedulable.size());
    return &m_nodes[size_t(m_schedulable[size_t(m_cursor)])];
}

QString Populator::clusterIP()
{
    // An odd multiplier permutes the /12's 20 host bits: unique addresses that look scattered.
    for (;;) {
        const quint32 host = (quint32(m_nextService++) * 2654435761u) & 0xFFFFFu;
        if (host > 10 && (host & 0xff) != 0 && (host & 0xff) != 255)
            return ipv4(0x0A600000u | host);
    }
}

QString Populator::appNamespace(int index) const
{
    return m_appNamespaces.isEmpty() ? u"default"_s : m_appNamespaces.at(index % m_appNamespaces.size());
}

void Populator::planCounts()
{
    const int pods = std::max(0, m_shape.pods);
    const int nodes = std::max(0, m_shape.nodes);
    m_staticPods = nodes > 0 ? std::min(pods, int(staticPodComponents().size())) : 0;
    m_proxyPods = std::min(pods - m_staticPods, nodes);
    const int rest = pods - m_staticPods - m_proxyPods;
    m_jobPods = (rest * 3 + 50) / 100;
    m_deploymentPods = rest - m_jobPods;
    // About five pods per Deployment in a small cluster; big clusters run bigger Deployments (a dozen pods
    // each beyond the first thousand), which is also what keeps a 100,000-pod populate fast.
    const int small = std::min(m_deploymentPods, 1000);
    m_deployments = m_shape.deployments >= 0 ? m_shape.deployments
                    : m_deploymentPods > 0   ? std::max(1, (small + 2) / 5 + (m_deploymentPods - small) / 12)
                                             : 0;
    if (m_deployments == 0) {
        m_jobPods += m_deploymentPods;
        m_deploymentPods = 0;
    }
}

void Populator::createNamespaces()
{
    for (const char *ns : {"default", "kube-node-lease", "kube-public", "kube-system"}) {
        m_nsCreated.insert(QString::fromLatin1(ns), m_born);
        create(m_types.namespaces, namespaceFor(QString::fromLatin1(ns), m_born));
    }
    for (int i = 0; i < std::max(0, m_shape.namespaces); ++i) {
        const int listed = int(std::size(kAppNamespaces));
        const QString name = i < listed ? QString::fromLatin1(kAppNamespaces[i])
                                        : QString(u"team-"_s + QString::number(i + 1));
        const qint64 created = m_born + kHour + m_rng.bounded(10 * kDay);
        m_appNamespaces << name;
        m_nsCreated.insert(name, created);
        create(m_types.namespaces, namespaceFor(name, created));
    }
}

void Populator::createNodes()
{
    const int count = std::max(0, m_shape.nodes);
    const int workers = std::max(1, count - 1);
    const int perNode = std::max(0, m_shape.pods) / workers + 1;
    QStringList images = systemImages();
    for (int a = 1; a < appCatalogSize(); ++a)
        images << podTemplateFor({u"default"_s, appCatalogName(a), a, {}, {}})
                      .value("spec"_L1)
                      .toObject()
                      .value("containers"_L1)
                      .toArray()
                      .first()
                      .toObject()
                      .value("image"_L1)
                      .toString();
    // Each node gets a pod CIDR from 10.64.0.0/10 big enough for its share of pods with room to spare:
    // a /24 as kubeadm hands out by default, larger for crowded simulated nodes.
    int prefix = 24;
    while (prefix > 12 && (1 << (32 - prefix)) - 2 < perNode + perNode / 4)
        --prefix;
    const quint32 block = 1u << (32 - prefix);
    const quint32 blocks = (1u << 22) / block;
    for (int i = 0; i < count; ++i) {
        NodeSpec spec;
        spec.index = i;
        spec.controlPlane = i == 0;
        spec.name = i == 0 ? u"cw-control-plane"_s
                           : QString(u"cw-worker"_s + (i == 1 ? QString() : QString::number(i)));
        spec.internalIP = ipv4(0x0A000000u + quint32(i / 240) * 256 + 10 + quint32(i % 240));
        const quint32 podBase = 0x0A400000u + (quint32(i) % blocks) * block;
        spec.podCidr = ipv4(podBase) + QLatin1Char('/') + QString::number(prefix);
        spec.maxPods = std::max(110, perNode + perNode / 10);
        // Workers joined a few minutes after the control plane; some were replaced since.
        const qint64 created =
            i == 0 ? m_born : m_born + 3 * kMinute + (m_rng.bounded(4) == 0 ? m_rng.bounded(30 * kDay) : 0);
        const ObjectPtr node = create(m_types.nodes, nodeFor(spec, images, m_rng, created, m_now));
        m_nodes.push_back({spec.name, spec.internalIP, podBase, 2, node ? node->uid : QString()});
        if (i > 0 || count == 1)
            m_schedulable.push_back(i);
    }
    m_cursor = m_schedulable.empty() ? 0 : m_rng.bounded(int(m_schedulable.size()));
}

void Populator::planApps()
{
    QSet<QString> taken;
    for (int i = 0; i < m_deployments; ++i) {
        PlannedApp p;
        if (i == 0) {
            p.app = {u"kube-system"_s, u"coredns"_s, 0, {}, {}};
            p.createdMs = m_born + 2 * kMinute;
        } else {
            p.app.ns = (m_appNamespaces.isEmpty() || i % 11 == 0) ? u"default"_s : appNamespace(i - 1);
            p.app.app = 1 + m_rng.bounded(appCatalogSize() - 1);
            QString name = appCatalogName(p.app.app);
            for (int n = 2; taken.contains(p.app.ns + QLatin1Char('/') + name); ++n)
                name = appCatalogName(p.app.app) + QLatin1Char('-') + QString::number(n);
            p.app.name = name;
            const qint64 nsBorn = m_nsCreated.value(p.app.ns, m_born);
            p.createdMs = nsBorn + m_rng.bounded(std::max<qint64>(1, (m_now - nsBorn) * 4 / 5));
            // A third of the apps were rolled out again since they were created.
            if (m_rng.bounded(3) == 0)
                p.revision = 2 + m_rng.bounded(6);
        }
        taken.insert(p.app.ns + QLatin1Char('/') + p.app.name);
        m_apps.push_back(p);
    }
    // Replicas: CoreDNS has its usual two; the rest skewed the way real workloads are (many small, few big).
    int remaining = m_deploymentPods;
    if (!m_apps.empty()) {
        m_apps[0].replicas = std::min(remaining, m_apps.size() == 1 ? remaining : 2);
        remaining -= m_apps[0].replicas;
    }
    if (m_apps.size() > 1) {
        std::vector<int> weights(m_apps.size(), 0);
        qint64 total = 0;
        for (size_t i = 1; i < m_apps.size(); ++i) {
            weights[i] = m_rng.bounded(6) == 0 ? 4 + m_rng.bounded(9) : 1 + m_rng.bounded(3);
            total += weights[i];
        }
        int assigned = 0;
        for (size_t i = 1; i < m_apps.size(); ++i) {
            m_apps[i].replicas = int(qint64(remaining) * weights[i] / total);
            assigned += m_apps[i].replicas;
        }
        for (size_t i = 1 + size_t(m_rng.bounded(int(m_apps.size()) - 1)); assigned < remaining; ++assigned) {
            ++m_apps[i].replicas;
            i = i + 1 < m_apps.size() ? i + 1 : 1;
        }
    }
    // ConfigMaps and Secrets are planned here so that pods only ever mount or import ones that exist.
    const int namespaces = 4 + int(m_appNamespaces.size());
    const int configMaps = m_shape.configmaps >= 0 ? m_shape.configmaps
                                                   : namespaces + systemConfigMapCount() + m_deployments / 2;
    const int appConfigMaps = std::max(0, configMaps - namespaces - systemConfigMapCount());
    const int secrets =
        m_shape.secrets >= 0 ? m_shape.secrets : 1 + int(m_appNamespaces.size()) + m_deployments / 2;
    const int appSecrets = std::max(0, secrets - 1 - int(m_appNamespaces.size()));
    // Odd apps import their credentials, even ones mount their config (which every planned app has).
    for (size_t i = 1; i < m_apps.size(); ++i) {
        if (int(i) <= appConfigMaps && i % 2 == 0)
            m_apps[i].app.configMap = m_apps[i].app.name + u"-config"_s;
        if (int(i) <= appSecrets && i % 2 == 1)
            m_apps[i].app.secret = m_apps[i].app.name + u"-credentials"_s;
    }
}

void Populator::createConfigMaps()
{
    int left = m_shape.configmaps >= 0
                   ? m_shape.configmaps
                   : 4 + int(m_appNamespaces.size()) + systemConfigMapCount() + m_deployments / 2;
    QStringList all{u"default"_s, u"kube-node-lease"_s, u"kube-public"_s, u"kube-system"_s};
    all += m_appNamespaces;
    for (const QString &ns : std::as_const(all)) {
        if (left-- <= 0)
            return;
        create(m_types.configmaps, kubeRootCaConfigMap(ns, m_caPem, m_nsCreated.value(ns) + 5000));
    }
    for (int i = 0; i < systemConfigMapCount(); ++i) {
        if (left-- <= 0)
            return;
        create(m_types.configmaps, systemConfigMap(i, m_caPem, m_born + 30'000));
    }
    // One per app, then further rounds ("-config-2", ...) if more were asked for than there are apps.
    for (int round = 0; left > 0; ++round) {
        if (m_apps.size() <= 1) {
            const AppInstance settings{u"default"_s, u"settings-"_s + QString::number(round + 1), 1, {}, {}};
            create(m_types.configmaps, appConfigMap(settings, settings.name, m_born + kDay));
            --left;
            continue;
        }
        for (size_t i = 1; i < m_apps.size() && left > 0; ++i, --left) {
            const AppInstance &app = m_apps[i].app;
            const QString name = round == 0 ? QString(app.name + u"-config"_s)
                                            : QString(app.name + u"-config-"_s + QString::number(round + 1));
            create(m_types.configmaps, appConfigMap(app, name, m_apps[i].createdMs - kMinute));
        }
    }
}

void Populator::createSecrets()
{
    int left = m_shape.secrets >= 0 ? m_shape.secrets : 1 + int(m_appNamespaces.size()) + m_deployments / 2;
    if (left-- > 0)
        create(m_types.secrets, bootstrapTokenSecret(m_rng, m_now - 3 * kHour));
    for (const QString &ns : std::as_const(m_appNamespaces)) {
        if (left-- <= 0)
            return;
        const AppInstance wildcard{ns, u"wildcard"_s, 1, {}, {}};
        create(m_types.secrets,
               appSecret(wildcard, ns + u"-wildcard-tls"_s, true, m_rng, m_nsCreated.value(ns)));
    }
    for (int round = 0; left > 0; ++round) {
        if (m_apps.size() <= 1) {
            const AppInstance generic{u"default"_s, u"generic-"_s + QString::number(round + 1), 1, {}, {}};
            create(m_types.secrets, appSecret(generic, generic.name, false, m_rng, m_born + kDay));
            --left;
            continue;
        }
        for (size_t i = 1; i < m_apps.size() && left > 0; ++i, --left) {
            const AppInstance &app = m_apps[i].app;
            // Odd apps get credentials (their pods import them), even ones a certificate.
            const bool tls = i % 2 == 0;
            const QString base = app.name + (tls ? u"-tls"_s : u"-credentials"_s);
            const QString name =
                round == 0 ? base : QString(base + QLatin1Char('-') + QString::number(round + 1));
            create(m_types.secrets, appSecret(app, name, tls, m_rng, m_apps[i].createdMs - kMinute));
        }
    }
}

void Populator::createServices()
{
    int left = m_shape.services >= 0 ? m_shape.services : m_deployments + 1;
    if (left-- > 0)
        create(m_types.services, kubernetesService(m_born));
    for (int variant = 0; left > 0; ++variant) {
        if (m_apps.empty()) {
            const AppInstance external{
                u"default"_s, u"external-"_s + QString::number(variant + 1), 1, {}, {}};
            create(m_types.services, serviceFor(external, 0, clusterIP(), m_rng, m_born + kDay));
            --left;
            continue;
        }
        for (size_t i = 0; i < m_apps.size() && left > 0; ++i, --left) {
            const PlannedApp &p = m_apps[i];
            const QString ip = p.app.app == 0 && variant == 0 ? u"10.96.0.10"_s : clusterIP();
            create(m_types.services, serviceFor(p.app, variant, ip, m_rng, p.createdMs));
        }
    }
}

} // namespace populating

void populate(Store &store, const ClusterShape &shape)
{
    populating::Populator(store, shape).run();
}

} // namespace cw::sim
