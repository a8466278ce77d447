// SPDX-License-Identifier: Apache-2.0
#include "networkmonitor.h"
#include "testmain.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace cw::watch;
using Reachability = QNetworkInformation::Reachability;

namespace {
// Neither the host's reachability nor its system bus: only what a test feeds in.
NetworkMonitorOptions isolated()
{
    NetworkMonitorOptions options;
    options.useNetworkInformation = false;
    options.watchSleep = false;
    return options;
}

// The sources' private slots, driven directly: the decision logic without a NetworkManager or a logind.
void feedReachability(NetworkMonitor &monitor, Reachability reachability)
{
    QVERIFY(QMetaObject::invokeMethod(&monitor, "onReachabilityChanged", Qt::DirectConnection,
                                      Q_ARG(QNetworkInformation::Reachability, reachability)));
}
void feedSleep(NetworkMonitor &monitor, bool start)
{
    QVERIFY(QMetaObject::invokeMethod(&monitor, "onPrepareForSleep", Qt::DirectConnection, Q_ARG(bool, start)));
}

QStringList reasons(const QSignalSpy &spy)
{
    QStringList out;
    for (const QList<QVariant> &args : spy)
        out << args.at(0).toString();
    return out;
}

const QString kLogindService = QStringLiteral("org.freedesktop.login1");
const QString kLogindPath = QStringLiteral("/org/freedesktop/login1");
const QString kLogindInterface = QStringLiteral("org.freedesktop.login1.Manager");
} // namespace

// Counts a marker signal, so a test knows everything sent before it on the same connection has arrived.
class BarrierCounter : public QObject
{
    Q_OBJECT
public:
    int hits = 0;
public Q_SLOTS:
    void hit() { ++hits; }
};

