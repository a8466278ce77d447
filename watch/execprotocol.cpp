// SPDX-License-Identifier: Apache-2.0
#include "execprotocol.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace cw::watch {

using namespace Qt::StringLiterals;

namespace {

// Values from the plugin are only echoed when they look like an API version or kind, never free text.
QString describeValue(const QJsonValue &value)
{
    static const QRegularExpression safe(u"^[A-Za-z0-9./_-]{1,80}$"_s);
    if (value.isString() && safe.match(value.toString()).hasMatch())
        return u'"' % value.toString() % u'"';
    if (value.isUndefined() || (value.isString() && value.toString().isEmpty()))
        return u"nothing"_s;
    return u"an unexpected value"_s;
}

std::optional<QByteArray> optionalString(const QJsonObject &object, const QString &key, QString *problem)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return QByteArray();
    if (!value.isString()) {
        *problem = u"status."_s % key % u" is not a string"_s;
        return std::nullopt;
    }
    return value.toString().toUtf8();
}

} // namespace

QByteArray execInfoJson(const ExecConfig &config, const ClusterInfo &cluster)
{
    QJsonObject spec{{u"interactive"_s, false}};
    if (config.provideClusterInfo) {
        // Field names and omit-when-empty rules of client.authentication.k8s.io Cluster.
        QJsonObject info{{u"server"_s, cluster.server.toString(QUrl::FullyEncoded)}};
        if (!cluster.tlsServerName.isEmpty())
            info.insert(u"tls-server-name"_s, cluster.tlsServerName);
        if (cluster.insecureSkipTlsVerify)
            info.insert(u"insecure-skip-tls-verify"_s, true);
        if (!cluster.caPem.isEmpty())
            info.insert(u"certificate-authority-data"_s, QString::fromLatin1(cluster.caPem.toBase64()));
        if (!cluster.proxyUrl.isEmpty())
            info.insert(u"proxy-url"_s, cluster.proxyUrl.toString(QUrl::FullyEncoded));
        spec.insert(u"cluster"_s, info);
    }
    const QJsonObject credential{
        {u"apiVersion"_s, config.apiVersion}, {u"kind"_s, u"ExecCredential"_s}, {u"spec"_s, spec}};
    return QJsonDocument(credential).toJson(QJsonDocument::Compact);
}

std::variant<ExecCredential, QString> parseExecCredential(const QByteArray &output, const QString &apiVersion)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(output, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        if (output.trimmed().isEmpty())
            return u"printed nothing on stdout"_s;
        return u"printed something that is not JSON ("_s % parseError.errorString() % u" at offset "_s %
               QString::number(parseError.offset) % u')';
    }
    if (!document.isObject())
        return u"printed JSON that is not an ExecCredential object"_s;
    const QJsonObject root = document.object();
    if (root.value("kind"_L1).toString() != "ExecCredential"_L1)
        return u"printed kind "_s % describeValue(root.value("kind"_L1)) % u" instead of ExecCredential"_s;
    if (root.value("apiVersion"_L1).toString() != apiVersion) {
        return u"answered with apiVersion "_s % describeValue(root.value("apiVersion"_L1)) %
               u" but the kubeconfig asks for \""_s % apiVersion % u'"';
    }
    const QJsonValue statusValue = root.value("status"_L1);
    if (!statusValue.isObject())
        return u"returned no status"_s;
    const QJsonObject status = statusValue.toObject();

    QString problem;
    const auto token = optionalString(status, u"token"_s, &problem);
    const auto cert = token ? optionalString(status, u"clientCertificateData"_s, &problem) : std::nullopt;
    const auto key = cert ? optionalString(status, u"clientKeyData"_s, &problem) : std::nullopt;
    if (!key)
        return problem;
    if (token->isEmpty() && cert->isEmpty() && key->isEmpty())
        return u"returned neither a token nor a client certificate and key"_s;
    if (cert->isEmpty() != key->isEmpty()) {
        return cert->isEmpty() ? u"returned a client key without a certificate"_s
                               : u"returned a client certificate without a key"_s;
    }
    if (!cert->isEmpty() && (!cert->contains("-----BEGIN ") || !key->contains("-----BEGIN ")))
        return u"returned clientCertificateData or clientKeyData that is not PEM"_s;

    ExecCredential credential;
    credential.token = *token;
    credential.clientCertPem = *cert;
    credential.clientKeyPem = *key;
    const QJsonValue expiry = status.value("expirationTimestamp"_L1);
    if (!expiry.isUndefined() && !expiry.isNull()) {
        credential.expiry = QDateTime::fromString(expiry.toString(), Qt::ISODateWithMs);
        // RFC 3339 always carries an offset; a time without one would silently be read as local time.
        if (!credential.expiry.isValid() || credential.expiry.timeSpec() == Qt::LocalTime)
            return u"returned a status.expirationTimestamp that is not an RFC 3339 time"_s;
        credential.expiry = credential.expiry.toUTC();
    }
    return credential;
}

QList<QByteArray> secretsInExecOutput(const QByteArray &output)
{
    QList<QByteArray> secrets;
    const QJsonDocument document = QJsonDocument::fromJson(output);
    if (document.isObject()) {
        const QJsonObject status = document.object().value("status"_L1).toObject();
        for (const auto key : {"token"_L1, "clientKeyData"_L1, "clientCertificateData"_L1}) {
            const QString value = status.value(key).toString();
            if (!value.isEmpty())
                secrets.append(value.toUtf8());
        }
        return secrets;
    }
    // Not an ExecCredential: any longer word in it might be the credential.
    for (const QByteArray &word : output.simplified().split(' ')) {
        QByteArray bare = word;
        while (!bare.isEmpty() && QByteArrayView("\"',:{}[]").contains(bare.back()))
            bare.chop(1);
        while (!bare.isEmpty() && QByteArrayView("\"',:{}[]").contains(bare.front()))
            bare.remove(0, 1);
        if (bare.size() >= 8)
            secrets.append(bare);
    }
    return secrets;
}

} // namespace cw::watch
