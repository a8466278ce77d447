// SPDX-License-Identifier: Apache-2.0
#include "resources.h"
#include "simfixture.h"
#include "testmain.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace cw::test;
using namespace Qt::StringLiterals;

// The real `clusterwatch` binary against the sim over HTTPS on 127.0.0.1: what a script would see.
namespace {

QString clusterwatchBinary()
{
    const QString fromEnv = qEnvironmentVariable("CW_CLUSTERWATCH_BIN");
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QDir::cleanPath(QCoreApplication::applicationDirPath() + u"/../app/clusterwatch"_s);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QList<QJsonObject> jsonLines(const QString &path)
{
    QList<QJsonObject> objects;
    for (const QByteArray &line : readAll(path).split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error{};
        objects.append(QJsonDocument::fromJson(line, &error).object());
        if (error.error != QJsonParseError::NoError)
            qWarning("not JSON: %s", line.constData());
    }
    return objects;
}

// uid -> resourceVersion of every object in a --store-out file.
QHash<QString, QString> storeVersions(const QString &path, QStringList *namespaces = nullptr)
{
    QHash<QString, QString> versions;
    const QJsonArray array = QJsonDocument::fromJson(readAll(path)).array();
    for (const QJsonValue &value : array) {
        const QJsonObject metadata = value.toObject().value("metadata"_L1).toObject();
        versions.insert(metadata.value("uid"_L1).toString(), metadata.value("resourceVersion"_L1).toString());
        if (namespaces)
            namespaces->append(metadata.value("namespace"_L1).toString());
    }
    return versions;
}

QString firstMatch(const QByteArray &text, const QString &pattern)
{
    return QRegularExpression(pattern).match(QString::fromUtf8(text)).captured(1);
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

} // namespace

class TestHeadless : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<SimFixture> m_sim;
    std::unique_ptr<QTemporaryDir> m_dir;

    QString path(const QString &name) const { return m_dir->filePath(name); }

    ProcessResult run(const QStringList &args, int timeoutMs = 60'000)
    {
        return runProcess(clusterwatchBinary(), args, timeoutMs);
    }

    QStringList watchArgs(const QStringList &more) const
    {
        return QStringList{u"watch"_s, u"--kubeconfig"_s, m_sim->kubeconfigPath()} + more;
    }

    // The sim's current objects of a core resource: uid -> resourceVersion, optionally of one namespace.
    QHash<QString, QString> truth(const QString &plural, const QString &ns = {})
    {
        QJsonObject result;
        m_sim->thread().invoke([&](cw::sim::SimServer &server) {
            result = server.truth(cw::sim::findResource({}, u"v1"_s, plural));
        });
        QHash<QString, QString> versions;
        for (const QJsonValue &item : result.value("items"_L1).toArray()) {
            const QJsonObject o = item.toObject();
            if (ns.isEmpty() || o.value("namespace"_L1).toString() == ns)
                versions.insert(o.value("uid"_L1).toString(), o.value("resourceVersion"_L1).toString());
        }
        return versions;
    }

    // Whether stderr holds errors, each one readable "clusterwatch: ..." line (status lines start with a time).
    static bool readableErrors(const QByteArray &err)
    {
        const QList<QByteArray> lines = err.trimmed().split('\n');
        const auto readable = [](const QByteArray &line) {
            return line.startsWith("clusterwatch: ") || (line.size() > 4 && line.left(4).toInt() > 2000);
        };
        return err.contains("clusterwatch: ") && std::all_of(lines.begin(), lines.end(), readable);
    }

    // A kubeconfig for the sim whose user runs an exec plugin script: by default one that prints an
    // ExecCredential with the admin token read from the sim's own kubeconfig.
    QString execKubeconfig(QByteArray script = {})
    {
        const QByteArray simConfig = readAll(m_sim->kubeconfigPath());
        const QString token = firstMatch(simConfig, u"name: clusterwatch-admin\\s+user:\\s+token: (\\S+)"_s);
        const QString ca = firstMatch(simConfig, u"certificate-authority-data: (\\S+)"_s);
        if (token.isEmpty() || ca.isEmpty())
            return {};
        if (script.isEmpty()) {
            script = "#!/bin/sh\ncat <<'EOF'\n{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                     "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"" + token.toUtf8() + "\"}}\nEOF\n";
        }
        const QString plugin = path(u"credential-plugin.sh"_s);
        if (!writeFile(plugin, script))
            return {};
        QFile::setPermissions(plugin, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        const QByteArray config = "apiVersion: v1\nkind: Config\nclusters:\n- name: sim\n  cluster:\n    server: "
                                  + m_sim->url().toString().toUtf8() + "\n    certificate-authority-data: " + ca.toUtf8()
                                  + "\ncontexts:\n- name: sim-exec\n  context:\n    cluster: sim\n    user: exec-user\n"
                                  + "current-context: sim-exec\nusers:\n- name: exec-user\n  user:\n    exec:\n"
                                  + "      apiVersion: client.authentication.k8s.io/v1\n      command: "
                                  + plugin.toUtf8() + "\n      interactiveMode: Never\n";
        const QString file = path(u"exec-kubeconfig"_s);
        return writeFile(file, config) ? file : QString();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(clusterwatchBinary()), qPrintable(clusterwatchBinary()));
        cw::sim::SimConfig config = SimFixture::defaultConfig();
        config.tls = true;
        m_sim = std::make_unique<SimFixture>(config);
        QVERIFY(m_sim->start());
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void token_auth_over_https_writes_events_health_and_store()
    {
        const ProcessResult r = run(watchArgs({u"-A"_s, u"--duration"_s, u"3"_s, u"--events-out"_s, path(u"e.jsonl"_s),
                                               u"--health-out"_s, path(u"h.jsonl"_s), u"--store-out"_s,
                                               path(u"s.json"_s), u"pods"_s}));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QHash<QString, QString> pods = truth(u"pods"_s);
        QVERIFY(pods.size() >= 20);

        QSet<QString> added;
        for (const QJsonObject &e : jsonLines(path(u"e.jsonl"_s))) {
            QCOMPARE(e.value("cluster"_L1).toString(), u"clusterwatch-sim"_s);
            QCOMPARE(e.value("resource"_L1).toString(), u"pods"_s);
            QVERIFY(e.value("time"_L1).toString().endsWith(u'Z'));
            if (e.value("type"_L1).toString() == "ADDED"_L1 && !e.value("recovered"_L1).toBool())
                added.insert(e.value("uid"_L1).toString());
        }
        for (auto it = pods.cbegin(); it != pods.cend(); ++it)
            QVERIFY2(added.contains(it.key()), qPrintable(it.key()));

        QCOMPARE(storeVersions(path(u"s.json"_s)), pods);

        bool connected = false, live = false;
        for (const QJsonObject &h : jsonLines(path(u"h.jsonl"_s))) {
            connected = connected || h.value("reason"_L1).toString() == "connected"_L1;
            live = live || h.value("state"_L1).toString().compare("live"_L1, Qt::CaseInsensitive) == 0;
            QCOMPARE(h.value("cluster"_L1).toString(), u"clusterwatch-sim"_s);
        }
        QVERIFY(connected);
        QVERIFY(live);
        QVERIFY(!r.err.contains(SimFixture::adminToken));
    }

    void default_namespace_is_the_contexts_and_n_overrides_it()
    {
        QStringList namespaces;
        ProcessResult r = run(watchArgs({u"--duration"_s, u"1"_s, u"--store-out"_s, path(u"s.json"_s), u"po"_s}));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(storeVersions(path(u"s.json"_s), &namespaces), truth(u"pods"_s, u"default"_s));
        namespaces.removeDuplicates();
        QVERIFY(namespaces.isEmpty() || namespaces == QStringList{u"default"_s});

        r = run(watchArgs({u"-n"_s, u"kube-system"_s, u"--duration"_s, u"1"_s, u"--store-out"_s, path(u"k.json"_s),
                           u"Pod"_s}));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QHash<QString, QString> system = truth(u"pods"_s, u"kube-system"_s);
        QVERIFY(!system.isEmpty());
        QCOMPARE(storeVersions(path(u"k.json"_s)), system);
    }

    void client_certificate_auth_works()
    {
        const ProcessResult r = run(watchArgs({u"--context"_s, u"clusterwatch-sim-cert"_s, u"-A"_s, u"--duration"_s,
                                               u"2"_s, u"--store-out"_s, path(u"s.json"_s), u"pods"_s}));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(storeVersions(path(u"s.json"_s)), truth(u"pods"_s));
    }

    void exec_plugin_supplies_the_token()
    {
        const QString kubeconfig = execKubeconfig();
        QVERIFY(!kubeconfig.isEmpty());
        const ProcessResult r = run({u"watch"_s, u"--kubeconfig"_s, kubeconfig, u"-A"_s, u"--duration"_s, u"2"_s,
                                     u"--store-out"_s, path(u"s.json"_s), u"pods"_s});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(storeVersions(path(u"s.json"_s)), truth(u"pods"_s));
    }

    void failing_exec_plugin_exits_3()
    {
        const QString kubeconfig = execKubeconfig("#!/bin/sh\necho 'session expired: run corp-login' >&2\nexit 1\n");
        QVERIFY(!kubeconfig.isEmpty());
        const ProcessResult r = run({u"watch"_s, u"--kubeconfig"_s, kubeconfig, u"--duration"_s, u"20"_s, u"pods"_s},
                                    30'000);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(readableErrors(r.err), r.err.constData());
        QVERIFY2(r.err.contains("session expired"), r.err.constData());
    }

    void csv_events_have_a_header_and_a_row_per_pod()
    {
        const ProcessResult r = run(watchArgs({u"-A"_s, u"--duration"_s, u"2"_s, u"--events-out"_s,
                                               path(u"e.csv"_s), u"pods"_s}));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QList<QByteArray> lines = readAll(path(u"e.csv"_s)).split('\n');
        QCOMPARE(lines.value(0), QByteArray("time,cluster,resource,type,namespace,name,uid,resourceVersion,recovered,reason\r"));
        const QHash<QString, QString> pods = truth(u"pods"_s);
        QSet<QString> uids;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            if (lines[i].isEmpty())
                continue;
            QVERIFY(lines[i].endsWith('\r'));
            const QList<QByteArray> fields = lines[i].chopped(1).split(',');
            QCOMPARE(fields.size(), 10);
            QCOMPARE(fields[1], QByteArray("clusterwatch-sim"));
            QCOMPARE(fields[2], QByteArray("pods"));
            if (fields[3] == "ADDED")
                uids.insert(QString::fromUtf8(fields[6]));
        }
        QCOMPARE(uids.size(), pods.size());
    }

    void forbidden_user_exits_3()
    {
        const ProcessResult r = run(watchArgs({u"--context"_s, u"clusterwatch-sim-noaccess"_s, u"--duration"_s,
                                               u"20"_s, u"pods"_s}), 30'000);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(readableErrors(r.err), r.err.constData());
        QVERIFY2(r.err.contains("403") || r.err.toLower().contains("forbidden"), r.err.constData());
    }

    void kubeconfig_errors_exit_2_naming_the_problem_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("broken yaml") << QByteArray("apiVersion: v1\nclusters: [\n  - {name: x\n") << QStringList()
                                     << u"kubeconfig"_s;
        QTest::newRow("unknown context") << QByteArray() << QStringList{u"--context"_s, u"nope"_s} << u"nope"_s;
        QTest::newRow("missing file") << QByteArray("-") << QStringList() << u"missing-kubeconfig"_s;
    }
    void kubeconfig_errors_exit_2_naming_the_problem()
    {
        QFETCH(QByteArray, content);
        QFETCH(QStringList, extra);
        QFETCH(QString, mentions);
        QString kubeconfig = m_sim->kubeconfigPath();
        if (content == "-") {
            kubeconfig = path(u"missing-kubeconfig"_s);
        } else if (!content.isEmpty()) {
            kubeconfig = path(u"kubeconfig"_s);
            QVERIFY(writeFile(kubeconfig, content));
        }
        const ProcessResult r = run(QStringList{u"watch"_s, u"--kubeconfig"_s, kubeconfig} + extra + QStringList{u"pods"_s});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("clusterwatch: "), r.err.constData());
        QCOMPARE(r.err.trimmed().count('\n'), 0);
        QVERIFY2(QString::fromUtf8(r.err).contains(mentions), r.err.constData());
    }

    void unknown_resource_exits_2()
    {
        const ProcessResult r = run(watchArgs({u"--duration"_s, u"5"_s, u"nosuchthings"_s}));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(readableErrors(r.err), r.err.constData());
        QVERIFY2(r.err.contains("nosuchthings"), r.err.constData());
    }

    void usage_errors_exit_2_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no resource") << QStringList{u"watch"_s};
        QTest::newRow("bad duration") << QStringList{u"watch"_s, u"--duration"_s, u"soon"_s, u"pods"_s};
        QTest::newRow("unknown option") << QStringList{u"watch"_s, u"--frobnicate"_s, u"pods"_s};
        QTest::newRow("-n with -A") << QStringList{u"watch"_s, u"-n"_s, u"x"_s, u"-A"_s, u"pods"_s};
        // Without a subcommand clusterwatch is the desktop app; its own options are checked as strictly.
        QTest::newRow("unknown desktop option") << QStringList{u"--frobnicate"_s};
        QTest::newRow("--context without a name") << QStringList{u"--context"_s};
        QTest::newRow("unknown subcommand") << QStringList{u"frob"_s};
    }
    void usage_errors_exit_2()
    {
        QFETCH(QStringList, args);
        const ProcessResult r = run(args, 10'000);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("clusterwatch: "), r.err.constData());
        if (!args.isEmpty() && args.first().startsWith(u'-'))
            QVERIFY2(r.err.contains("clusterwatch --help"), r.err.constData());
    }

    void help_and_version_print_to_stdout()
    {
        ProcessResult r = run({u"watch"_s, u"--help"_s}, 10'000);
        QCOMPARE(r.exitCode, 0);
        for (const char *word : {"--kubeconfig", "--context", "--all-namespaces", "--selector", "--field-selector",
                                 "--duration", "--events-out", "--health-out", "--store-out", "--connect-timeout",
                                 "--keep-managed-fields", "--show-secrets", "Exit codes"})
            QVERIFY2(r.out.contains(word), word);
        r = run({u"--version"_s}, 10'000);
        QCOMPARE(r.exitCode, 0);
        QVERIFY(QRegularExpression(u"^clusterwatch \\d+\\.\\d+\\.\\d+"_s).match(QString::fromUtf8(r.out)).hasMatch());
    }

    void unreachable_cluster_exits_4_after_connect_timeout()
    {
        quint16 port = 0;
        {
            QTcpServer probe; // a port that was free a moment ago and that nobody listens on now
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            port = probe.serverPort();
        }
        const QByteArray config = "apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster:\n    server: http://127.0.0.1:"
                                  + QByteArray::number(port) + "\ncontexts:\n- name: gone\n  context:\n    cluster: gone\n"
                                  "    user: u\ncurrent-context: gone\nusers:\n- name: u\n  user:\n    token: t0ken\n";
        QVERIFY(writeFile(path(u"kubeconfig"_s), config));
        QElapsedTimer timer;
        timer.start();
        const ProcessResult r = run({u"watch"_s, u"--kubeconfig"_s, path(u"kubeconfig"_s), u"--connect-timeout"_s,
                                     u"1"_s, u"--store-out"_s, path(u"s.json"_s), u"pods"_s}, 20'000);
        QCOMPARE(r.exitCode, 4);
        QVERIFY(timer.elapsed() >= 900);
        QVERIFY(timer.elapsed() < 10'000);
        QVERIFY2(readableErrors(r.err), r.err.constData());
        QVERIFY2(r.err.contains(QByteArray::number(port)), r.err.constData());
        QVERIFY(!r.err.contains("t0ken"));
    }

    void sigterm_ends_with_exit_0_and_complete_files()
    {
        const QHash<QString, QString> pods = truth(u"pods"_s);
        QProcess process;
        process.start(clusterwatchBinary(), watchArgs({u"-A"_s, u"--events-out"_s, path(u"e.jsonl"_s), u"--store-out"_s,
                                                       path(u"s.json"_s), u"pods"_s}));
        QVERIFY(process.waitForStarted());
        // The events file fills as batches arrive, long before the process ends.
        QTRY_VERIFY_WITH_TIMEOUT(jsonLines(path(u"e.jsonl"_s)).size() >= pods.size(), 20'000);
        QVERIFY(!QFile::exists(path(u"s.json"_s)));
        process.terminate(); // SIGTERM
        QVERIFY(process.waitForFinished(10'000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        QCOMPARE(storeVersions(path(u"s.json"_s)), pods);
        QCOMPARE(readAll(path(u"e.jsonl"_s)).right(1), QByteArray("\n"));
    }

    void secrets_are_masked_in_the_store_unless_shown()
    {
        ProcessResult r = run(watchArgs({u"-A"_s, u"--duration"_s, u"2"_s, u"--store-out"_s, path(u"s.json"_s),
                                         u"secrets"_s}));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonArray masked = QJsonDocument::fromJson(readAll(path(u"s.json"_s))).array();
        QCOMPARE(masked.size(), truth(u"secrets"_s).size());
        int values = 0;
        for (const QJsonValue &secret : masked) {
            const QJsonObject data = secret.toObject().value("data"_L1).toObject();
            for (auto it = data.begin(); it != data.end(); ++it, ++values)
                QCOMPARE(it.value().toString(), u"***"_s);
        }
        QVERIFY(values > 0);

        r = run(watchArgs({u"-A"_s, u"--duration"_s, u"2"_s, u"--show-secrets"_s, u"--store-out"_s,
                           path(u"shown.json"_s), u"secret"_s}));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonArray shown = QJsonDocument::fromJson(readAll(path(u"shown.json"_s))).array();
        QCOMPARE(shown.size(), masked.size());
        QVERIFY(!readAll(path(u"shown.json"_s)).contains("\"***\""));
    }
};

CW_TEST(TestHeadless)
#include "tst_headless.moc"
