// SPDX-License-Identifier: Apache-2.0
#include "apiclient.h"
#include "kubeconfig.h"
#include "pki.h"
#include "simfixture.h"
#include "testmain.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace cw::watch;
using namespace Qt::StringLiterals;

namespace {

constexpr int replyTimeoutMs = 15'000;
constexpr auto installHint = "Install the clusterwatch test plugin with: apt install cw-test-plugin"_L1;

// Everything the app logs while these tests run; checked for credentials at the end.
QStringList capturedLog;
QtMessageHandler previousHandler = nullptr;

void captureMessages(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    capturedLog.append(message);
    if (previousHandler)
        previousHandler(type, context, message);
}

// What one GET came to. No request header is kept: they carry credentials.
struct Fetched
{
    bool started = false; // get() gave a reply; else `error` says why
    StreamError error;
    bool finished = false; // within the timeout
    int status = 0;
    QNetworkReply::NetworkError networkError = QNetworkReply::NoError;
    QByteArray body;
    QByteArray userAgent;
    QByteArray accept;
    bool sentAuthorization = false;
    bool basicAuthorization = false;
    bool usedHttp2 = true;
    bool followsRedirects = true;
};

Fetched fetch(ApiClient &client, const QString &path, const QByteArray &accept = "application/json")
{
    Fetched f;
    std::unique_ptr<QNetworkReply> reply(client.get(path, {}, accept, &f.error));
    if (!reply)
        return f;
    f.started = true;
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(replyTimeoutMs);
    f.finished = reply->isFinished();
    if (!f.finished)
        reply->abort();
    f.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    f.networkError = reply->error();
    f.body = reply->readAll();
    const QNetworkRequest request = reply->request();
    f.userAgent = request.rawHeader("User-Agent");
    f.accept = request.rawHeader("Accept");
    f.sentAuthorization = request.hasRawHeader("Authorization");
    f.basicAuthorization = request.rawHeader("Authorization").startsWith("Basic ");
    f.usedHttp2 = reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool();
    f.followsRedirects = request.attribute(QNetworkRequest::RedirectPolicyAttribute).toInt() !=
                         QNetworkRequest::ManualRedirectPolicy;
    return f;
}

struct Discovered
{
    int calls = 0;
    QList<ApiResource> resources;
    std::optional<StreamError> error;
};

Discovered discover(ApiClient &client)
{
    auto result = std::make_shared<Discovered>();
    discoverResources(&client, [result](QList<ApiResource> resources, std::optional<StreamError> error) {
        ++result->calls;
        result->resources = std::move(resources);
        result->error = std::move(error);
    });
    if (QTest::qWaitFor([&result] { return result->calls > 0; }, replyTimeoutMs))
        QTest::qWait(100); // a second call would show up here
    return *result;
}

const ApiResource *findResource(const QList<ApiResource> &resources, const QString &group,
                                const QString &plural)
{
    for (const ApiResource &r : resources) {
        if (r.group == group && r.resource == plural)
            return &r;
    }
    return nullptr;
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(content) == content.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A port nobody listens on.
quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    return server.serverPort();
}

// A small forwarding HTTP proxy on 127.0.0.1 in front of a sim: CONNECT tunnels for https, absolute-form
// requests for http. With legacyDiscovery it asks for plain JSON whatever the client asked, so the sim
// answers like a server without aggregated discovery.
class ForwardingProxy : public QObject
{
public:
    explicit ForwardingProxy(bool legacyDiscovery) : m_legacyDiscovery(legacyDiscovery)
    {
        connect(&m_server, &QTcpServer::newConnection, this, &ForwardingProxy::accept);
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    QUrl url() const { return QUrl(u"http://127.0.0.1:"_s % QString::number(m_server.serverPort())); }
    QList<QByteArray> requests; // "CONNECT 127.0.0.1:1234", "GET /api/v1"

private:
    struct Pipe
    {
        QByteArray pending;
        bool tunnel = false;
    };

    void accept()
    {
        while (QTcpSocket *client = m_server.nextPendingConnection()) {
            client->setParent(this);
            auto *upstream = new QTcpSocket(client);
            auto pipe = std::make_shared<Pipe>();
            connect(client, &QTcpSocket::readyRead, client, [this, client, upstream, pipe] {
                pipe->pending += client->readAll();
                forward(client, upstream, *pipe);
            });
            connect(upstream, &QTcpSocket::readyRead, client,
                    [client, upstream] { client->write(upstream->readAll()); });
            connect(upstream, &QTcpSocket::disconnected, client, [client] { client->disconnectFromHost(); });
            connect(client, &QTcpSocket::disconnected, client, [client, upstream] {
                upstream->abort();
                client->deleteLater();
            });
        }
    }

    void forward(QTcpSocket *client, QTcpSocket *upstream, Pipe &pipe)
    {
        if (pipe.tunnel) {
            upstream->write(pipe.pending);
            pipe.pending.clear();
            return;
        }
        qsizetype end = -1;
        while ((end = pipe.pending.indexOf("\r\n\r\n")) >= 0) {
            const QList<QByteArray> lines = pipe.pending.left(end).split('\n');
            pipe.pending.remove(0, end + 4);
            const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
            const QByteArray method = requestLine.value(0);
            const QByteArray target = requestLine.value(1);
            if (method == "CONNECT") {
                requests.append(method + ' ' + target);
                const qsizetype colon = target.lastIndexOf(':');
                connect(upstream, &QTcpSocket::connected, client,
                        [client] { client->write("HTTP/1.1 200 Connection established\r\n\r\n"); });
                upstream->connectToHost(QString::fromLatin1(target.left(colon)),
                                        target.mid(colon + 1).toUShort());
                pipe.tunnel = true;
                return;
            }
            const QUrl url(QString::fromLatin1(target));
            if (upstream->state() == QAbstractSocket::UnconnectedState)
                upstream->connectToHost(url.host(), quint16(url.port(80)));
            QByteArray origin = url.path(QUrl::FullyEncoded).toLatin1();
            if (url.hasQuery())
                origin += '?' + url.query(QUrl::FullyEncoded).toLatin1();
            requests.append(method + ' ' + origin);
            QByteArray head = method + ' ' + origin + " HTTP/1.1\r\n";
            for (qsizetype i = 1; i < lines.size(); ++i) {
                QByteArray line = lines[i].trimmed();
                const QByteArray name = line.left(line.indexOf(':')).trimmed().toLower();
                if (name.startsWith("proxy-"))
                    continue;
                if (m_legacyDiscovery && name == "accept")
                    line = "Accept: application/json";
                head += line + "\r\n";
            }
            upstream->write(head + "\r\n");
        }
    }

    QTcpServer m_server;
    bool m_legacyDiscovery = false;
};

} // namespace

class TestApiClient : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<cw::test::SimFixture> m_sim;   // HTTPS with its own CA
    std::unique_ptr<cw::test::SimFixture> m_plain; // plain HTTP
    std::unique_ptr<QTemporaryDir> m_dir;
    QByteArray m_adminToken;
    QString m_pluginPath;
    QString m_certPluginPath;
    QList<ApiResource> m_resources;

