// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "watchtypes.h"

#include <QNetworkReply>
#include <QObject>
#include <QPointer>

namespace cw::watch {

class ApiClient;
class Informer;

// ClusterSession::verify(): a fresh, consistent LIST compared with an informer's store, which it leaves
// alone. Answers `done` once, then may be deleted.
class Verifier : public QObject
{
    Q_OBJECT
public:
    Verifier(ApiClient *client, Informer *informer, int pageSize, QObject *parent = nullptr);
    ~Verifier() override;
    void start();

signals:
    void done(const cw::watch::VerifyResult &result);

private:
    void requestPage();
    void pageFinished();
    void finish(std::optional<StreamError> error);

    ApiClient *m_client;
    QPointer<Informer> m_informer;
    ResourceSpec m_spec;
    int m_pageSize;
    QPointer<QNetworkReply> m_reply;
    QString m_continue;
    int m_restarts = 0;
    QList<ObjectRecord> m_items;
    VerifyResult m_result;
    bool m_done = false;
};

} // namespace cw::watch
