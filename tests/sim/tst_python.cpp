// SPDX-License-Identifier: Apache-2.0
// The Debian python3-kubernetes client against the sim over HTTPS with token auth.
#include "simfixture.h"
#include "testmain.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTest>

using namespace cw::test;

namespace {
// Debian's interpreter: the one python3-kubernetes is installed for, whatever else is on PATH.
const QString python = QStringLiteral("/usr/bin/python3");

QString script()
{
    return qEnvironmentVariable("CW_SOURCE_DIR") + QStringLiteral("/tests/sim/python/peer_client.py");
}

QList<QJsonObject> jsonLines(const QByteArray &out)
{
    QList<QJsonObject> lines;
    for (const QByteArray &line : out.split('\n')) {
        if (!line.trimmed().isEmpty())
            lines << QJsonDocument::fromJson(line).object();
    }
    return lines;
}
} // namespace

class TestPython : public QObject
{
    Q_OBJECT
    std::unique_ptr<SimFixture> sim;

private slots:
    void initTestCase()
    {
        auto config = SimFixture::defaultConfig();
        config.tls = true;
        config.shape.pods = 5000;
        config.shape.namespaces = 5;
        config.shape.nodes = 10;
        config.churn = true;
        config.churnConfig.podChangesPerSecond = 40;
        sim = std::make_unique<SimFixture>(config);
        QVERIFY(sim->start());
        QVERIFY2(QFile::exists(python), "Debian's python3 is missing: run scripts/bootstrap");
    }

    void paginated_list_of_5000_pods_is_complete_and_consistent()
    {
        // Churn paused: the list must then hold exactly the sim's pods.
        sim->setChurn(false);
        const ProcessResult r = runProcess(python, {script(), QStringLiteral("paginate"), sim->kubeconfigPath(), QStringLiteral("500")}, 120'000);
        const int pods = sim->podCount();
        sim->setChurn(true);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject summary = jsonLines(r.out).value(0);
        QCOMPARE(pods, 5000);
        QCOMPARE(summary.value(QStringLiteral("count")).toInt(), pods);
        QCOMPARE(summary.value(QStringLiteral("unique")).toInt(), pods);
        QCOMPARE(summary.value(QStringLiteral("resource_versions")).toInt(), 1);
        QCOMPARE(summary.value(QStringLiteral("pages")).toInt(), 10);
    }

    void watch_stream_receives_initial_state_and_churn()
    {
        // The replay is checked exactly with churn paused; churn then has to arrive on the same stream.
        sim->setChurn(false);
        const int pods = sim->podCount();
        QProcess peer;
        peer.start(python, {script(), QStringLiteral("stream"), sim->kubeconfigPath(), QStringLiteral("60"), QString::number(pods)});
        QVERIFY(peer.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += peer.readAllStandardOutput()).contains("\"initial\""), 60'000);
        sim->setChurn(true);
        QVERIFY(peer.waitForFinished(90'000));
        out += peer.readAllStandardOutput();
        QVERIFY2(peer.exitCode() == 0, peer.readAllStandardError().constData());
        const QJsonObject events = jsonLines(out).last().value(QStringLiteral("events")).toObject();
        QVERIFY(events.value(QStringLiteral("ADDED")).toInt() >= pods);
        QVERIFY2(events.value(QStringLiteral("MODIFIED")).toInt() > 0, out.constData());
    }

    void informer_recovers_from_an_in_stream_410_by_relisting()
    {
        QProcess peer;
        peer.start(python, {script(), QStringLiteral("informer"), sim->kubeconfigPath(), QStringLiteral("default"),
                            QStringLiteral("after-relist"), QStringLiteral("60")});
        QVERIFY(peer.waitForStarted());
        QByteArray out;
        const auto waitFor = [&](const QByteArray &needle, int occurrences) {
            QDeadlineTimer deadline(30'000);
            while (out.count(needle) < occurrences && !deadline.hasExpired()) {
                peer.waitForReadyRead(200);
                out += peer.readAllStandardOutput();
            }
            return out.count(needle) >= occurrences;
        };
        QVERIFY2(waitFor("\"watching\"", 1), peer.readAllStandardError().constData());
        // Something the informer must not lose across the expiry: it only learns of it by relisting.
        sim->thread().invoke([](cw::sim::SimServer &s) {
            const auto *cms = cw::sim::findResource(QString(), QStringLiteral("v1"), QStringLiteral("configmaps"));
            QJsonObject cm{{QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), QStringLiteral("during-gap")},
                                                                    {QStringLiteral("namespace"), QStringLiteral("default")}}}};
            s.injectFault(cw::sim::FaultSpec::withDefaults(cw::sim::FaultKind::Stall));
            s.store()->create(cms, cm);
            s.injectFault(cw::sim::FaultSpec::withDefaults(cw::sim::FaultKind::Expire));
        });
        QVERIFY2(waitFor("\"expired\"", 1), out.constData());
        QVERIFY(waitFor("\"watching\"", 2));
        sim->thread().invoke([](cw::sim::SimServer &s) {
            const auto *cms = cw::sim::findResource(QString(), QStringLiteral("v1"), QStringLiteral("configmaps"));
            s.store()->create(cms, QJsonObject{{QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), QStringLiteral("after-relist")},
                                                                                         {QStringLiteral("namespace"), QStringLiteral("default")}}}});
        });
        QVERIFY(peer.waitForFinished(30'000));
        out += peer.readAllStandardOutput();
        QCOMPARE(peer.exitCode(), 0);
        const QJsonObject summary = jsonLines(out).last();
        QVERIFY(summary.value(QStringLiteral("relists")).toInt() >= 1);
        QVERIFY(!summary.contains(QStringLiteral("timed_out")));
        const QJsonObject store = summary.value(QStringLiteral("store")).toObject();
        QVERIFY2(store.contains(QStringLiteral("during-gap")), out.constData());
        QVERIFY(store.contains(QStringLiteral("after-relist")));
        // The informer's store equals the server's truth.
        QJsonObject truth;
        sim->thread().invoke([&truth](cw::sim::SimServer &s) {
            truth = s.truth(cw::sim::findResource(QString(), QStringLiteral("v1"), QStringLiteral("configmaps")));
        });
        int inDefault = 0;
        for (const QJsonValue &item : truth.value(QStringLiteral("items")).toArray()) {
            if (item.toObject().value(QStringLiteral("namespace")).toString() != QLatin1String("default"))
                continue;
            ++inDefault;
            QCOMPARE(store.value(item.toObject().value(QStringLiteral("name")).toString()).toString(),
                     item.toObject().value(QStringLiteral("resourceVersion")).toString());
        }
        QCOMPARE(store.size(), inDefault);
    }
};

CW_TEST(TestPython)
#include "tst_python.moc"