    QString path(const QString &name) const { return m_dir->filePath(name); }

    // The sim's kubeconfig merged with one of ours that adds exec users, the way KUBECONFIG=a:b merges.
    bool resolve(const QString &contextName, ResolvedContext *out, const QString &kubeconfig = {},
                 bool withExec = true)
    {
        const QString simConfig = kubeconfig.isEmpty() ? m_sim->kubeconfigPath() : kubeconfig;
        QStringList files{simConfig};
        if (withExec)
            files.append(path(u"exec-kubeconfig"_s));
        const auto loaded = Kubeconfig::load(files);
        if (const auto *error = std::get_if<KubeconfigError>(&loaded)) {
            qWarning("kubeconfig: %s", qPrintable(error->toString()));
            return false;
        }
        auto resolved = std::get<Kubeconfig>(loaded).resolve(contextName);
        if (const auto *error = std::get_if<KubeconfigError>(&resolved)) {
            qWarning("context %s: %s", qPrintable(contextName), qPrintable(error->toString()));
            return false;
        }
        *out = std::get<ResolvedContext>(std::move(resolved));
        return true;
    }

    // The plugin prints whatever token is in the file `token` and counts its runs in `runs`.
    int pluginRuns() const { return int(readFile(path(u"runs"_s)).count('\n')); }

