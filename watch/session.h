// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "backoff.h"
#include "kubeconfig.h"
#include "watchtypes.h"

#include <QObject>
#include <QThread>

#include <memory>

namespace cw::watch {

struct SessionOptions
{
    bool keepManagedFields = false; // server-side-apply bookkeeping: 30–40 % of an object, shown nowhere
    int coalesceMs = 50;            // at most 20 batches a second per stream reach consumers
    int listPageSize = 500;         // client-go's and kube-rs's page size
    // No byte for this long means the stream is stalled (bookmarks come about every 60 s).
    int stallTimeoutMs = 90'000;
    bool streamingLists = false;    // sendInitialEvents where the server has it (falls back on 422)
    quint32 seed = 0;               // backoff jitter and watch timeouts; 0: random
    // client-go's delays by default; tests shorten them so that recoveries take milliseconds, not seconds.
    Backoff::Config backoff;
};

// One cluster: its own watch thread, where all network work and store writes happen, and two decode threads
// beside it for the watch streams' JSON. Lives on the caller's thread (the UI thread in the app); everything
// it emits arrives there queued.
class ClusterSession : public QObject
{
    Q_OBJECT
public:
    explicit ClusterSession(ResolvedContext context, SessionOptions options = {}, QObject *parent = nullptr);
    ~ClusterSession() override; // stops every stream and joins the threads

    QString contextName() const;
    // Served resources; answered by `discovered`.
    void discover();
    // Starts an informer for spec; returns its stream id (spec.id()). Watching the same spec twice is a no-op.
    QString watch(const ResourceSpec &spec);
    void stop(const QString &stream);
    void stopAll();
    // A fresh LIST diffed against the store, without replacing it; answered by `verified`.
    void verify(const QString &stream);
    // GET of one object of the stream's resource, whole (managedFields included); answered by `fetched`.
    void fetch(const QString &stream, const QString &ns, const QString &name);
    // From the app's network / suspend watchers: mark everything stale now, re-establish at once on return.
    void networkLost();
    void networkRestored();

signals:
    void discovered(const QList<cw::watch::ApiResource> &resources, const std::optional<cw::watch::StreamError> &error);
    void batchReady(const cw::watch::Batch &batch);
    // Exactly once per stream, after its last batch.
    void streamFinished(const QString &stream, const std::optional<cw::watch::StreamError> &error);
    void verified(const cw::watch::VerifyResult &result);
    void fetched(const cw::watch::FetchResult &result);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace cw::watch
