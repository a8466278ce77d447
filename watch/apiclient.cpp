// SPDX-License-Identifier: Apache-2.0
#include "apiclient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QNetworkProxy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>

#ifndef CLUSTERWATCH_VERSION
#define CLUSTERWATCH_VERSION "dev"
#endif

namespace cw::watch {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

// Projected service-account tokens rotate without a 401 first; client-go re-reads the file every minute.
constexpr auto tokenFileMaxAge = 1min;

StreamError configError(const QString &message)
{
    return StreamError{StreamError::Kind::Config, 0, {}, message};
}

// kubeconfig keys come as PKCS#1 (RSA), SEC1 (EC) or PKCS#8 (either): the PEM alone does not say which
// algorithm to ask Qt for, so try both.
QSslKey readPrivateKey(const QByteArray &pem)
{
    for (const auto algorithm : {QSsl::Rsa, QSsl::Ec}) {
        QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            return key;
    }
    return {};
}

// Puts a client certificate (with any intermediates after it) and its key into `tls`; the error names
// only what is wrong, never the PEM.
std::optional<QString> applyClientCertificate(QSslConfiguration &tls, const QByteArray &certPem,
                                              const QByteArray &keyPem, const QString &origin)
{
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certPem, QSsl::Pem);
    if (chain.isEmpty() || chain.first().isNull())
        return origin % u": the client certificate is not a PEM certificate"_s;
    const QSslKey key = readPrivateKey(keyPem);
    if (key.isNull())
        return origin % u": the client key is not an unencrypted RSA or EC private key in PEM form"_s;
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    return std::nullopt;
}

std::variant<QNetworkProxy, QString> proxyFor(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    QNetworkProxy::ProxyType type = QNetworkProxy::HttpProxy;
    int defaultPort = 80;
    if (scheme == "socks5"_L1 || scheme == "socks5h"_L1) {
        type = QNetworkProxy::Socks5Proxy;
        defaultPort = 1080;
    } else if (scheme != "http"_L1) {
        // Qt speaks plain HTTP to a proxy; sending CONNECT in clear text to a TLS port fails obscurely.
        return u"proxy-url: scheme \""_s % scheme % u"\" is not supported; use http or socks5"_s;
    }
    if (url.host().isEmpty())
        return u"proxy-url has no host"_s;
    return QNetworkProxy(type, url.host(), quint16(url.port(defaultPort)), url.userName(QUrl::FullyDecoded),
                         url.password(QUrl::FullyDecoded));
}

// Go's query parser reads '+' as a space and QUrlQuery leaves it alone, so every key and value is
// percent-encoded in full (selectors, continue tokens).
QString encodeQuery(const QUrlQuery &query)
{
    QByteArray out;
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(key);
        out += '=';
        out += QUrl::toPercentEncoding(value);
    }
    return QString::fromLatin1(out);
}

} // namespace

struct ApiClient::Private
{
    QSslConfiguration tls;                 // CA, verification mode and the static client certificate
    std::optional<StreamError> setupError; // a kubeconfig value that cannot be used; every get() reports it
    QByteArray token;                      // current bearer token (static or from tokenFile)
    bool tokenRejected = false;            // re-read tokenFile before the next request
    QElapsedTimer tokenAge;                // since tokenFile was last read
    // The exec plugin's certificate as last applied: parsing PEM on every request would be wasted work.
    QByteArray execCertPem, execKeyPem;
    QSslConfiguration execTls;

    void refreshTokenFile(const QString &path)
    {
        if (path.isEmpty())
            return;
        if (!tokenRejected && tokenAge.isValid() &&
            tokenAge.elapsed() < std::chrono::milliseconds(tokenFileMaxAge).count())
            return;
        tokenRejected = false;
        tokenAge.start();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return; // keep the last good token: a rotation may be in progress, a 401 will tell
        const QByteArray fresh = file.readAll().trimmed();
        if (!fresh.isEmpty())
            token = fresh;
    }
};

