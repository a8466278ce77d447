// SPDX-License-Identifier: Apache-2.0
#include "execcredential.h"
#include "execpath.h"
#include "redact.h"
#include "testmain.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace cw::watch;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

// Every credential the fake plugins handle contains this marker; no message or log line may.
constexpr auto marker = "s3cr3t";

constexpr auto v1 = "client.authentication.k8s.io/v1"_L1;
constexpr auto v1beta1 = "client.authentication.k8s.io/v1beta1"_L1;

// PEM as it appears inside a JSON string.
constexpr auto certJson = R"(-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n)";
constexpr auto keyJson = R"(-----BEGIN EC PRIVATE KEY-----\nkey-s3cr3t\n-----END EC PRIVATE KEY-----\n)";

QStringList capturedLog;
QtMessageHandler previousHandler = nullptr;

void captureMessages(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    capturedLog.append(message);
    if (previousHandler)
        previousHandler(type, context, message);
}

QByteArray credentialJson(const QString &apiVersion, const QByteArray &status)
{
    return "{\"apiVersion\":\"" + apiVersion.toUtf8() +
           "\",\"kind\":\"ExecCredential\",\"status\":" + status + "}";
}

// A plugin body that prints one ExecCredential.
QByteArray echoing(const QString &apiVersion, const QByteArray &status)
{
    return "echo '" + credentialJson(apiVersion, status) + "'";
}

} // namespace

