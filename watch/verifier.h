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
    QNetworkReply *get(const QString &continueToken, StreamError *error = nullptr);
    void requestPage();
    void pageFinished();
    void finish(std::optional<StreamError> error);
    // The next page is asked for as soon as the head of this one names it (see Informer::prefetchNext).
    void prefetchNext();
    bool adoptNext();
    void dropNext();

    ApiClient *m_client;
    QPointer<Informer> m_informer;
    ResourceSpec m_spec;
    int m_pageSize;
    QPointer<QNetworkReply> m_reply;
    QString m_continue;
    bool m_peeked = false;           // the head of m_reply was read for the next page's token
    QPointer<QNetworkReply> m_next;  // the prefetched page, if any
    QString m_nextToken;             // the continue token it asked for
    bool m_nextFinished = false;     // it finished before it was adopted
    int m_restarts = 0;
    QList<ObjectRecord> m_items;
    VerifyResult m_result;
    bool m_done = false;
};

} // namespace cw::watch
