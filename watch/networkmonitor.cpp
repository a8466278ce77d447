// SPDX-License-Identifier: Apache-2.0
#include "networkmonitor.h"

#include <QDBusConnection>

namespace cw::watch {

namespace {
const QString kLogindService = QStringLiteral("org.freedesktop.login1");
const QString kLogindPath = QStringLiteral("/org/freedesktop/login1");
const QString kLogindInterface = QStringLiteral("org.freedesktop.login1.Manager");
const QString kPrepareForSleep = QStringLiteral("PrepareForSleep");
} // namespace

NetworkMonitor::NetworkMonitor(const NetworkMonitorOptions &options, QObject *parent)
    : QObject(parent)
{
    setupNetworkInformation(options);
    if (options.watchSleep)
        setupSleep(QDBusConnection::systemBus());
}

NetworkMonitor::NetworkMonitor(const QDBusConnection &sleepBus, const NetworkMonitorOptions &options,
                               QObject *parent)
    : QObject(parent)
{
    setupNetworkInformation(options);
    if (options.watchSleep)
        setupSleep(sleepBus);
}

NetworkMonitor::~NetworkMonitor() = default;

bool NetworkMonitor::hasNetworkBackend() const
{
    return m_networkBackend;
}

bool NetworkMonitor::hasSleepSignal() const
{
    return m_sleepSignal;
}

bool NetworkMonitor::isLost() const
{
    return m_conditions != 0;
}

void NetworkMonitor::setupNetworkInformation(const NetworkMonitorOptions &options)
{
    if (!options.useNetworkInformation)
        return;
    // The platform's preferred backend first (NetworkManager on Linux), else any that knows reachability.
    // Both fail quietly when nothing fits, e.g. no NetworkManager on the system bus.
    if (!QNetworkInformation::loadDefaultBackend())
        QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability);
    QNetworkInformation *info = QNetworkInformation::instance();
    if (info == nullptr || !info->supports(QNetworkInformation::Feature::Reachability))
        return;
    m_networkBackend = true;
    connect(info, &QNetworkInformation::reachabilityChanged, this, &NetworkMonitor::onReachabilityChanged);
    // Starting offline must still count as lost, or its end would go unannounced and streams would wait
    // out their backoff. Queued so that whoever constructed us has connected first.
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (const QNetworkInformation *current = QNetworkInformation::instance())
                onReachabilityChanged(current->reachability());
        },
        Qt::QueuedConnection);
}

void NetworkMonitor::setupSleep(const QDBusConnection &bus)
{
    if (!bus.isConnected())
        return; // no system bus in containers and CI: stay quiet
    // Matching on the well-known name: QtDBus follows its owner, so only logind itself is heard. No delay
    // inhibitor is taken, so "suspend" may only be seen just after waking, right before "resume"; the pair
    // still marks everything stale and re-establishes it at once, which is the point.
    m_sleepSignal = QDBusConnection(bus).connect(kLogindService, kLogindPath, kLogindInterface, kPrepareForSleep,
                                                 this, SLOT(onPrepareForSleep(bool)));
}

void NetworkMonitor::onPrepareForSleep(bool start)
{
    setCondition(Asleep, start, start ? QStringLiteral("suspend") : QStringLiteral("resume"));
}

void NetworkMonitor::onReachabilityChanged(QNetworkInformation::Reachability reachability)
{
    switch (reachability) {
    case QNetworkInformation::Reachability::Disconnected:
        setCondition(NetworkDown, true, QStringLiteral("network down"));
        break;
    // A cluster may well sit on the local network or site, so anything connected counts as up.
    case QNetworkInformation::Reachability::Local:
    case QNetworkInformation::Reachability::Site:
    case QNetworkInformation::Reachability::Online:
        setCondition(NetworkDown, false, QStringLiteral("network up"));
        break;
    case QNetworkInformation::Reachability::Unknown:
        break; // says nothing either way
    }
}

void NetworkMonitor::simulate(bool up, const QString &reason)
{
    if (!up) {
        setCondition(Manual, true, reason);
        return;
    }
    const bool wasLost = isLost();
    m_conditions = 0;
    if (wasLost)
        emit restored(reason);
}

void NetworkMonitor::setCondition(Condition condition, bool present, const QString &reason)
{
    const bool wasLost = isLost();
    if (present)
        m_conditions |= condition;
    else
        m_conditions &= ~unsigned(condition);
    const bool nowLost = isLost();
    if (nowLost && !wasLost)
        emit lost(reason);
    else if (!nowLost && wasLost)
        emit restored(reason);
}

} // namespace cw::watch
