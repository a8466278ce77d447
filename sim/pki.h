// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QSslConfiguration>
#include <QString>
#include <QStringList>

#include <optional>

namespace cw::sim {

// The sim's TLS material, all PEM so it can be written straight into a kubeconfig or files.
struct Pki
{
    QByteArray caCertPem;
    QByteArray caKeyPem;
    QByteArray serverCertPem;
    QByteArray serverKeyPem;
};

struct IssuedCert
{
    QByteArray certPem;
    QByteArray keyPem;
};

// Who a client certificate authenticates, the way kube-apiserver reads it: CN is the user, each O a group.
struct ClientIdentity
{
    QString user;
    QStringList groups;
};

namespace pki {

// Fresh CA (CN "clusterwatch-sim-ca", valid ~1 year, backdated 1 hour so small clock skew does not matter)
// and a server certificate for IP 127.0.0.1, IP ::1 and DNS localhost. All keys are EC P-256.
std::optional<Pki> generate(QString *error);

// CA from PEM files (certificate + private key); a fresh server certificate is issued from it.
std::optional<Pki> fromCaFiles(const QString &certPath, const QString &keyPath, QString *error);

// Client certificate (clientAuth) with CN=user and one O per group, signed by the CA.
std::optional<IssuedCert> issueClientCert(const Pki &pki, const QString &user, const QStringList &groups,
                                          QString *error);

// The identity in a DER client certificate if this CA signed it, it is valid now and allows clientAuth;
// nullopt otherwise (including a certificate without CN, which the real server also rejects).
std::optional<ClientIdentity> verifyClientCert(const Pki &pki, const QByteArray &certDer);

// Server side of QSslSocket: certificate and key from pki, client certificates requested but optional
// (QueryPeer; check them with verifyClientCert), TLS 1.2 or later, no ALPN so clients stay on HTTP/1.1.
QSslConfiguration serverConfiguration(const Pki &pki);

} // namespace pki
} // namespace cw::sim