class TestNetworkMonitor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void without_sources_there_is_no_backend_and_silence()
    {
        NetworkMonitor monitor(isolated());
        QSignalSpy lost(&monitor, &NetworkMonitor::lost);
        QSignalSpy restored(&monitor, &NetworkMonitor::restored);
        QVERIFY(!monitor.hasNetworkBackend());
        QVERIFY(!monitor.hasSleepSignal());
        QTest::qWait(50);
        QCOMPARE(lost.count(), 0);
        QCOMPARE(restored.count(), 0);
        QVERIFY(!monitor.isLost());
    }

    void lost_while_already_lost_does_nothing()
    {
        NetworkMonitor monitor(isolated());
        QSignalSpy lost(&monitor, &NetworkMonitor::lost);
        monitor.simulate(false, QStringLiteral("network down"));
        monitor.simulate(false, QStringLiteral("network down"));
        monitor.simulate(false, QStringLiteral("suspend"));
        QCOMPARE(reasons(lost), QStringList{QStringLiteral("network down")});
        QVERIFY(monitor.isLost());
    }

    void restored_only_after_lost()
    {
        NetworkMonitor monitor(isolated());
        QSignalSpy lost(&monitor, &NetworkMonitor::lost);
        QSignalSpy restored(&monitor, &NetworkMonitor::restored);
        monitor.simulate(true, QStringLiteral("network up")); // never lost: nothing to restore
        QCOMPARE(restored.count(), 0);
        monitor.simulate(false, QStringLiteral("suspend"));
        monitor.simulate(true, QStringLiteral("resume"));
        monitor.simulate(true, QStringLiteral("network up")); // already restored
        QCOMPARE(reasons(lost), QStringList{QStringLiteral("suspend")});
        QCOMPARE(reasons(restored), QStringList{QStringLiteral("resume")});
        QVERIFY(!monitor.isLost());
    }

    void lost_and_restored_alternate_over_many_cycles()
    {
        NetworkMonitor monitor(isolated());
        QStringList sequence;
        connect(&monitor, &NetworkMonitor::lost, this,
                [&sequence](const QString &reason) { sequence << QStringLiteral("lost:") + reason; });
        connect(&monitor, &NetworkMonitor::restored, this,
                [&sequence](const QString &reason) { sequence << QStringLiteral("restored:") + reason; });
        for (int i = 0; i < 3; ++i) {
            monitor.simulate(false, QStringLiteral("network down"));
            monitor.simulate(false, QStringLiteral("network down"));
            monitor.simulate(true, QStringLiteral("network up"));
            monitor.simulate(true, QStringLiteral("network up"));
        }
        QStringList expected;
        for (int i = 0; i < 3; ++i)
            expected << QStringLiteral("lost:network down") << QStringLiteral("restored:network up");
        QCOMPARE(sequence, expected);
    }

    void reachability_maps_to_down_and_up_data()
    {
        QTest::addColumn<Reachability>("reachability");
        QTest::addColumn<bool>("down");
        QTest::addColumn<bool>("known");
        QTest::newRow("disconnected") << Reachability::Disconnected << true << true;
        QTest::newRow("local") << Reachability::Local << false << true; // a cluster on the LAN is reachable
        QTest::newRow("site") << Reachability::Site << false << true;
        QTest::newRow("online") << Reachability::Online << false << true;
        QTest::newRow("unknown") << Reachability::Unknown << false << false;
    }
    void reachability_maps_to_down_and_up()
    {
        QFETCH(Reachability, reachability);
        QFETCH(bool, down);
        QFETCH(bool, known);
        NetworkMonitor monitor(isolated());
        QSignalSpy lost(&monitor, &NetworkMonitor::lost);
        QSignalSpy restored(&monitor, &NetworkMonitor::restored);

        // From up.
        feedReachability(monitor, reachability);
        QCOMPARE(reasons(lost), down ? QStringList{QStringLiteral("network down")} : QStringList{});
        QCOMPARE(restored.count(), 0);

        // From down: whatever is not down and not unknown brings the network back.
        feedReachability(monitor, Reachability::Disconnected);
        lost.clear();
        feedReachability(monitor, reachability);
        QCOMPARE(lost.count(), 0);
        QCOMPARE(reasons(restored), (known && !down) ? QStringList{QStringLiteral("network up")} : QStringList{});
    }

    void resume_while_the_network_is_down_waits_for_network_up()
    {
        NetworkMonitor monitor(isolated());
        QSignalSpy lost(&monitor, &NetworkMonitor::lost);
        QSignalSpy restored(&monitor, &NetworkMonitor::restored);
        feedSleep(monitor, true);
        feedReachability(monitor, Reachability::Disconnected); // NetworkManager goes to sleep as well
        feedSleep(monitor, false);
        QCOMPARE(restored.count(), 0); // reconnecting now would only fail and grow the backoff
        feedReachability(monitor, Reachability::Online);
        QCOMPARE(reasons(lost), QStringList{QStringLiteral("suspend")});
        QCOMPARE(reasons(restored), QStringList{QStringLiteral("network up")});
    }

    void network_back_while_asleep_waits_for_resume()
    {
        NetworkMonitor monitor(isolated());
        QSignalSpy restored(&monitor, &NetworkMonitor::restored);
        feedReachability(monitor, Reachability::Disconnected);
        feedSleep(monitor, true);
        feedReachability(monitor, Reachability::Online);
        QCOMPARE(restored.count(), 0);
        feedSleep(monitor, false);
        QCOMPARE(reasons(restored), QStringList{QStringLiteral("resume")});
    }

    void reconnect_now_restores_even_while_a_source_says_down()
    {
        NetworkMonitor monitor(isolated());
        QSignalSpy lost(&monitor, &NetworkMonitor::lost);
        QSignalSpy restored(&monitor, &NetworkMonitor::restored);

        // All fine: the action marks everything stale and re-establishes it.
        monitor.simulate(false, QStringLiteral("reconnect"));
        monitor.simulate(true, QStringLiteral("reconnect"));
        QCOMPARE(reasons(lost), QStringList{QStringLiteral("reconnect")});
        QCOMPARE(reasons(restored), QStringList{QStringLiteral("reconnect")});

        // Network reported down: already lost, and the user's word brings it back regardless.
        feedReachability(monitor, Reachability::Disconnected);
        monitor.simulate(false, QStringLiteral("reconnect"));
        monitor.simulate(true, QStringLiteral("reconnect"));
        QCOMPARE(reasons(lost), (QStringList{QStringLiteral("reconnect"), QStringLiteral("network down")}));
        QCOMPARE(reasons(restored), (QStringList{QStringLiteral("reconnect"), QStringLiteral("reconnect")}));

        // The source's next change counts again.
        feedReachability(monitor, Reachability::Online);
        feedReachability(monitor, Reachability::Disconnected);
        QCOMPARE(lost.count(), 3);
    }

    void unconnected_bus_means_no_sleep_signal()
    {
        const QDBusConnection nowhere(QStringLiteral("cw-test-no-such-connection"));
        QVERIFY(!nowhere.isConnected());
        NetworkMonitorOptions options = isolated();
        options.watchSleep = true;
        NetworkMonitor monitor(nowhere, options);
        QVERIFY(!monitor.hasSleepSignal());
    }

    void default_construction_copes_with_whatever_the_host_has()
    {
        // In containers there is neither a system bus nor NetworkManager; either way no crash, and the
        // flags say what is there.
        NetworkMonitor monitor;
        QCOMPARE(monitor.hasSleepSignal(), QDBusConnection::systemBus().isConnected());
        if (!monitor.hasNetworkBackend()) {
            QSignalSpy lost(&monitor, &NetworkMonitor::lost);
            QTest::qWait(50);
            QCOMPARE(lost.count(), 0);
        }
    }

    void logind_prepare_for_sleep_on_a_private_bus()
    {
        const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
        if (daemon.isEmpty())
            QSKIP("no dbus-daemon on this machine (Debian package dbus-daemon): cannot start a private bus");

        QProcess bus;
        bus.start(daemon, {QStringLiteral("--session"), QStringLiteral("--nofork"), QStringLiteral("--print-address")});
        const auto stopBus = qScopeGuard([&bus] {
            bus.kill();
            bus.waitForFinished(5000);
        });
        QVERIFY2(bus.waitForStarted(5000), qPrintable(bus.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(bus.canReadLine(), 5000);
        const QString address = QString::fromUtf8(bus.readLine()).trimmed();
        QVERIFY(!address.isEmpty());

        // Three peers: a stand-in logind owning its well-known name, the monitor's connection, and an
        // impostor that sends the same signal without owning the name.
        const QString logindName = QStringLiteral("cw-test-logind");
        const QString monitorName = QStringLiteral("cw-test-monitor");
        const QString impostorName = QStringLiteral("cw-test-impostor");
        const auto disconnectAll = qScopeGuard([&] {
            QDBusConnection::disconnectFromBus(logindName);
            QDBusConnection::disconnectFromBus(monitorName);
            QDBusConnection::disconnectFromBus(impostorName);
        });
        QDBusConnection logind = QDBusConnection::connectToBus(address, logindName);
        QDBusConnection monitorBus = QDBusConnection::connectToBus(address, monitorName);
        QDBusConnection impostor = QDBusConnection::connectToBus(address, impostorName);
        QVERIFY2(logind.isConnected(), qPrintable(logind.lastError().message()));
        QVERIFY(monitorBus.isConnected());
        QVERIFY(impostor.isConnected());
        QVERIFY(logind.registerService(kLogindService));

        NetworkMonitorOptions options;
        options.useNetworkInformation = false;
        NetworkMonitor monitor(monitorBus, options);
        QVERIFY(monitor.hasSleepSignal());
        QVERIFY(!monitor.hasNetworkBackend());
        QSignalSpy lost(&monitor, &NetworkMonitor::lost);
        QSignalSpy restored(&monitor, &NetworkMonitor::restored);

        auto prepareForSleep = [](bool start) {
            QDBusMessage signal = QDBusMessage::createSignal(kLogindPath, kLogindInterface,
                                                             QStringLiteral("PrepareForSleep"));
            signal << start;
            return signal;
        };

        // The impostor's signal must go unheard. A marker it sends right after arrives after it, in order.
        BarrierCounter barrier;
        const QString markerPath = QStringLiteral("/cw/test");
        const QString markerInterface = QStringLiteral("cw.test.Marker");
        QVERIFY(monitorBus.connect(QString(), markerPath, markerInterface, QStringLiteral("Barrier"), &barrier,
                                   SLOT(hit())));
        QVERIFY(impostor.send(prepareForSleep(true)));
        QVERIFY(impostor.send(QDBusMessage::createSignal(markerPath, markerInterface, QStringLiteral("Barrier"))));
        QTRY_COMPARE_WITH_TIMEOUT(barrier.hits, 1, 5000);
        QCOMPARE(lost.count(), 0);

        QVERIFY(logind.send(prepareForSleep(true)));
        QTRY_COMPARE_WITH_TIMEOUT(lost.count(), 1, 5000);
        QCOMPARE(reasons(lost), QStringList{QStringLiteral("suspend")});
        QVERIFY(monitor.isLost());

        // A second "going to sleep" is debounced.
        QVERIFY(logind.send(prepareForSleep(true)));
        QVERIFY(logind.send(prepareForSleep(false)));
        QTRY_COMPARE_WITH_TIMEOUT(restored.count(), 1, 5000);
        QCOMPARE(lost.count(), 1);
        QCOMPARE(reasons(restored), QStringList{QStringLiteral("resume")});
        QVERIFY(!monitor.isLost());
    }
};

CW_TEST(TestNetworkMonitor)
#include "tst_networkmonitor.moc"