class TestExecCredential : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QDateTime m_now;

    QString path(const QString &relative) const { return m_dir->filePath(relative); }

    QString writeScript(const QString &relative, const QByteArray &body)
    {
        const QString file = path(relative);
        QDir().mkpath(QFileInfo(file).absolutePath());
        QFile script(file);
        if (!script.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write a fake plugin");
        script.write("#!/bin/sh\n" + body + "\n");
        script.close();
        script.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        return file;
    }

    // A plugin named "fake" in bin/ that appends to runs.log each time, then runs `body`.
    void writePlugin(const QByteArray &body)
    {
        writeScript(u"bin/fake"_s, "echo run >> \"" + path(u"runs.log"_s).toUtf8() + "\"\n" + body);
    }

    // Prints `json` on stdout, byte for byte.
    void writePrintingPlugin(const QByteArray &json) { writePlugin("cat <<'CW_EOF'\n" + json + "\nCW_EOF"); }

    int runs() const
    {
        QFile log(path(u"runs.log"_s));
        if (!log.open(QIODevice::ReadOnly))
            return 0;
        return int(log.readAll().count('\n'));
    }

    ExecConfig config(const QString &apiVersion = QString(v1)) const
    {
        ExecConfig c;
        c.apiVersion = apiVersion;
        c.command = u"fake"_s;
        c.interactiveMode = ExecInteractiveMode::IfAvailable;
        return c;
    }

    // Searches only this test's folders: no login shell, no real home.
    ExecRunOptions options(std::chrono::milliseconds timeout = 20s)
    {
        ExecRunOptions o;
        o.timeout = timeout;
        o.clock = [this] { return m_now; };
        o.search = ExecSearchSources{path(u"bin"_s), {}, path(u"home"_s)};
        return o;
    }

    static ClusterInfo cluster()
    {
        ClusterInfo c;
        c.name = u"prod"_s;
        c.server = QUrl(u"https://api.example.com:6443/prefix"_s);
        c.caPem = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";
        c.insecureSkipTlsVerify = false;
        c.tlsServerName = u"api.internal"_s;
        c.proxyUrl = QUrl(u"http://proxy.local:3128"_s);
        return c;
    }

private Q_SLOTS:
    void initTestCase() { previousHandler = qInstallMessageHandler(captureMessages); }

    void cleanupTestCase()
    {
        qInstallMessageHandler(previousHandler);
        for (const QString &line : std::as_const(capturedLog))
            QVERIFY2(!line.contains(QLatin1StringView(marker)), "a log line contains a credential");
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_now = QDateTime(QDate(2030, 1, 1), QTime(12, 0), Qt::UTC);
    }

    void plugin_credentials_are_returned_data()
    {
        QTest::addColumn<QString>("apiVersion");
        QTest::addColumn<QByteArray>("status");
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<bool>("hasCertificate");
        QTest::addColumn<QDateTime>("expiry");

        const QByteArray certificate = "{\"clientCertificateData\":\"" + QByteArray(certJson) +
                                       "\",\"clientKeyData\":\"" + QByteArray(keyJson) + "\"}";
        QTest::newRow("a v1 plugin returns a token")
            << QString(v1) << QByteArray(R"({"token":"tok-s3cr3t-1"})") << QByteArray("tok-s3cr3t-1") << false
            << QDateTime();
        QTest::newRow("a v1beta1 plugin returns a token")
            << QString(v1beta1) << QByteArray(R"({"token":"tok-s3cr3t-2"})") << QByteArray("tok-s3cr3t-2")
            << false << QDateTime();
        QTest::newRow("a v1 plugin returns a client certificate and key")
            << QString(v1) << certificate << QByteArray() << true << QDateTime();
        QTest::newRow("a v1beta1 plugin returns a client certificate and key")
            << QString(v1beta1) << certificate << QByteArray() << true << QDateTime();
        QTest::newRow("the expiry is read as UTC")
            << QString(v1)
            << QByteArray(R"({"token":"tok-s3cr3t-3","expirationTimestamp":"2030-01-01T14:30:00+02:00"})")
            << QByteArray("tok-s3cr3t-3") << false << QDateTime(QDate(2030, 1, 1), QTime(12, 30), Qt::UTC);
        QTest::newRow("an expiry with fractional seconds is accepted")
            << QString(v1)
            << QByteArray(R"({"token":"tok-s3cr3t-4","expirationTimestamp":"2030-01-01T13:00:00.250Z"})")
            << QByteArray("tok-s3cr3t-4") << false
            << QDateTime(QDate(2030, 1, 1), QTime(13, 0, 0, 250), Qt::UTC);
    }

    void plugin_credentials_are_returned()
    {
        QFETCH(QString, apiVersion);
        QFETCH(QByteArray, status);
        QFETCH(QByteArray, token);
        QFETCH(bool, hasCertificate);
        QFETCH(QDateTime, expiry);
        writePrintingPlugin(credentialJson(apiVersion, status));
        ExecCredentialProvider provider(config(apiVersion), cluster(), options());
        const auto result = provider.get();
        if (const auto *error = std::get_if<ExecError>(&result))
            QFAIL(qPrintable(error->message));
        const ExecCredential &credential = std::get<ExecCredential>(result);
        QVERIFY2(credential.token == token, "token differs");
        QCOMPARE(credential.clientCertPem.startsWith("-----BEGIN CERTIFICATE-----\n"), hasCertificate);
        QCOMPARE(credential.clientKeyPem.endsWith("-----END EC PRIVATE KEY-----\n"), hasCertificate);
        QCOMPARE(credential.expiry, expiry);
    }

    void args_and_env_reach_the_plugin()
    {
        const QString out = path(u"seen"_s);
        writePlugin("printf '%s|' \"$@\" > \"" + out.toUtf8() + "\"\nprintf '%s' \"$AWS_PROFILE\" >> \"" +
                    out.toUtf8() + "\"\n" + echoing(QString(v1), R"({"token":"t-s3cr3t"})"));
        ExecConfig c = config();
        c.args = QStringList{u"eks"_s, u"get-token"_s, u"--cluster-name"_s, u"with space"_s};
        c.env = {{u"AWS_PROFILE"_s, u"prod"_s}};
        ExecCredentialProvider provider(c, cluster(), options());
        QVERIFY(std::holds_alternative<ExecCredential>(provider.get()));
        QFile seen(out);
        QVERIFY(seen.open(QIODevice::ReadOnly));
        QCOMPARE(seen.readAll(), QByteArray("eks|get-token|--cluster-name|with space|prod"));
    }

    void cluster_info_is_provided_only_when_asked_data()
    {
        QTest::addColumn<QString>("apiVersion");
        QTest::addColumn<bool>("provideClusterInfo");
        QTest::newRow("v1 with provideClusterInfo gets the cluster") << QString(v1) << true;
        QTest::newRow("v1beta1 with provideClusterInfo gets the cluster") << QString(v1beta1) << true;
        QTest::newRow("without provideClusterInfo only spec.interactive is sent") << QString(v1) << false;
    }

    void cluster_info_is_provided_only_when_asked()
    {
        QFETCH(QString, apiVersion);
        QFETCH(bool, provideClusterInfo);
        const QString out = path(u"info.json"_s);
        writePlugin("printf '%s' \"$KUBERNETES_EXEC_INFO\" > \"" + out.toUtf8() + "\"\n" +
                    echoing(apiVersion, R"({"token":"t-s3cr3t"})"));
        ExecConfig c = config(apiVersion);
        c.provideClusterInfo = provideClusterInfo;
        ExecCredentialProvider provider(c, cluster(), options());
        QVERIFY(std::holds_alternative<ExecCredential>(provider.get()));

        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject info = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(info.value("apiVersion"_L1).toString(), apiVersion);
        QCOMPARE(info.value("kind"_L1).toString(), u"ExecCredential"_s);
        const QJsonObject spec = info.value("spec"_L1).toObject();
        QCOMPARE(spec.value("interactive"_L1), QJsonValue(false));
        QCOMPARE(spec.contains("cluster"_L1), provideClusterInfo);
        if (!provideClusterInfo)
            return;
        const QJsonObject clusterJson = spec.value("cluster"_L1).toObject();
        QCOMPARE(clusterJson.value("server"_L1).toString(), u"https://api.example.com:6443/prefix"_s);
        QCOMPARE(clusterJson.value("tls-server-name"_L1).toString(), u"api.internal"_s);
        QCOMPARE(clusterJson.value("proxy-url"_L1).toString(), u"http://proxy.local:3128"_s);
        QCOMPARE(
            QByteArray::fromBase64(clusterJson.value("certificate-authority-data"_L1).toString().toLatin1()),
            cluster().caPem);
        QVERIFY(!clusterJson.contains("insecure-skip-tls-verify"_L1)); // omitted when false, like client-go
    }

    void credentials_are_cached_until_they_expire_data()
    {
        QTest::addColumn<QByteArray>("expiry");
        QTest::addColumn<qint64>("advanceSeconds");
        QTest::addColumn<int>("expectedRuns");
        QTest::newRow("a fresh credential is reused")
            << QByteArray("2030-01-01T13:00:00Z") << qint64(60) << 1;
        QTest::newRow("a credential about to expire is refreshed a little early")
            << QByteArray("2030-01-01T13:00:00Z") << qint64(3600 - 5) << 2;
        QTest::newRow("an expired credential is refreshed")
            << QByteArray("2030-01-01T13:00:00Z") << qint64(7200) << 2;
        QTest::newRow("a credential without expiry is kept until invalidated")
            << QByteArray() << qint64(10 * 365 * 86400) << 1;
    }

    void credentials_are_cached_until_they_expire()
    {
        QFETCH(QByteArray, expiry);
        QFETCH(qint64, advanceSeconds);
        QFETCH(int, expectedRuns);
        const QByteArray expiryField =
            expiry.isEmpty() ? QByteArray() : ",\"expirationTimestamp\":\"" + expiry + "\"";
        writePrintingPlugin(credentialJson(QString(v1), "{\"token\":\"t-s3cr3t\"" + expiryField + "}"));
        ExecCredentialProvider provider(config(), cluster(), options());
        QVERIFY(std::holds_alternative<ExecCredential>(provider.get()));
        QVERIFY(std::holds_alternative<ExecCredential>(provider.get()));
        QCOMPARE(runs(), 1);
        m_now = m_now.addSecs(advanceSeconds);
        QVERIFY(std::holds_alternative<ExecCredential>(provider.get()));
        QCOMPARE(runs(), expectedRuns);
    }

    void invalidate_runs_the_plugin_again_once()
    {
        writePrintingPlugin(credentialJson(QString(v1), R"({"token":"t-s3cr3t"})"));
        ExecCredentialProvider provider(config(), cluster(), options());
        QVERIFY(std::holds_alternative<ExecCredential>(provider.get()));
        provider.invalidate();
        QVERIFY(std::holds_alternative<ExecCredential>(provider.get()));
        QVERIFY(std::holds_alternative<ExecCredential>(provider.get()));
        QCOMPARE(runs(), 2);
    }

    void failures_are_typed_and_never_show_credentials_data()
    {
        QTest::addColumn<QByteArray>("script");
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");

        const int failed = int(ExecError::Kind::Failed);
        const int badOutput = int(ExecError::Kind::BadOutput);
        QTest::newRow("a failing plugin's stderr is summarised")
            << QByteArray("echo 'Error: SSO session expired; run aws sso login' >&2\nexit 255") << failed
            << 255 << u"exited with code 255: Error: SSO session expired; run aws sso login"_s;
        QTest::newRow("only the last lines of a long stderr are kept")
            << QByteArray("printf 'one\\ntwo\\n\\n\\033[31mthree\\033[0m\\nfour\\n' >&2\nexit 1") << failed
            << 1 << u"exited with code 1: two | three | four"_s;
        QTest::newRow("credentials echoed on stderr are cut out")
            << QByteArray(
                   "echo 'token=tok-s3cr3t-1 Authorization: Bearer s3cr3t-bearer' >&2\n"
                   "echo 'id eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzM2NyM3QifQ.s3cr3t-sig' >&2\n"
                   "echo 'key AKIAS3CR3TS3CR3TAAAA and opaque Zs3cr3tQ9xLm2Vb8Nw4Rt7Yp1Kd5Hj3Fg' >&2\nexit 1")
            << failed << 1
            << u"exited with code 1: token=[redacted] Authorization: Bearer [redacted] | id [redacted] | key "
               "[redacted] and opaque [redacted]"_s;
        QTest::newRow("a private key printed on stderr is cut out")
            << QByteArray("printf -- '-----BEGIN PRIVATE KEY-----\\nMIIs3cr3t\\n-----END PRIVATE "
                          "KEY-----\\nfailed\\n' >&2\n"
                          "exit 1")
            << failed << 1 << u"exited with code 1: [redacted] | failed"_s;
        QTest::newRow("the token from stdout echoed on stderr is cut out")
            << QByteArray("echo '{\"status\":{\"token\":\"plain-s3cr3t\"}}'\necho 'could not cache "
                          "plain-s3cr3t' >&2\n"
                          "exit 1")
            << failed << 1 << u"exited with code 1: could not cache [redacted]"_s;
        QTest::newRow("a secret env value echoed on stderr is cut out")
            << QByteArray("echo \"login with $CLIENT_SECRET failed\" >&2\nexit 1") << failed << 1
            << u"exited with code 1: login with [redacted] failed"_s;
        QTest::newRow("a silent failure says so")
            << QByteArray("exit 2") << failed << 2 << u"exited with code 2 without saying why"_s;
        QTest::newRow("a crash is reported")
            << QByteArray("kill -9 $$") << failed << -1 << u"crashed without saying why"_s;
        QTest::newRow("output that is not JSON is never quoted")
            << QByteArray("echo 'tok-s3cr3t-plain'") << badOutput << -1
            << u"printed something that is not JSON (illegal value at offset 1)"_s;
        QTest::newRow("no output at all")
            << QByteArray("true") << badOutput << -1 << u"printed nothing on stdout"_s;
        QTest::newRow("JSON that is not an object")
            << QByteArray("echo '[\"tok-s3cr3t\"]'") << badOutput << -1
            << u"printed JSON that is not an ExecCredential object"_s;
        QTest::newRow("a kind other than ExecCredential")
            << QByteArray("echo '{\"kind\":\"Secret\",\"apiVersion\":\"v1\"}'") << badOutput << -1
            << u"printed kind \"Secret\" instead of ExecCredential"_s;
        const QString version = QString(v1);
        QTest::newRow("an apiVersion other than the configured one")
            << echoing(QString(v1beta1), R"({"token":"t-s3cr3t"})") << badOutput << -1
            << u"answered with apiVersion \"client.authentication.k8s.io/v1beta1\" but the kubeconfig "
               "asks for \"client.authentication.k8s.io/v1\""_s;
        QTest::newRow("an odd apiVersion is not echoed")
            << echoing(u"tok s3cr3t"_s, R"({"token":"t-s3cr3t"})") << badOutput << -1
            << u"answered with apiVersion an unexpected value but the kubeconfig asks for "
               "\"client.authentication.k8s.io/v1\""_s;
        QTest::newRow("no status")
            << QByteArray(
                   R"(echo '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1"}')")
            << badOutput << -1 << u"returned no status"_s;
        QTest::newRow("neither token nor certificate")
            << echoing(version, "{}") << badOutput << -1
            << u"returned neither a token nor a client certificate and key"_s;
        QTest::newRow("a certificate without a key")
            << echoing(version, "{\"clientCertificateData\":\"" + QByteArray(certJson) + "\"}") << badOutput
            << -1 << u"returned a client certificate without a key"_s;
        QTest::newRow("certificate data that is not PEM")
            << echoing(version, R"({"clientCertificateData":"x","clientKeyData":"s3cr3t"})") << badOutput
            << -1 << u"returned clientCertificateData or clientKeyData that is not PEM"_s;
        QTest::newRow("a token that is not a string")
            << echoing(version, R"({"token":12345})") << badOutput << -1 << u"status.token is not a string"_s;
        QTest::newRow("an expirationTimestamp that is not RFC 3339")
            << echoing(version, R"({"token":"t-s3cr3t","expirationTimestamp":"soon"})") << badOutput << -1
            << u"returned a status.expirationTimestamp that is not an RFC 3339 time"_s;
        QTest::newRow("an expirationTimestamp without an offset")
            << echoing(version, R"({"token":"t-s3cr3t","expirationTimestamp":"2030-01-01T10:00:00"})")
            << badOutput << -1 << u"returned a status.expirationTimestamp that is not an RFC 3339 time"_s;
    }

    void failures_are_typed_and_never_show_credentials()
    {
        QFETCH(QByteArray, script);
        QFETCH(int, kind);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        writePlugin(script);
        ExecConfig c = config();
        c.env = {{u"CLIENT_SECRET"_s, u"env-s3cr3t-value"_s}};
        c.args = QStringList{u"--password=arg-s3cr3t"_s};
        ExecCredentialProvider provider(c, cluster(), options());
        const auto result = provider.get();
        QVERIFY(std::holds_alternative<ExecError>(result));
        const ExecError &error = std::get<ExecError>(result);
        QVERIFY2(!error.message.contains(QLatin1StringView(marker)), "the message contains a credential");
        QCOMPARE(int(error.kind), kind);
        QCOMPARE(error.exitCode, exitCode);
        QCOMPARE(error.message, u"exec plugin \"fake\" "_s % message);
        // A failure is not cached: the next call runs the plugin again.
        QVERIFY(std::holds_alternative<ExecError>(provider.get()));
        QCOMPARE(runs(), 2);
    }

    void a_missing_plugin_shows_the_install_hint_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("hint");
        QTest::addColumn<QString>("message");
        QTest::newRow("a bare name with an install hint")
            << u"cw-test-absent-auth-plugin"_s
            << u"Install it with gcloud components install gke-gcloud-auth-plugin"_s
            << u"exec plugin \"cw-test-absent-auth-plugin\" was not found on PATH, on your login shell's "
               u"PATH or in "
               "the usual install folders\n\nInstall it with gcloud components install gke-gcloud-auth-plugin"_s;
        QTest::newRow("a bare name without a hint")
            << u"cw-test-absent-kubelogin"_s << QString()
            << u"exec plugin \"cw-test-absent-kubelogin\" was not found on PATH, on your login shell's PATH "
               "or in the usual install folders"_s;
        QTest::newRow("a path that does not exist")
            << u"/nonexistent/cw/aws"_s << u"See the docs"_s
            << u"exec plugin \"/nonexistent/cw/aws\" does not exist or is not executable\n\nSee the docs"_s;
    }

    void a_missing_plugin_shows_the_install_hint()
    {
        QFETCH(QString, command);
        QFETCH(QString, hint);
        QFETCH(QString, message);
        ExecConfig c = config();
        c.command = command;
        c.installHint = hint;
        ExecCredentialProvider provider(c, cluster(), options());
        const auto result = provider.get();
        QVERIFY(std::holds_alternative<ExecError>(result));
        const ExecError &error = std::get<ExecError>(result);
        QCOMPARE(int(error.kind), int(ExecError::Kind::NotFound));
        QCOMPARE(error.installHint, hint);
        QCOMPARE(error.message, message);
    }

    void interactive_mode_always_is_refused_without_running_the_plugin()
    {
        writePrintingPlugin(credentialJson(QString(v1), R"({"token":"t-s3cr3t"})"));
        ExecConfig c = config();
        c.interactiveMode = ExecInteractiveMode::Always;
        ExecCredentialProvider provider(c, cluster(), options());
        const auto result = provider.get();
        QVERIFY(std::holds_alternative<ExecError>(result));
        QCOMPARE(int(std::get<ExecError>(result).kind), int(ExecError::Kind::NeedsTerminal));
        QCOMPARE(runs(), 0);
    }

    void a_hanging_plugin_is_stopped_after_the_timeout()
    {
        writePlugin("exec sleep 30");
        ExecCredentialProvider provider(config(), cluster(), options(300ms));
        QElapsedTimer timer;
        timer.start();
        const auto result = provider.get();
        QVERIFY(timer.elapsed() < 10000);
        QVERIFY(std::holds_alternative<ExecError>(result));
        QCOMPARE(int(std::get<ExecError>(result).kind), int(ExecError::Kind::TimedOut));
        QCOMPARE(std::get<ExecError>(result).message,
                 u"exec plugin \"fake\" did not finish within 0.3 s and was stopped"_s);
    }

    void a_plugin_found_outside_PATH_gets_the_wider_search_path()
    {
        const QString out = path(u"plugin-path"_s);
        writeScript(u"home/.local/bin/fake"_s, "printf '%s' \"$PATH\" > \"" + out.toUtf8() + "\"\n" +
                                                   echoing(QString(v1), R"({"token":"t-s3cr3t"})"));
        QDir().mkpath(path(u"login"_s));
        ExecRunOptions o = options();
        o.search = ExecSearchSources{path(u"bin"_s), [this] { return path(u"login"_s); }, path(u"home"_s)};
        ExecCredentialProvider provider(config(), cluster(), o);
        QVERIFY(std::holds_alternative<ExecCredential>(provider.get()));
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList dirs = QString::fromUtf8(file.readAll()).split(u':');
        QVERIFY(dirs.contains(path(u"login"_s)));
        QVERIFY(dirs.contains(path(u"home/.local/bin"_s)));
        QVERIFY(!dirs.contains(path(u"bin"_s))); // does not exist, so it is left out
    }

    void find_executable_searches_path_then_login_shell_then_usual_folders_data()
    {
        QTest::addColumn<QStringList>("installedIn");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("asksLoginShell");
        QTest::newRow("found on PATH, the login shell is not asked")
            << QStringList{u"path"_s} << u"path"_s << false;
        QTest::newRow("PATH wins over the login shell's PATH")
            << QStringList{u"login"_s, u"path"_s} << u"path"_s << false;
        QTest::newRow("the login shell's PATH wins over the usual folders")
            << QStringList{u"home/.local/bin"_s, u"login"_s} << u"login"_s << true;
        QTest::newRow("~/.local/bin is searched")
            << QStringList{u"home/.local/bin"_s} << u"home/.local/bin"_s << true;
        QTest::newRow("~/bin is searched") << QStringList{u"home/bin"_s} << u"home/bin"_s << true;
        QTest::newRow("~/google-cloud-sdk/bin is searched")
            << QStringList{u"home/google-cloud-sdk/bin"_s} << u"home/google-cloud-sdk/bin"_s << true;
        QTest::newRow("~/.krew/bin is searched")
            << QStringList{u"home/.krew/bin"_s} << u"home/.krew/bin"_s << true;
        QTest::newRow("~/go/bin is searched") << QStringList{u"home/go/bin"_s} << u"home/go/bin"_s << true;
        QTest::newRow("~/.asdf/shims is searched")
            << QStringList{u"home/.asdf/shims"_s} << u"home/.asdf/shims"_s << true;
        QTest::newRow("not installed anywhere") << QStringList() << QString() << true;
    }

    void find_executable_searches_path_then_login_shell_then_usual_folders()
    {
        QFETCH(QStringList, installedIn);
        QFETCH(QString, expected);
        QFETCH(bool, asksLoginShell);
        for (const QString &dir : std::as_const(installedIn))
            writeScript(dir % u"/cw-test-plugin"_s, "exit 0");
        // A file that is not executable never counts.
        QDir().mkpath(path(u"path"_s));
        bool asked = false;
        const ExecSearchSources sources{u"relative/dir:"_s % path(u"empty"_s) % u':' % path(u"path"_s),
                                        [&] {
                                            asked = true;
                                            return path(u"login"_s);
                                        },
                                        path(u"home"_s)};
        const QString found = findExecutable(u"cw-test-plugin"_s, sources);
        QCOMPARE(found, expected.isEmpty() ? QString() : path(expected % u"/cw-test-plugin"_s));
        QCOMPARE(asked, asksLoginShell);
    }

    void a_file_that_is_not_executable_is_skipped()
    {
        writeScript(u"path/cw-test-plugin"_s, "exit 0");
        QFile::setPermissions(path(u"path/cw-test-plugin"_s), QFileDevice::ReadOwner);
        writeScript(u"home/bin/cw-test-plugin"_s, "exit 0");
        const ExecSearchSources sources{path(u"path"_s), {}, path(u"home"_s)};
        QCOMPARE(findExecutable(u"cw-test-plugin"_s, sources), path(u"home/bin/cw-test-plugin"_s));
    }

    void login_shell_path_is_read_from_a_login_shell_data()
    {
        QTest::addColumn<QByteArray>("shell");
        QTest::addColumn<QString>("expected");
        QTest::newRow("the PATH a login shell prints, after any banner")
            << QByteArray("[ \"$1\" = -l ] && [ \"$2\" = -c ] || exit 9\necho 'Welcome!'\n"
                          "PATH=/from/login:/usr/bin\neval \"$3\"")
            << u"/from/login:/usr/bin"_s;
        QTest::newRow("a failing shell gives nothing") << QByteArray("exit 1") << QString();
        QTest::newRow("a shell that prints no path gives nothing") << QByteArray("echo hello") << QString();
        QTest::newRow("a hanging shell gives nothing") << QByteArray("exec sleep 30") << QString();
    }

    void login_shell_path_is_read_from_a_login_shell()
    {
        QFETCH(QByteArray, shell);
        QFETCH(QString, expected);
        const QString program = writeScript(u"shell"_s, shell);
        QElapsedTimer timer;
        timer.start();
        QCOMPARE(queryLoginShellPath(program, 500ms), expected);
        QVERIFY(timer.elapsed() < 10000);
    }

    void no_shell_means_no_login_shell_path()
    {
        QCOMPARE(queryLoginShellPath(QString(), 500ms), QString());
        QCOMPARE(queryLoginShellPath(path(u"missing-shell"_s), 500ms), QString());
    }

    void a_real_login_shell_reports_its_path()
    {
        if (!QFileInfo(u"/bin/sh"_s).isExecutable())
            QSKIP("no /bin/sh");
        QVERIFY(queryLoginShellPath(u"/bin/sh"_s, 5s).contains(u'/'));
    }

    void stderr_summaries_stay_short_and_clean_data()
    {
        QTest::addColumn<QByteArray>("stderrData");
        QTest::addColumn<QString>("summary");
        QTest::newRow("colour codes are stripped")
            << QByteArray("\x1b[1;31merror\x1b[0m: denied\n") << u"error: denied"_s;
        QTest::newRow("long output is cut") << QByteArray(400, 'a') << QString(299, u'a') + QChar(0x2026);
        QTest::newRow("paths and words are kept")
            << QByteArray("open /home/me/.aws/config: permission denied\n")
            << u"open /home/me/.aws/config: permission denied"_s;
        QTest::newRow("password pairs are cut")
            << QByteArray("password: \"hunter2-s3cr3t\" rejected") << u"password: \"[redacted]\" rejected"_s;
    }

    void stderr_summaries_stay_short_and_clean()
    {
        QFETCH(QByteArray, stderrData);
        QFETCH(QString, summary);
        QCOMPARE(summarizeStderr(stderrData, {}), summary);
    }
};

CW_TEST(TestExecCredential)
#include "tst_execcredential.moc"