ApiClient::ApiClient(ResolvedContext context, QObject *parent)
    : QObject(parent), m_context(std::move(context)), m_network(this), d(std::make_unique<Private>())
{
    const ClusterInfo &cluster = m_context.cluster;
    const UserInfo &user = m_context.user;

    // Watches run for many minutes and the engine has its own stall timer.
    m_network.setTransferTimeout(0);
    // Keep the default proxy (the application's choice) unless the kubeconfig names one.
    if (!cluster.proxyUrl.isEmpty()) {
        auto proxy = proxyFor(cluster.proxyUrl);
        if (const auto *problem = std::get_if<QString>(&proxy))
            d->setupError = configError(*problem);
        else
            m_network.setProxy(std::get<QNetworkProxy>(proxy));
    }

    d->tls = QSslConfiguration::defaultConfiguration();
    d->tls.setProtocol(QSsl::TlsV1_2OrLater);
    // Watches rely on HTTP/1.1 chunked streaming; never negotiate h2.
    d->tls.setAllowedNextProtocols({QSslConfiguration::NextProtocolHttp1_1});
    if (!cluster.caPem.isEmpty()) {
        const QList<QSslCertificate> cas = QSslCertificate::fromData(cluster.caPem, QSsl::Pem);
        if (cas.isEmpty())
            d->setupError = configError(u"cluster \""_s % cluster.name %
                                        u"\": certificate-authority holds no PEM certificate"_s);
        // Replaces the system store: a cluster CA is all this server may be trusted by.
        d->tls.setCaCertificates(cas);
    }
    if (cluster.insecureSkipTlsVerify)
        d->tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    if (!user.clientCertPem.isEmpty()) {
        if (auto problem = applyClientCertificate(d->tls, user.clientCertPem, user.clientKeyPem,
                                                  u"user \""_s % user.name % u"\""_s))
            d->setupError = configError(*problem);
    }

    d->token = user.token;
    if (!user.tokenFile.isEmpty())
        d->tokenAge.start(); // kubeconfig resolution has just read it
    // Like kubectl, a static credential wins: the plugin is then never run.
    const bool hasStatic = !user.token.isEmpty() || !user.tokenFile.isEmpty() || !user.username.isEmpty() ||
                           !user.clientCertPem.isEmpty();
    if (user.exec && !hasStatic)
        m_exec = std::make_unique<ExecCredentialProvider>(*user.exec, cluster);
}

ApiClient::~ApiClient() = default;

bool ApiClient::insecure() const
{
    return m_context.cluster.insecureSkipTlsVerify;
}

void ApiClient::credentialsRejected()
{
    d->tokenRejected = true;
    if (m_exec)
        m_exec->invalidate();
}

QNetworkReply *ApiClient::get(const QString &path, const QUrlQuery &query, const QByteArray &accept,
                              StreamError *error)
{
    if (d->setupError) {
        if (error)
            *error = *d->setupError;
        return nullptr;
    }
    const UserInfo &user = m_context.user;

    QUrl url = m_context.cluster.server;
    QString prefix = url.path();
    while (prefix.endsWith(u'/'))
        prefix.chop(1);
    url.setPath(prefix % (path.startsWith(u'/') ? QString() : u"/"_s) % path);
    url.setQuery(encodeQuery(query));

    QNetworkRequest request(url);
    request.setRawHeader("User-Agent", QByteArrayLiteral("clusterwatch/" CLUSTERWATCH_VERSION));
    request.setRawHeader("Accept", accept);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    // Kubernetes clients never follow redirects: a 3xx is the caller's to judge, credentials stay put.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    if (!m_context.cluster.tlsServerName.isEmpty())
        request.setPeerVerifyName(m_context.cluster.tlsServerName);

    QSslConfiguration tls = d->tls;
    if (!user.tokenFile.isEmpty())
        d->refreshTokenFile(user.tokenFile);
    if (!d->token.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + d->token);
    } else if (!user.username.isEmpty()) {
        const QByteArray pair = user.username.toUtf8() + ':' + user.password;
        request.setRawHeader("Authorization", "Basic " + pair.toBase64());
    } else if (m_exec) {
        auto result = m_exec->get(); // blocks while the plugin runs; we are on the watch thread
        if (const auto *failure = std::get_if<ExecError>(&result)) {
            if (error)
                *error = StreamError{StreamError::Kind::Auth, 0, {}, failure->message};
            return nullptr;
        }
        const ExecCredential &credential = std::get<ExecCredential>(result);
        if (!credential.token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + credential.token);
        if (!credential.clientCertPem.isEmpty()) {
            if (credential.clientCertPem != d->execCertPem || credential.clientKeyPem != d->execKeyPem) {
                QSslConfiguration fresh = d->tls;
                if (auto problem =
                        applyClientCertificate(fresh, credential.clientCertPem, credential.clientKeyPem,
                                               u"exec plugin \""_s % user.exec->command % u"\""_s)) {
                    if (error)
                        *error = StreamError{StreamError::Kind::Auth, 0, {}, *problem};
                    return nullptr;
                }
                d->execCertPem = credential.clientCertPem;
                d->execKeyPem = credential.clientKeyPem;
                d->execTls = fresh;
            }
            // Qt pools connections per host, so keep-alive connections that are already open go on
            // presenting the previous certificate; only new connections carry a rotated one.
            tls = d->execTls;
        }
    }
    if (url.scheme() == "https"_L1)
        request.setSslConfiguration(tls);
    return m_network.get(request);
}

} // namespace cw::watch
