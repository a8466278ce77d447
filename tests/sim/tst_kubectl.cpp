// SPDX-License-Identifier: Apache-2.0
// kubectl against the sim over HTTPS, with the kubeconfig the sim wrote. Assertions on kubectl's real output.
#include "simfixture.h"
#include "testmain.h"

#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

using namespace cw::test;

class TestKubectl : public QObject
{
    Q_OBJECT
    std::unique_ptr<SimFixture> sim;
    QProcessEnvironment env;

    ProcessResult kubectl(QStringList args, int timeoutMs = 60'000)
    {
        args.prepend(sim->kubeconfigPath());
        args.prepend(QStringLiteral("--kubeconfig"));
        return runProcess(QStringLiteral("kubectl"), args, timeoutMs, env);
    }

private slots:
    void initTestCase()
    {
        auto config = SimFixture::defaultConfig();
        config.tls = true;
        config.shape.pods = 60;
        config.churn = true;
        config.churnConfig.podChangesPerSecond = 20;
        sim = std::make_unique<SimFixture>(config);
        QVERIFY(sim->start());
        // A private HOME: no discovery cache from another run (ports differ) and no user config.
        env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), sim->dir());
        env.remove(QStringLiteral("KUBECONFIG"));
    }

    void get_pods_in_all_namespaces_prints_kubectl_columns()
    {
        // Churn paused so the listing can be compared with the sim's pods exactly.
        sim->setChurn(false);
        const int pods = sim->podCount();
        const ProcessResult r = kubectl({QStringLiteral("get"), QStringLiteral("pods"), QStringLiteral("-A")});
        sim->setChurn(true);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QVERIFY(QRegularExpression(QStringLiteral("^NAMESPACE\\s+NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE$"))
                    .match(QString::fromUtf8(lines.first())).hasMatch());
        QCOMPARE(lines.size() - 1, pods);
        const QRegularExpression row(QStringLiteral("^\\S+\\s+\\S+\\s+\\d+/\\d+\\s+\\S+\\s+\\d+( \\(\\S+ ago\\))?\\s+\\d+[smhdy]"));
        for (qsizetype i = 1; i < lines.size(); ++i)
            QVERIFY2(row.match(QString::fromUtf8(lines[i])).hasMatch(), lines[i].constData());
    }

    void get_watch_receives_churn_after_the_listing()
    {
        // The listing (one ADDED per pod) is checked with churn paused; churn then has to show up live.
        sim->setChurn(false);
        const int pods = sim->podCount();
        QProcess watch;
        watch.setProcessEnvironment(env);
        watch.start(QStringLiteral("kubectl"), {QStringLiteral("--kubeconfig"), sim->kubeconfigPath(), QStringLiteral("get"),
                                                QStringLiteral("pods"), QStringLiteral("-A"), QStringLiteral("-w"),
                                                QStringLiteral("--output-watch-events")});
        QVERIFY(watch.waitForStarted());
        QByteArray out;
        QTRY_COMPARE_WITH_TIMEOUT(int((out += watch.readAllStandardOutput()).count("\nADDED ")), pods, 30'000);
        sim->setChurn(true);
        QTRY_VERIFY_WITH_TIMEOUT((out += watch.readAllStandardOutput()).count("\nMODIFIED") >= 3, 30'000);
        watch.terminate();
        watch.waitForFinished(5000);
        QVERIFY(out.startsWith("EVENT"));
    }

    void get_several_types_at_once()
    {
        const ProcessResult r = kubectl({QStringLiteral("get"), QStringLiteral("deploy,svc,cm"), QStringLiteral("-A")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("deployment.apps/"));
        QVERIFY(r.out.contains("service/"));
        QVERIFY(r.out.contains("configmap/kube-root-ca.crt"));
        QVERIFY(r.out.contains("UP-TO-DATE"));
    }

    void create_label_and_delete_a_configmap()
    {
        ProcessResult r = kubectl({QStringLiteral("create"), QStringLiteral("configmap"), QStringLiteral("cw-kubectl"),
                                   QStringLiteral("--from-literal=greeting=hello"), QStringLiteral("-n"), QStringLiteral("default")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.out.trimmed(), QByteArray("configmap/cw-kubectl created"));
        r = kubectl({QStringLiteral("label"), QStringLiteral("configmap"), QStringLiteral("cw-kubectl"), QStringLiteral("team=blue"),
                     QStringLiteral("-n"), QStringLiteral("default")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.out.trimmed(), QByteArray("configmap/cw-kubectl labeled"));
        r = kubectl({QStringLiteral("get"), QStringLiteral("cm"), QStringLiteral("-l"), QStringLiteral("team=blue"),
                     QStringLiteral("-n"), QStringLiteral("default"), QStringLiteral("-o"), QStringLiteral("name")});
        QCOMPARE(r.out.trimmed(), QByteArray("configmap/cw-kubectl"));
        r = kubectl({QStringLiteral("get"), QStringLiteral("cm"), QStringLiteral("cw-kubectl"), QStringLiteral("-n"),
                     QStringLiteral("default"), QStringLiteral("-o"), QStringLiteral("jsonpath={.data.greeting}")});
        QCOMPARE(r.out, QByteArray("hello"));
        r = kubectl({QStringLiteral("delete"), QStringLiteral("configmap"), QStringLiteral("cw-kubectl"), QStringLiteral("-n"),
                     QStringLiteral("default")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.out.trimmed(), QByteArray("configmap \"cw-kubectl\" deleted"));
        r = kubectl({QStringLiteral("get"), QStringLiteral("cm"), QStringLiteral("cw-kubectl"), QStringLiteral("-n"), QStringLiteral("default")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("NotFound") || r.err.contains("not found"));
    }

    void a_bad_token_is_unauthorized()
    {
        const ProcessResult r = kubectl({QStringLiteral("--token"), QStringLiteral("not-a-valid-token"), QStringLiteral("get"),
                                         QStringLiteral("pods")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("Unauthorized"), r.err.constData());
    }

    void client_certificate_authentication_works()
    {
        const ProcessResult r = kubectl({QStringLiteral("--context"), QStringLiteral("clusterwatch-sim-cert"), QStringLiteral("get"),
                                         QStringLiteral("namespaces"), QStringLiteral("-o"), QStringLiteral("name")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("namespace/kube-system"));
    }

    void the_viewer_is_forbidden_to_delete()
    {
        const ProcessResult r = kubectl({QStringLiteral("--context"), QStringLiteral("clusterwatch-sim-viewer"), QStringLiteral("delete"),
                                         QStringLiteral("configmap"), QStringLiteral("kube-root-ca.crt"), QStringLiteral("-n"),
                                         QStringLiteral("default")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("Forbidden") || r.err.contains("forbidden"), r.err.constData());
    }
};

CW_TEST(TestKubectl)
#include "tst_kubectl.moc"
