// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "session.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <memory>
#include <vector>

namespace cw::watch {

class ApiClient;
class Informer;

// ClusterSession's half in the watch thread: owns the ApiClient and the informers, and turns what the
// informers report into coalesced batches. Everything here runs in the watch thread; the session reaches
// it through queued calls and receives its signals queued.
class SessionWorker : public QObject
{
    Q_OBJECT
public:
    // Watch reads are decoded in decodeThreads (none: in this worker's thread).
    SessionWorker(ResolvedContext context, SessionOptions options, QList<QThread *> decodeThreads = {});
    ~SessionWorker() override;

    void discover();
    void watch(const ResourceSpec &spec);
    void stop(const QString &stream);
    void stopAll();
    void verify(const QString &stream);
    void fetch(const QString &stream, const QString &ns, const QString &name);
    void networkLost();
    void networkRestored();
    // Before the thread ends: every stream stopped, its last batch and streamFinished emitted, all network
    // objects gone, in this thread.
    void shutdown();

signals:
    void discovered(const QList<cw::watch::ApiResource> &resources, const std::optional<cw::watch::StreamError> &error);
    void batchReady(const cw::watch::Batch &batch);
    void streamFinished(const QString &stream, const std::optional<cw::watch::StreamError> &error);
    void verified(const cw::watch::VerifyResult &result);
    void fetched(const cw::watch::FetchResult &result);

private:
    struct Stream
    {
        Informer *informer = nullptr;
        ApiClient *client = nullptr;
        QTimer *flushTimer = nullptr;
        qint64 lastEmitMs = -1;
        bool finishing = false;
        std::optional<StreamError> error;
    };
    // The client for discovery (the first one).
    ApiClient *client();
    // A client with room for one more long-lived watch connection.
    ApiClient *clientForStream();
    void schedule(const QString &id);
    void flush(const QString &id);
    void emitPending(Stream &stream);
    // A batch at least once a second per stream, so that consumers' counters and freshness stay current.
    void heartbeat();

    ResolvedContext m_context;
    SessionOptions m_options;
    QList<QThread *> m_decodeThreads;
    struct Client
    {
        std::unique_ptr<ApiClient> api;
        int streams = 0;
    };
    // Created on first use, so that they live in the watch thread. More than one because every open watch
    // holds an HTTP/1.1 connection and Qt allows six per host and QNetworkAccessManager.
    std::vector<Client> m_clients;
    QHash<QString, Stream> m_streams;
    QElapsedTimer m_clock;
    QTimer *m_heartbeat = nullptr; // created on first use, in the watch thread
    quint64 m_streamsStarted = 0;
    bool m_shutDown = false;
};

} // namespace cw::watch
