// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "execcredential.h"
#include "kubeconfig.h"
#include "watchtypes.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QObject>
#include <QUrlQuery>

#include <memory>

namespace cw::watch {

// HTTP access to one cluster: TLS (CA, client certificate, tls-server-name, insecure-skip-tls-verify),
// credentials (token, tokenFile, basic, exec plugin), proxy-url. Lives in its cluster's watch thread.
class ApiClient : public QObject
{
    Q_OBJECT
public:
    explicit ApiClient(ResolvedContext context, QObject *parent = nullptr);
    ~ApiClient() override;

    // A GET with the right credentials and TLS settings; the caller owns the reply. nullptr when no
    // credentials could be had (exec plugin failed...): *error says why, without any credential in it.
    QNetworkReply *get(const QString &path, const QUrlQuery &query = {}, const QByteArray &accept = "application/json",
                       StreamError *error = nullptr);
    // After a 401: the next request re-reads tokenFile / re-runs the exec plugin (once per rejection).
    void credentialsRejected();
    bool insecure() const;
    const ResolvedContext &context() const { return m_context; }
    QNetworkAccessManager *network() { return &m_network; }

private:
    ResolvedContext m_context;
    QNetworkAccessManager m_network;
    std::unique_ptr<ExecCredentialProvider> m_exec;
    struct Private;
    std::unique_ptr<Private> d;
};

// Discovery: every served resource with its preferred version (CRDs included). Asynchronous: `done` is
// called once, in the client's thread.
void discoverResources(ApiClient *client, std::function<void(QList<ApiResource>, std::optional<StreamError>)> done);
// kubectl's name resolution: plural, singular, short name, kind (any case), "resource.group",
// "resource.version.group". nullopt when unknown or ambiguous (*error says which).
std::optional<ApiResource> resolveResource(const QList<ApiResource> &resources, const QString &name, QString *error);

} // namespace cw::watch
