// SPDX-License-Identifier: Apache-2.0
#include "democluster.h"

#include "faults.h"
#include "simthread.h"

#include <QFile>
#include <QTimer>

#include <algorithm>

namespace cw::ui {

DemoCluster::DemoCluster() : DemoCluster(Options{}) {}

DemoCluster::DemoCluster(Options options) : m_options(options) {}

DemoCluster::~DemoCluster()
{
    m_firstFault.reset();
    if (m_server)
        m_server->stop();
}

QString DemoCluster::contextName()
{
    return QStringLiteral("Demo cluster (built-in)");
}

bool DemoCluster::start(QString *error)
{
    if (!m_dir.isValid()) {
        *error = QStringLiteral("cannot create a temporary folder for the demo cluster's kubeconfig");
        return false;
    }
    sim::SimConfig config;
    config.tls = true;
    config.shape.pods = m_options.pods;
    config.shape.seed = m_options.seed;
    config.churn = true;
    config.churnConfig.seed = m_options.seed;
    config.churnConfig.podChangesPerSecond = m_options.podChangesPerSecond;
    config.logFaults = false; // the app shows them; a terminal full of them helps nobody
    // A demo runs for minutes, not days: the watch cache's window, old versions and Events go sooner than
    // on a real cluster (75 s, etcd compacts every 5 minutes, Events live an hour), and the warm-up starts
    // it with a steady population of Events, so that the demo's memory is flat within its first minute
    // (the first fault empties the history; it is full again 30 s later). Short windows also make expired
    // resourceVersions common.
    config.historyWindowSec = 30;
    config.compactionIntervalSec = 10;
    config.churnConfig.eventTtlSeconds = 45;
    config.churnConfig.warmUpSeconds = m_options.warmUpSeconds;
    config.api.bookmarkIntervalMs = BookmarkIntervalMs;
    if (m_options.faults) {
        // The faults a watcher meets on real clusters every day; the destructive ones (rewind, unavailable)
        // stay for the tests and the sim's command line.
        config.scheduleKinds = {sim::FaultKind::Close,    sim::FaultKind::Drop,       sim::FaultKind::Expire,
                                sim::FaultKind::Throttle, sim::FaultKind::Malformed,  sim::FaultKind::GoneAtConnect,
                                sim::FaultKind::Stall,    sim::FaultKind::EmptyWatch, sim::FaultKind::Compact};
        config.scheduleMeanIntervalSec = m_options.faultMeanIntervalSec;
        config.scheduleSeed = m_options.seed;
    }
    m_server = std::make_unique<sim::SimThread>(config);
    if (!m_server->start(error)) {
        m_server.reset();
        return false;
    }
    QByteArray kubeconfig = m_server->kubeconfig();
    // The sim names its context after itself; the picker shows the demo under one stable name.
    m_kubeconfig = m_dir.filePath(QStringLiteral("kubeconfig"));
    QFile file(m_kubeconfig);
    if (!file.open(QIODevice::WriteOnly) || file.write(kubeconfig) != kubeconfig.size()) {
        *error = QStringLiteral("cannot write the demo cluster's kubeconfig to ") + m_kubeconfig;
        return false;
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (m_options.faults) {
        // A first 410 Expired soon after the start: the relist, the recovered events and the gap are the
        // point of the demo, and the random schedule may take a while to get there.
        sim::SimThread *server = m_server.get();
        m_firstFault = std::make_unique<QTimer>();
        m_firstFault->setSingleShot(true);
        QObject::connect(m_firstFault.get(), &QTimer::timeout, [server] {
            server->invoke([](sim::SimServer &s) { s.injectFault(sim::FaultSpec::withDefaults(sim::FaultKind::Expire)); });
        });
        m_firstFault->start(m_options.firstFaultMs);
    }
    return true;
}

std::optional<watch::ResolvedContext> DemoCluster::context(QString *error) const
{
    const auto loaded = watch::Kubeconfig::loadFile(m_kubeconfig);
    if (const auto *bad = std::get_if<watch::KubeconfigError>(&loaded)) {
        *error = bad->toString();
        return std::nullopt;
    }
    auto resolved = std::get<watch::Kubeconfig>(loaded).resolve();
    if (const auto *bad = std::get_if<watch::KubeconfigError>(&resolved)) {
        *error = bad->toString();
        return std::nullopt;
    }
    watch::ResolvedContext context = std::get<watch::ResolvedContext>(std::move(resolved));
    context.contextName = contextName();
    return context;
}

watch::SessionOptions DemoCluster::sessionOptions(watch::SessionOptions base) const
{
    // Three bookmark intervals of silence, as the machine splits it (two for the interval, one margin).
    base.stallTimeoutMs = std::min(base.stallTimeoutMs, 3 * BookmarkIntervalMs);
    return base;
}

} // namespace cw::ui
