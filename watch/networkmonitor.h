// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "session.h"

#include <QNetworkInformation>
#include <QObject>
#include <QString>

QT_BEGIN_NAMESPACE
class QDBusConnection;
QT_END_NAMESPACE

namespace cw::watch {

struct NetworkMonitorOptions
{
    // Tests switch the host's real reachability off so that it cannot interfere with what they simulate.
    bool useNetworkInformation = true;
    // Off: no logind subscription at all (the sleep bus of the other constructor is then ignored too).
    bool watchSleep = true;
};

// Tells when the network (or the whole machine) goes away and comes back, so that every stream can be
// marked stale at that moment rather than minutes later, and re-established at once on return instead
// of waiting out a backoff that grew while there was nothing to reach.
//
// Two sources, both optional: QNetworkInformation's reachability ("network down" / "network up") and
// systemd-logind's PrepareForSleep ("suspend" / "resume"). Each keeps its own down condition; `lost` is
// emitted when the first one appears and `restored` only once all are gone again. So a resume while the
// network is still reassociating does not restore yet (a reconnect would only fail and push the streams
// into backoff); the later "network up" does.
//
// Lives on, and emits on, the thread that created it (the UI thread in the app).
class NetworkMonitor : public QObject
{
    Q_OBJECT
public:
    // Sleep notifications from the system bus; quiet when there is none (containers, CI).
    explicit NetworkMonitor(const NetworkMonitorOptions &options = {}, QObject *parent = nullptr);
    // Same, but listens for PrepareForSleep on `sleepBus` instead; for tests with a private dbus-daemon.
    NetworkMonitor(const QDBusConnection &sleepBus, const NetworkMonitorOptions &options = {},
                   QObject *parent = nullptr);
    ~NetworkMonitor() override;

    // False when no QNetworkInformation backend with reachability could be loaded: no network signals.
    bool hasNetworkBackend() const;
    // False when the bus is unavailable or the subscription failed: no suspend/resume signals.
    bool hasSleepSignal() const;
    // True between `lost` and `restored`.
    bool isLost() const;

public Q_SLOTS:
    // As if a source had reported it. Down sets a condition of its own; up clears every condition, since an
    // explicit word from the user or a test overrides what the sources last said (their next change counts
    // again). The app's "Reconnect now" is simulate(false, r) then simulate(true, r): everything is marked
    // stale and re-established at once, whatever the state was.
    void simulate(bool up, const QString &reason);

Q_SIGNALS:
    void lost(const QString &reason);
    void restored(const QString &reason);

private Q_SLOTS:
    // Connected by name to logind's signal, hence a slot: start is true before sleeping, false after waking.
    void onPrepareForSleep(bool start);
    void onReachabilityChanged(QNetworkInformation::Reachability reachability);

private:
    enum Condition : unsigned { NetworkDown = 1u << 0, Asleep = 1u << 1, Manual = 1u << 2 };
    void setCondition(Condition condition, bool present, const QString &reason);
    void setupNetworkInformation(const NetworkMonitorOptions &options);
    void setupSleep(const QDBusConnection &bus);

    unsigned m_conditions = 0;
    bool m_networkBackend = false;
    bool m_sleepSignal = false;
};

// Lets the monitor drive a session: lost -> networkLost(), restored -> networkRestored(). The connections
// go away with either object.
inline void attach(NetworkMonitor *monitor, ClusterSession *session)
{
    QObject::connect(monitor, &NetworkMonitor::lost, session, &ClusterSession::networkLost);
    QObject::connect(monitor, &NetworkMonitor::restored, session, &ClusterSession::networkRestored);
}

} // namespace cw::watch