    // A client certificate for an admin identity, signed by the sim's CA with the openssl tool.
    bool issueWithOpenssl(const QByteArray &keyArgs, bool traditional, QByteArray *certPem,
                          QByteArray *keyPem)
    {
        cw::sim::Pki pki;
        m_sim->thread().invoke([&pki](cw::sim::SimServer &server) { pki = server.pki(); });
        const QString dir = path(u"openssl"_s);
        QDir().mkpath(dir);
        const QString ca = dir + u"/ca.pem"_s, caKey = dir + u"/ca-key.pem"_s, ext = dir + u"/ext.cnf"_s;
        const QString key = dir + u"/key.pem"_s, csr = dir + u"/req.csr"_s, cert = dir + u"/cert.pem"_s;
        if (!writeFile(ca, pki.caCertPem) || !writeFile(caKey, pki.caKeyPem) ||
            !writeFile(ext,
                       "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n"))
            return false;
        QStringList reqArgs{
            u"req"_s,     u"-new"_s, u"-nodes"_s, u"-subj"_s, u"/CN=openssl-admin/O=system:masters"_s,
            u"-keyout"_s, key,       u"-out"_s,   csr};
        reqArgs += QString::fromLatin1(keyArgs).split(u' ');
        const auto steps = QList<QStringList>{
            reqArgs,
            {u"x509"_s, u"-req"_s, u"-in"_s, csr, u"-CA"_s, ca, u"-CAkey"_s, caKey, u"-set_serial"_s,
             u"4242"_s, u"-days"_s, u"1"_s, u"-extfile"_s, ext, u"-out"_s, cert},
        };
        for (const QStringList &args : steps) {
            const auto result = cw::test::runProcess(u"openssl"_s, args, 60'000);
            if (result.exitCode != 0)
                return false;
        }
        QString keyOut = key;
        if (traditional) {
            // PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY" instead of PKCS#8 "PRIVATE KEY".
            keyOut = dir + u"/key-traditional.pem"_s;
            const auto result = cw::test::runProcess(
                u"openssl"_s, {u"pkey"_s, u"-in"_s, key, u"-out"_s, keyOut, u"-traditional"_s}, 60'000);
            if (result.exitCode != 0)
                return false;
        }
        *certPem = readFile(cert);
        *keyPem = readFile(keyOut);
        if (keyPem->contains("BEGIN PRIVATE KEY") == traditional)
            return false;
        return !certPem->isEmpty() && !keyPem->isEmpty();
    }

private slots:
    void initTestCase()
    {
        capturedLog.clear();
        previousHandler = qInstallMessageHandler(captureMessages);

        auto config = cw::test::SimFixture::defaultConfig();
        config.tls = true;
        m_sim = std::make_unique<cw::test::SimFixture>(config);
        QVERIFY(m_sim->start());
        m_plain = std::make_unique<cw::test::SimFixture>();
        QVERIFY(m_plain->start());
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());

        const QRegularExpression adminUser(u"- name: clusterwatch-admin\\n  user:\\n    token: (\\S+)"_s);
        const auto found = adminUser.match(QString::fromUtf8(m_sim->thread().kubeconfig()));
        QVERIFY(found.hasMatch());
        m_adminToken = found.captured(1).toUtf8();

        m_pluginPath = path(u"plugin.sh"_s);
        const QByteArray script =
            "#!/bin/sh\n"
            "echo run >> '" +
            path(u"runs"_s).toUtf8() +
            "'\n"
            "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
            "\"status\":{\"token\":\"%s\"}}\\n' \"$(cat '" +
            path(u"token"_s).toUtf8() + "')\"\n";
        QVERIFY(writeFile(m_pluginPath, script));
        QVERIFY(QFile::setPermissions(m_pluginPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                        QFileDevice::ExeOwner));
        QVERIFY(writeFile(path(u"token"_s), m_adminToken));

        // A plugin that hands out the sim's admin client certificate instead of a token.
        ResolvedContext certContext;
        QVERIFY(resolve(u"clusterwatch-sim-cert"_s, &certContext, m_sim->kubeconfigPath(), false));
        const QJsonObject certCredential{
            {u"apiVersion"_s, u"client.authentication.k8s.io/v1"_s},
            {u"kind"_s, u"ExecCredential"_s},
            {u"status"_s,
             QJsonObject{{u"clientCertificateData"_s, QString::fromLatin1(certContext.user.clientCertPem)},
                         {u"clientKeyData"_s, QString::fromLatin1(certContext.user.clientKeyPem)}}}};
        QVERIFY(writeFile(path(u"cert-credential.json"_s), QJsonDocument(certCredential).toJson()));
        m_certPluginPath = path(u"cert-plugin.sh"_s);
        QVERIFY(writeFile(m_certPluginPath,
                          "#!/bin/sh\ncat '" + path(u"cert-credential.json"_s).toUtf8() + "'\n"));
        QVERIFY(QFile::setPermissions(m_certPluginPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                            QFileDevice::ExeOwner));

        const QByteArray execConfig =
            "apiVersion: v1\nkind: Config\n"
            "contexts:\n"
            "- name: exec\n  context:\n    cluster: clusterwatch-sim\n    user: exec-user\n"
            "- name: exec-missing\n  context:\n    cluster: clusterwatch-sim\n    user: exec-missing\n"
            "- name: token-and-exec\n  context:\n    cluster: clusterwatch-sim\n    user: token-and-exec\n"
            "- name: exec-cert\n  context:\n    cluster: clusterwatch-sim\n    user: exec-cert\n"
            "users:\n"
            "- name: exec-cert\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
            "      command: " +
            m_certPluginPath.toUtf8() +
            "\n      interactiveMode: Never\n"
            "- name: exec-user\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
            "      command: " +
            m_pluginPath.toUtf8() +
            "\n      interactiveMode: Never\n"
            "- name: exec-missing\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
            "      command: clusterwatch-test-plugin-that-is-not-installed\n"
            "      installHint: \"" +
            QByteArray(installHint.data(), installHint.size()) +
            "\"\n"
            "      interactiveMode: Never\n"
            "- name: token-and-exec\n  user:\n    token: " +
            m_adminToken +
            "\n    exec:\n"
            "      apiVersion: client.authentication.k8s.io/v1\n"
            "      command: clusterwatch-test-plugin-that-is-not-installed\n      interactiveMode: Never\n";
        QVERIFY(writeFile(path(u"exec-kubeconfig"_s), execConfig));
    }

    void cleanupTestCase()
    {
        qInstallMessageHandler(previousHandler);
        for (const QString &line : std::as_const(capturedLog))
            QVERIFY2(!line.contains(QString::fromUtf8(m_adminToken)), "a log line holds the admin token");
        m_sim.reset();
        m_plain.reset();
    }

    void token_authenticates_a_pod_list_over_https()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context));
        ApiClient client(context);
        QVERIFY(!client.insecure());
        const Fetched f = fetch(client, u"/api/v1/pods"_s);
        QVERIFY(f.started);
        QVERIFY(f.finished);
        QCOMPARE(f.status, 200);
        QCOMPARE(QJsonDocument::fromJson(f.body).object().value("kind"_L1).toString(), u"PodList"_s);
        QVERIFY(f.sentAuthorization);
        QCOMPARE(f.userAgent, QByteArray("clusterwatch/" CLUSTERWATCH_VERSION));
        QCOMPARE(f.accept, QByteArray("application/json"));
        QVERIFY(!f.usedHttp2);
        QVERIFY(!f.followsRedirects);
    }

    void token_authenticates_over_plain_http()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context, m_plain->kubeconfigPath()));
        ApiClient client(context);
        const Fetched f = fetch(client, u"/api/v1/namespaces/default/pods"_s);
        QCOMPARE(f.status, 200);
    }

    void server_path_prefix_is_kept()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context));
        QUrl server = context.cluster.server;
        server.setPath(u"/no-such-prefix/"_s);
        context.cluster.server = server;
        ApiClient client(context);
        // The sim serves no prefix: a 404 proves the prefix went out in front of the path.
        QCOMPARE(fetch(client, u"/api/v1/pods"_s).status, 404);
    }

    void client_certificate_authenticates()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim-cert"_s, &context));
        QVERIFY(context.user.token.isEmpty());
        ApiClient client(context);
        const Fetched f = fetch(client, u"/api/v1/pods"_s);
        QVERIFY(!f.sentAuthorization);
        QCOMPARE(f.status, 200);
    }

    void client_key_algorithm_is_detected_data()
    {
        QTest::addColumn<QByteArray>("keyArgs");
        QTest::addColumn<bool>("traditional");
        QTest::newRow("RSA PKCS#8") << QByteArray("-newkey rsa:2048") << false;
        QTest::newRow("RSA PKCS#1") << QByteArray("-newkey rsa:2048") << true;
        QTest::newRow("EC PKCS#8") << QByteArray("-newkey ec -pkeyopt ec_paramgen_curve:prime256v1") << false;
        QTest::newRow("EC SEC1") << QByteArray("-newkey ec -pkeyopt ec_paramgen_curve:prime256v1") << true;
    }

    void client_key_algorithm_is_detected()
    {
        QFETCH(QByteArray, keyArgs);
        QFETCH(bool, traditional);
        if (QStandardPaths::findExecutable(u"openssl"_s).isEmpty())
            QSKIP("the openssl tool is not installed");
        QByteArray cert, key;
        QVERIFY(issueWithOpenssl(keyArgs, traditional, &cert, &key));
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim-cert"_s, &context));
        context.user.clientCertPem = cert;
        context.user.clientKeyPem = key;
        ApiClient client(context);
        const Fetched f = fetch(client, u"/api/v1/pods"_s);
        QVERIFY(f.started);
        QCOMPARE(f.status, 200);
    }

    void unreadable_client_key_is_a_config_error()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim-cert"_s, &context));
        context.user.clientKeyPem = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n";
        ApiClient client(context);
        const Fetched f = fetch(client, u"/api/v1/pods"_s);
        QVERIFY(!f.started);
        QCOMPARE(f.error.kind, StreamError::Kind::Config);
        QVERIFY(!f.error.message.contains(u"bm90IGEga2V5"_s));
    }

    void another_ca_fails_the_handshake()
    {
        QString error;
        const auto other = cw::sim::pki::generate(&error);
        QVERIFY2(other, qPrintable(error));
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context));
        context.cluster.caPem = other->caCertPem;
        ApiClient client(context);
        const Fetched f = fetch(client, u"/api/v1/pods"_s);
        QVERIFY(f.finished);
        QCOMPARE(f.status, 0);
        QCOMPARE(f.networkError, QNetworkReply::SslHandshakeFailedError);
    }

    void system_store_does_not_trust_the_sim()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context));
        context.cluster.caPem.clear();
        ApiClient client(context);
        QCOMPARE(fetch(client, u"/api/v1/pods"_s).networkError, QNetworkReply::SslHandshakeFailedError);
    }

    void insecure_skip_tls_verify_accepts_an_unknown_ca()
    {
        QString error;
        const auto other = cw::sim::pki::generate(&error);
        QVERIFY2(other, qPrintable(error));
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context));
        context.cluster.caPem = other->caCertPem;
        context.cluster.insecureSkipTlsVerify = true;
        ApiClient client(context);
        QVERIFY(client.insecure());
        QCOMPARE(fetch(client, u"/api/v1/pods"_s).status, 200);
    }

    void tls_server_name_is_the_name_verified_data()
    {
        QTest::addColumn<QString>("serverName");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("a name in the certificate") << u"localhost"_s << true;
        QTest::newRow("a name not in the certificate") << u"elsewhere.example.com"_s << false;
    }

    void tls_server_name_is_the_name_verified()
    {
        QFETCH(QString, serverName);
        QFETCH(bool, accepted);
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context));
        context.cluster.tlsServerName = serverName;
        ApiClient client(context);
        const Fetched f = fetch(client, u"/api/v1/pods"_s);
        QVERIFY(f.finished);
        if (accepted) {
            QCOMPARE(f.status, 200);
        } else {
            QCOMPARE(f.networkError, QNetworkReply::SslHandshakeFailedError);
        }
    }

    void identity_without_rights_is_forbidden()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim-noaccess"_s, &context));
        ApiClient client(context);
        const Fetched f = fetch(client, u"/api/v1/pods"_s);
        QCOMPARE(f.status, 403);
        QCOMPARE(QJsonDocument::fromJson(f.body).object().value("reason"_L1).toString(), u"Forbidden"_s);
    }

    void viewer_may_list_pods()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim-viewer"_s, &context));
        ApiClient client(context);
        QCOMPARE(fetch(client, u"/api/v1/pods"_s).status, 200);
    }

    void unknown_token_is_unauthorized()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context));
        context.user.token = "not-a-token-the-sim-knows";
        ApiClient client(context);
        QCOMPARE(fetch(client, u"/api/v1/pods"_s).status, 401);
    }

    void basic_auth_is_sent_as_basic()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context));
        context.user.token.clear();
        context.user.username = u"someone"_s;
        context.user.password = "a-password";
        ApiClient client(context);
        const Fetched f = fetch(client, u"/api/v1/pods"_s);
        QVERIFY(f.basicAuthorization);
        QCOMPARE(f.status, 401); // the sim, like most clusters today, has no basic auth
    }

    void token_file_is_reread_after_a_rejection()
    {
        const QString tokenFile = path(u"rotating-token"_s);
        QVERIFY(writeFile(tokenFile, "an-old-token\n"));
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context));
        context.user.token = "an-old-token";
        context.user.tokenFile = tokenFile;
        ApiClient client(context);
        QCOMPARE(fetch(client, u"/api/v1/pods"_s).status, 401);
        QVERIFY(writeFile(tokenFile, m_adminToken + '\n'));
        client.credentialsRejected();
        QCOMPARE(fetch(client, u"/api/v1/pods"_s).status, 200);
    }

    void exec_plugin_token_authenticates_and_reruns_after_a_rejection()
    {
        QFile::remove(path(u"runs"_s));
        QVERIFY(writeFile(path(u"token"_s), "a-token-the-sim-does-not-know"));
        ResolvedContext context;
        QVERIFY(resolve(u"exec"_s, &context));
        QVERIFY(context.user.exec);
        ApiClient client(context);

        QCOMPARE(fetch(client, u"/api/v1/pods"_s).status, 401);
        QCOMPARE(pluginRuns(), 1);
        QVERIFY(writeFile(path(u"token"_s), m_adminToken));
        // Until told otherwise, the cached credential is used.
        QCOMPARE(fetch(client, u"/api/v1/pods"_s).status, 401);
        QCOMPARE(pluginRuns(), 1);

        client.credentialsRejected();
        QCOMPARE(fetch(client, u"/api/v1/pods"_s).status, 200);
        QCOMPARE(pluginRuns(), 2);
        QCOMPARE(fetch(client, u"/api/v1/pods"_s).status, 200);
        QCOMPARE(pluginRuns(), 2);

        client.credentialsRejected();
        QCOMPARE(fetch(client, u"/api/v1/pods"_s).status, 200);
        QCOMPARE(pluginRuns(), 3);
    }

    void exec_plugin_client_certificate_authenticates()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"exec-cert"_s, &context));
        ApiClient client(context);
        const Fetched f = fetch(client, u"/api/v1/pods"_s);
        QVERIFY(f.started);
        QVERIFY(!f.sentAuthorization);
        QCOMPARE(f.status, 200);
        QCOMPARE(fetch(client, u"/api/v1/namespaces/default/pods"_s).status, 200);
    }

    void missing_exec_command_is_an_auth_error_with_the_install_hint()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"exec-missing"_s, &context));
        ApiClient client(context);
        const Fetched f = fetch(client, u"/api/v1/pods"_s);
        QVERIFY(!f.started);
        QCOMPARE(f.error.kind, StreamError::Kind::Auth);
        QVERIFY2(f.error.message.contains(installHint), qPrintable(f.error.message));
        QVERIFY(f.error.message.contains(u"clusterwatch-test-plugin-that-is-not-installed"_s));
    }

    void static_token_wins_over_the_exec_plugin()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"token-and-exec"_s, &context));
        QVERIFY(context.user.exec);
        ApiClient client(context);
        const Fetched f = fetch(client, u"/api/v1/pods"_s);
        QVERIFY(f.started);
        QCOMPARE(f.status, 200);
    }

    void proxy_url_carries_https_and_http()
    {
        ForwardingProxy proxy(false);
        QVERIFY(proxy.listen());

        ResolvedContext secure;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &secure));
        secure.cluster.proxyUrl = proxy.url();
        ApiClient secureClient(secure);
        QCOMPARE(fetch(secureClient, u"/api/v1/pods"_s).status, 200);
        QVERIFY(proxy.requests.contains("CONNECT 127.0.0.1:" + QByteArray::number(m_sim->port())));

        ResolvedContext plain;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &plain, m_plain->kubeconfigPath()));
        plain.cluster.proxyUrl = proxy.url();
        ApiClient plainClient(plain);
        QCOMPARE(fetch(plainClient, u"/api/v1/namespaces/default/pods"_s).status, 200);
        QVERIFY(proxy.requests.contains("GET /api/v1/namespaces/default/pods"));
    }

    void https_proxy_is_refused_as_a_config_error()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context));
        context.cluster.proxyUrl = QUrl(u"https://user:proxy-password@127.0.0.1:3128"_s);
        ApiClient client(context);
        const Fetched f = fetch(client, u"/api/v1/pods"_s);
        QVERIFY(!f.started);
        QCOMPARE(f.error.kind, StreamError::Kind::Config);
        QVERIFY(!f.error.message.contains(u"proxy-password"_s));
    }

    void discovery_lists_core_apps_and_events_resources()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context));
        ApiClient client(context);
        const Discovered d = discover(client);
        QCOMPARE(d.calls, 1);
        QVERIFY(!d.error);

        const ApiResource *pods = findResource(d.resources, QString(), u"pods"_s);
        QVERIFY(pods);
        QCOMPARE(pods->version, u"v1"_s);
        QCOMPARE(pods->kind, u"Pod"_s);
        QCOMPARE(pods->singular, u"pod"_s);
        QVERIFY(pods->namespaced);
        QCOMPARE(pods->shortNames, QStringList{u"po"_s});
        QVERIFY(pods->verbs.contains(u"watch"_s));
        QVERIFY(pods->categories.contains(u"all"_s));

        const ApiResource *nodes = findResource(d.resources, QString(), u"nodes"_s);
        QVERIFY(nodes);
        QVERIFY(!nodes->namespaced);

        const ApiResource *deployments = findResource(d.resources, u"apps"_s, u"deployments"_s);
        QVERIFY(deployments);
        QCOMPARE(deployments->version, u"v1"_s);
        QCOMPARE(deployments->kind, u"Deployment"_s);
        QVERIFY(deployments->shortNames.contains(u"deploy"_s));

        const ApiResource *events = findResource(d.resources, u"events.k8s.io"_s, u"events"_s);
        QVERIFY(events);
        QCOMPARE(events->version, u"v1"_s);
        QVERIFY(events->shortNames.contains(u"ev"_s));
        QVERIFY(findResource(d.resources, QString(), u"events"_s));

        for (const ApiResource &r : d.resources)
            QVERIFY2(!r.resource.contains(u'/'), qPrintable(r.resource));
        QCOMPARE(d.resources.first().group, QString()); // core first, like the server lists it
    }

    void discovery_falls_back_to_legacy_documents()
    {
        ForwardingProxy proxy(true);
        QVERIFY(proxy.listen());
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context, m_plain->kubeconfigPath()));
        context.cluster.proxyUrl = proxy.url();
        ApiClient client(context);
        const Discovered legacy = discover(client);
        QCOMPARE(legacy.calls, 1);
        QVERIFY(!legacy.error);
        // Only a legacy server makes a client ask for each group-version.
        QVERIFY(proxy.requests.contains("GET /api/v1"));
        QVERIFY(proxy.requests.contains("GET /apis/apps/v1"));
        QVERIFY(proxy.requests.contains("GET /apis/events.k8s.io/v1"));

        ResolvedContext direct;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &direct, m_plain->kubeconfigPath()));
        ApiClient directClient(direct);
        const Discovered aggregated = discover(directClient);
        QVERIFY(!aggregated.error);

        // Both paths describe the same resources the same way.
        const auto describe = [](const QList<ApiResource> &resources) {
            QStringList out;
            for (const ApiResource &r : resources) {
                out.append(r.group % u'/' % r.version % u'/' % r.resource % u' ' % r.singular % u' ' %
                           r.kind % (r.namespaced ? u" ns "_s : u" cluster "_s) % r.shortNames.join(u',') %
                           u' ' % r.verbs.join(u',') % u' ' % r.categories.join(u','));
            }
            out.sort();
            return out;
        };
        QVERIFY(!legacy.resources.isEmpty());
        QCOMPARE(describe(legacy.resources), describe(aggregated.resources));
    }

    void discovery_reports_an_unknown_token_as_auth()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context));
        context.user.token = "not-a-token-the-sim-knows";
        ApiClient client(context);
        const Discovered d = discover(client);
        QCOMPARE(d.calls, 1);
        QVERIFY(d.error);
        QCOMPARE(d.error->kind, StreamError::Kind::Auth);
        QCOMPARE(d.error->httpCode, 401);
        QVERIFY(d.resources.isEmpty());
    }

    void discovery_reports_an_unreachable_server_as_network()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"clusterwatch-sim"_s, &context));
        QUrl server = context.cluster.server;
        server.setPort(closedPort());
        context.cluster.server = server;
        ApiClient client(context);
        const Discovered d = discover(client);
        QCOMPARE(d.calls, 1);
        QVERIFY(d.error);
        QCOMPARE(d.error->kind, StreamError::Kind::Network);
    }

    void discovery_reports_a_missing_exec_plugin_once()
    {
        ResolvedContext context;
        QVERIFY(resolve(u"exec-missing"_s, &context));
        ApiClient client(context);
        const Discovered d = discover(client);
        QCOMPARE(d.calls, 1);
        QVERIFY(d.error);
        QCOMPARE(d.error->kind, StreamError::Kind::Auth);
        QVERIFY(d.error->message.contains(installHint));
    }

    void resolve_resource_like_kubectl_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("group");    // expected
        QTest::addColumn<QString>("resource"); // expected; empty: not resolvable
        QTest::newRow("short name") << u"po"_s << QString() << u"pods"_s;
        QTest::newRow("plural") << u"pods"_s << QString() << u"pods"_s;
        QTest::newRow("singular") << u"pod"_s << QString() << u"pods"_s;
        QTest::newRow("kind") << u"Pod"_s << QString() << u"pods"_s;
        QTest::newRow("upper case plural") << u"PODS"_s << QString() << u"pods"_s;
        QTest::newRow("short name in apps") << u"deploy"_s << u"apps"_s << u"deployments"_s;
        QTest::newRow("kind in apps") << u"Deployment"_s << u"apps"_s << u"deployments"_s;
        QTest::newRow("resource.group") << u"deployments.apps"_s << u"apps"_s << u"deployments"_s;
        QTest::newRow("short name.group") << u"deploy.apps"_s << u"apps"_s << u"deployments"_s;
        QTest::newRow("resource.version.group") << u"deployments.v1.apps"_s << u"apps"_s << u"deployments"_s;
        QTest::newRow("ev prefers the core group") << u"ev"_s << QString() << u"events"_s;
        QTest::newRow("events prefers the core group") << u"events"_s << QString() << u"events"_s;
        QTest::newRow("dotted group") << u"events.events.k8s.io"_s << u"events.k8s.io"_s << u"events"_s;
        QTest::newRow("short name with dotted group")
            << u"ev.events.k8s.io"_s << u"events.k8s.io"_s << u"events"_s;
        QTest::newRow("version and dotted group")
            << u"event.v1.events.k8s.io"_s << u"events.k8s.io"_s << u"events"_s;
        QTest::newRow("version not served") << u"deployments.v2.apps"_s << QString() << QString();
        QTest::newRow("unknown") << u"unknown"_s << QString() << QString();
        QTest::newRow("unknown group") << u"pods.example.com"_s << QString() << QString();
        QTest::newRow("empty") << QString() << QString() << QString();
    }

    void resolve_resource_like_kubectl()
    {
        QFETCH(QString, name);
        QFETCH(QString, group);
        QFETCH(QString, resource);
        if (m_resources.isEmpty()) {
            ResolvedContext context;
            QVERIFY(resolve(u"clusterwatch-sim"_s, &context));
            ApiClient client(context);
            m_resources = discover(client).resources;
            QVERIFY(!m_resources.isEmpty());
        }
        QString error = u"stale"_s;
        const auto found = resolveResource(m_resources, name, &error);
        if (resource.isEmpty()) {
            QVERIFY(!found);
            QVERIFY(!error.isEmpty());
            QVERIFY(error != u"stale"_s);
            if (!name.isEmpty())
                QVERIFY2(error.contains(name), qPrintable(error));
            return;
        }
        QVERIFY2(found, qPrintable(error));
        QCOMPARE(found->group, group);
        QCOMPARE(found->resource, resource);
        QVERIFY(error.isEmpty());
    }

    void resolve_resource_reports_true_ambiguity()
    {
        const auto make = [](const QString &group, const QString &plural, const QStringList &shortNames) {
            ApiResource r;
            r.group = group;
            r.version = u"v1"_s;
            r.resource = plural;
            r.singular = plural.chopped(1);
            r.kind = plural.at(0).toUpper() + plural.mid(1).chopped(1);
            r.shortNames = shortNames;
            return r;
        };
        const QList<ApiResource> resources{
            make(u"a.example.com"_s, u"widgets"_s, {u"wd"_s}),
            make(u"b.example.com"_s, u"widgets"_s, {u"wd"_s}),
            make(u"tools.example.com"_s, u"gadgets"_s, {}),
            make(u"apps"_s, u"gadgets"_s, {}),
            make(u"tools.example.com"_s, u"things"_s, {}),
            make(QString(), u"things"_s, {}),
        };
        QString error;
        QVERIFY(!resolveResource(resources, u"widgets"_s, &error));
        QVERIFY2(error.contains(u"widgets.a.example.com"_s) && error.contains(u"widgets.b.example.com"_s),
                 qPrintable(error));
        QVERIFY(!resolveResource(resources, u"wd"_s, &error));
        QVERIFY(error.contains(u"ambiguous"_s));

        const auto qualified = resolveResource(resources, u"wd.b.example.com"_s, &error);
        QVERIFY2(qualified, qPrintable(error));
        QCOMPARE(qualified->group, u"b.example.com"_s);
        const auto apps = resolveResource(resources, u"gadgets"_s, &error);
        QVERIFY2(apps, qPrintable(error));
        QCOMPARE(apps->group, u"apps"_s);
        const auto core = resolveResource(resources, u"Thing"_s, &error);
        QVERIFY2(core, qPrintable(error));
        QCOMPARE(core->group, QString());
    }
};

CW_TEST(TestApiClient)
#include "tst_apiclient.moc"
