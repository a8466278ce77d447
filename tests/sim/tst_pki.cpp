// SPDX-License-Identifier: Apache-2.0
#include "pki.h"
#include "testmain.h"

#include <QDateTime>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace cw::sim;

namespace {

// The accept path the sim uses: a plain QTcpServer whose descriptors become server-side QSslSockets.
class TlsServer : public QTcpServer
{
    Q_OBJECT
public:
    explicit TlsServer(const QSslConfiguration &config) : m_config(config) {}

    QSslCertificate peerCertificate;
    int encryptedCount = 0;

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QSslSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        socket->setSslConfiguration(m_config);
        connect(socket, &QSslSocket::encrypted, this, [this, socket] {
            peerCertificate = socket->peerCertificate();
            ++encryptedCount;
        });
        addPendingConnection(socket);
        socket->startServerEncryption();
    }

private:
    QSslConfiguration m_config;
};

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

struct ProcessResult
{
    int exitCode = -1;
    QString output;
};

ProcessResult runOpenssl(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(30000))
        return {};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromLocal8Bit(process.readAll())};
}

} // namespace

class TestPki : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("Qt has no TLS backend");
        QString error;
        auto generated = pki::generate(&error);
        QVERIFY2(generated, qPrintable(error));
        m_pki = *generated;
    }

    void generate_creates_a_ca_and_a_localhost_server_certificate()
    {
        const QSslCertificate ca(m_pki.caCertPem, QSsl::Pem);
        const QSslCertificate server(m_pki.serverCertPem, QSsl::Pem);
        QVERIFY(!ca.isNull());
        QVERIFY(!server.isNull());
        QVERIFY(ca.isSelfSigned());
        QCOMPARE(ca.subjectInfo(QSslCertificate::CommonName),
                 QStringList{QStringLiteral("clusterwatch-sim-ca")});
        QCOMPARE(server.issuerDisplayName(), QStringLiteral("clusterwatch-sim-ca"));

        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(ca.effectiveDate() <= now.addSecs(-50 * 60));
        QVERIFY(ca.expiryDate() >= now.addDays(360));
        QVERIFY(server.effectiveDate() <= now.addSecs(-50 * 60));
        QVERIFY(server.expiryDate() <= ca.expiryDate());

        const auto sans = server.subjectAlternativeNames();
        QVERIFY(sans.values(QSsl::DnsEntry).contains(QStringLiteral("localhost")));
        const QStringList ips = sans.values(QSsl::IpAddressEntry);
        QVERIFY2(ips.contains(QStringLiteral("127.0.0.1")), qPrintable(ips.join(QLatin1Char(' '))));
        QVERIFY2(ips.contains(QStringLiteral("0:0:0:0:0:0:0:1")) || ips.contains(QStringLiteral("::1")),
                 qPrintable(ips.join(QLatin1Char(' '))));

        const QSslKey key(m_pki.serverKeyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
        QVERIFY(!key.isNull());
        QCOMPARE(key.length(), 256);
    }

    void tls_handshake_with_client_certificate_authenticates_user_and_groups()
    {
        const QStringList groups{QStringLiteral("developers"), QStringLiteral("system:masters")};
        QString error;
        const auto issued = pki::issueClientCert(m_pki, QStringLiteral("jane"), groups, &error);
        QVERIFY2(issued, qPrintable(error));

        TlsServer server(pki::serverConfiguration(m_pki));
        QVERIFY(server.listen(QHostAddress::LocalHost));

        QSslConfiguration clientConfig = QSslConfiguration::defaultConfiguration();
        clientConfig.setCaCertificates({QSslCertificate(m_pki.caCertPem, QSsl::Pem)});
        clientConfig.setLocalCertificate(QSslCertificate(issued->certPem, QSsl::Pem));
        clientConfig.setPrivateKey(QSslKey(issued->keyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey));
        clientConfig.setPeerVerifyMode(QSslSocket::VerifyPeer);
        // Offer h2 like kubectl does; the server must still settle on HTTP/1.1 (no ALPN answer).
        clientConfig.setAllowedNextProtocols(
            {QSslConfiguration::ALPNProtocolHTTP2, QSslConfiguration::NextProtocolHttp1_1});
        QSslSocket client;
        client.setSslConfiguration(clientConfig);
        QSignalSpy encrypted(&client, &QSslSocket::encrypted);
        QSignalSpy sslErrors(&client, &QSslSocket::sslErrors);

        // 127.0.0.1 as the peer name: hostname verification has to match the IP SAN.
        client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.serverPort());
        QTRY_COMPARE_WITH_TIMEOUT(encrypted.size(), 1, 10000);
        QCOMPARE(sslErrors.size(), 0);
        QVERIFY(client.sessionProtocol() == QSsl::TlsV1_2 || client.sessionProtocol() == QSsl::TlsV1_3);
        QVERIFY(client.sslConfiguration().nextNegotiatedProtocol().isEmpty());

        QTRY_COMPARE_WITH_TIMEOUT(server.encryptedCount, 1, 10000);
        QVERIFY(!server.peerCertificate.isNull());
        const auto identity = pki::verifyClientCert(m_pki, server.peerCertificate.toDer());
        QVERIFY(identity);
        QCOMPARE(identity->user, QStringLiteral("jane"));
        QCOMPARE(identity->groups, groups);
    }

    void tls_handshake_without_client_certificate_is_allowed()
    {
        TlsServer server(pki::serverConfiguration(m_pki));
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QSslConfiguration clientConfig = QSslConfiguration::defaultConfiguration();
        clientConfig.setCaCertificates({QSslCertificate(m_pki.caCertPem, QSsl::Pem)});
        QSslSocket client;
        client.setSslConfiguration(clientConfig);
        QSignalSpy encrypted(&client, &QSslSocket::encrypted);
        client.connectToHostEncrypted(QStringLiteral("localhost"), server.serverPort());
        QTRY_COMPARE_WITH_TIMEOUT(encrypted.size(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(server.encryptedCount, 1, 10000);
        QVERIFY(server.peerCertificate.isNull());
    }

    void certificate_from_another_ca_is_rejected()
    {
        QString error;
        const auto other = pki::generate(&error);
        QVERIFY2(other, qPrintable(error));
        const auto foreign = pki::issueClientCert(*other, QStringLiteral("mallory"), {}, &error);
        QVERIFY2(foreign, qPrintable(error));
        const QSslCertificate cert(foreign->certPem, QSsl::Pem);
        QVERIFY(pki::verifyClientCert(*other, cert.toDer()));
        QVERIFY(!pki::verifyClientCert(m_pki, cert.toDer()));
    }

    void server_certificate_is_not_a_client_certificate()
    {
        const QSslCertificate server(m_pki.serverCertPem, QSsl::Pem);
        QVERIFY(!pki::verifyClientCert(m_pki, server.toDer()));
    }

    void garbage_der_is_rejected()
    {
        QVERIFY(!pki::verifyClientCert(m_pki, QByteArray()));
        QVERIFY(!pki::verifyClientCert(m_pki, QByteArrayLiteral("\x30\x03\x02\x01\x00")));
    }

    void client_certificate_needs_a_user()
    {
        QString error;
        QVERIFY(!pki::issueClientCert(m_pki, QString(), {QStringLiteral("developers")}, &error));
        QCOMPARE(error, QStringLiteral("a client certificate needs a user name"));
    }

    void from_ca_files_round_trips_through_files()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString certPath = dir.filePath(QStringLiteral("ca.crt"));
        const QString keyPath = dir.filePath(QStringLiteral("ca.key"));
        QVERIFY(writeFile(certPath, m_pki.caCertPem));
        QVERIFY(writeFile(keyPath, m_pki.caKeyPem));

        QString error;
        const auto loaded = pki::fromCaFiles(certPath, keyPath, &error);
        QVERIFY2(loaded, qPrintable(error));
        QCOMPARE(loaded->caCertPem, m_pki.caCertPem);
        // Not QCOMPARE: a failure would print the key.
        QVERIFY(loaded->caKeyPem == m_pki.caKeyPem);
        QVERIFY(loaded->serverCertPem != m_pki.serverCertPem);

        // Certificates issued by the loaded CA verify against the original and vice versa.
        const auto issued =
            pki::issueClientCert(*loaded, QStringLiteral("ops"), {QStringLiteral("admins")}, &error);
        QVERIFY2(issued, qPrintable(error));
        const auto identity =
            pki::verifyClientCert(m_pki, QSslCertificate(issued->certPem, QSsl::Pem).toDer());
        QVERIFY(identity);
        QCOMPARE(identity->user, QStringLiteral("ops"));
        QCOMPARE(identity->groups, QStringList{QStringLiteral("admins")});
    }

    void from_ca_files_reports_a_clear_error_data()
    {
        QTest::addColumn<QString>("certFile");
        QTest::addColumn<QString>("keyFile");
        QTest::addColumn<QString>("expected"); // %1 is the temporary directory

        QTest::newRow("missing certificate file")
            << QStringLiteral("missing.crt") << QStringLiteral("ca.key")
            << QStringLiteral("cannot read CA certificate file %1/missing.crt: No such file or directory");
        QTest::newRow("missing key file")
            << QStringLiteral("ca.crt") << QStringLiteral("missing.key")
            << QStringLiteral("cannot read CA key file %1/missing.key: No such file or directory");
        QTest::newRow("garbage certificate file")
            << QStringLiteral("garbage") << QStringLiteral("ca.key")
            << QStringLiteral("CA certificate file %1/garbage does not contain a PEM certificate");
        QTest::newRow("garbage key file")
            << QStringLiteral("ca.crt") << QStringLiteral("garbage")
            << QStringLiteral("CA key file %1/garbage does not contain an unencrypted PEM private key");
        QTest::newRow("key of another CA")
            << QStringLiteral("ca.crt") << QStringLiteral("other.key")
            << QStringLiteral("CA key file %1/other.key does not belong to the certificate in %1/ca.crt");
        QTest::newRow("server certificate instead of a CA")
            << QStringLiteral("server.crt") << QStringLiteral("server.key")
            << QStringLiteral("certificate in %1/server.crt is not a CA certificate");
    }

    void from_ca_files_reports_a_clear_error()
    {
        QFETCH(QString, certFile);
        QFETCH(QString, keyFile);
        QFETCH(QString, expected);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString error;
        const auto other = pki::generate(&error);
        QVERIFY2(other, qPrintable(error));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("ca.crt")), m_pki.caCertPem));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("ca.key")), m_pki.caKeyPem));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("other.key")), other->caKeyPem));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("server.crt")), m_pki.serverCertPem));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("server.key")), m_pki.serverKeyPem));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("garbage")), QByteArrayLiteral("this is not PEM\n")));

        QVERIFY(!pki::fromCaFiles(dir.filePath(certFile), dir.filePath(keyFile), &error));
        const QString prefix = expected.arg(dir.path());
        QVERIFY2(error.startsWith(prefix), qPrintable(error));
        QVERIFY2(!error.contains(QLatin1Char('\n')), qPrintable(error));
    }

    void openssl_cli_accepts_the_certificates()
    {
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            QSKIP("openssl command-line tool not installed");
        QString error;
        const auto client = pki::issueClientCert(m_pki, QStringLiteral("jane"), {}, &error);
        QVERIFY2(client, qPrintable(error));

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString caPath = dir.filePath(QStringLiteral("ca.crt"));
        const QString serverPath = dir.filePath(QStringLiteral("server.crt"));
        const QString clientPath = dir.filePath(QStringLiteral("client.crt"));
        QVERIFY(writeFile(caPath, m_pki.caCertPem));
        QVERIFY(writeFile(serverPath, m_pki.serverCertPem));
        QVERIFY(writeFile(clientPath, client->certPem));

        // -x509_strict applies the checks Python 3.13 enables by default (critical CA constraints, key ids).
        ProcessResult result = runOpenssl(openssl, {QStringLiteral("verify"), QStringLiteral("-x509_strict"),
                                                    QStringLiteral("-purpose"), QStringLiteral("sslserver"),
                                                    QStringLiteral("-CAfile"), caPath, serverPath});
        QVERIFY2(result.exitCode == 0, qPrintable(result.output));
        QVERIFY2(result.output.contains(QStringLiteral(": OK")), qPrintable(result.output));

        result = runOpenssl(openssl, {QStringLiteral("verify"), QStringLiteral("-x509_strict"),
                                      QStringLiteral("-purpose"), QStringLiteral("sslclient"),
                                      QStringLiteral("-CAfile"), caPath, clientPath});
        QVERIFY2(result.exitCode == 0, qPrintable(result.output));

        result =
            runOpenssl(openssl, {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-ext"),
                                 QStringLiteral("subjectAltName"), QStringLiteral("-in"), serverPath});
        QVERIFY2(result.exitCode == 0, qPrintable(result.output));
        QVERIFY2(result.output.contains(QStringLiteral("DNS:localhost")), qPrintable(result.output));
        QVERIFY2(result.output.contains(QStringLiteral("IP Address:127.0.0.1")), qPrintable(result.output));
        QVERIFY2(result.output.contains(QStringLiteral("IP Address:0:0:0:0:0:0:0:1")) ||
                     result.output.contains(QStringLiteral("IP Address:::1")),
                 qPrintable(result.output));
    }

private:
    Pki m_pki;
};

CW_TEST(TestPki)
#include "tst_pki.moc"
