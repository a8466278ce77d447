// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "backoff.h"
#include "decodeworker.h"
#include "linedecoder.h"
#include "objectstore.h"
#include "retrywatcher_sm.h"
#include "streamhealth.h"
#include "watchtypes.h"

#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QThread>
#include <QTimer>
#include <QUrlQuery>

#include <memory>
#include <optional>

namespace cw::watch {

class ApiClient;

struct InformerOptions
{
    RetryWatcherConfig machine;
    // Tests shorten the delays; the app keeps client-go's.
    Backoff::Config backoff;
    bool keepManagedFields = false;
    // pendingFull() once the pending batch holds this many changes; 0: never.
    qsizetype pendingLimit = 0;
    quint64 seed = 1; // backoff jitter and watch timeouts, replayable
    // Where watch reads are decoded, side by side; none: in the informer's own thread, between its other work.
    QList<QThread *> decodeThreads;
};

// One stream: list, watch, and every recovery, in the watch thread. The retry watcher's transition function
// decides; this class only carries out its commands (requests, timers, the store) and reports what it
// observed as inputs. Consumers take what happened as batches (takeBatch) when `pending` says there is news.
class Informer : public QObject
{
    Q_OBJECT
public:
    Informer(ApiClient *client, ResourceSpec spec, InformerOptions options, QObject *parent = nullptr);
    ~Informer() override;

    QString stream() const { return m_stream; }
    const ResourceSpec &spec() const { return m_spec; }
    const ObjectStore &store() const { return m_store; }
    bool isFinished() const { return m_finished; }
    StreamState streamState() const;

    void start();
    void stop();
    void networkLost(bool suspended = false);
    void networkRestored(bool resumed = false);

    // Everything since the last call, in order. A reset batch's snapshot is the store's content now, so
    // its changes (a relist's recovered ones, and any that followed) are already reflected in it.
    Batch takeBatch();
    bool hasPending() const { return m_pendingSignalled; }
    // The counters now, as every batch carries them.
    StreamSample sample() const;

signals:
    // The pending batch went from empty to non-empty.
    void pending();
    // The pending batch reached InformerOptions::pendingLimit changes (once per batch).
    void pendingFull();
    // Exactly once, after the last change was put into the pending batch.
    void finished(const std::optional<cw::watch::StreamError> &error);

private:
    // How the driver describes an input for the health log; empty reason: nothing worth reporting.
    struct Fact
    {
        QString reason;
        QString detail;
        int httpCode = 0;
        bool failure = false;
        std::optional<StreamState> state; // the state to report instead of the machine's (e.g. Stalled)
    };
    struct Request
    {
        RequestId id = 0;
        bool watch = false;
        QPointer<QNetworkReply> reply;
        QByteArray body; // a list page, or the body of an error answer
        LineDecoder lines;
        int decoding = 0;           // reads out for decoding
        qint64 decodingBytes = 0;   // and their bytes
        bool finishWaiting = false; // the reply finished while reads were out: handled when they are back
        bool opened = false;
        qint64 startedMs = 0;
        qint64 events = 0;
        cmd::StartList list; // what a list request asked for: a prefetch serves only the very same command
        bool peeked = false; // the head of the list body was read for the next page's continue token
        // A prefetch only: the request whose body named its page, whether its reply already finished, and
        // its bytes, which count once it is adopted (a dropped prefetch leaves no trace).
        RequestId parent = 0;
        bool finished = false;
        qint64 lastByteMs = 0;
    };

    // informer.cpp: driving the state machine.
    void feed(const Input &input);
    void feed(const Input &input, const Fact &fact);
    void process(const Input &input, const Fact &fact);
    void execute(const Command &command);
    void relistEnded(const QString &rv);
    void report(HealthEvent event);
    void markPending();

    // informerio.cpp: requests and what their answers mean.
    void startRequest(RequestId id, bool watch, const QUrlQuery &query);
    void startList(const cmd::StartList &command);
    void connectReply(QNetworkReply *reply, RequestId id);
    void abortRequest(RequestId id);
    Request *current(RequestId id) const;
    std::unique_ptr<Request> release(RequestId id);
    void onMetaData(RequestId id);
    void onReadyRead(RequestId id);
    qint64 readListBody(Request &request, qint64 available);
    void readWatchBody(RequestId id, QByteArray &&buffer, qint64 size);
    void onDecoded();
    void applyDecoded(DecodedChunk &chunk);
    void onFinished(RequestId id);
    void openWatch(Request &request);
    void readLines(RequestId id, const QList<Line> &lines);
    void handleLine(RequestId id, const Line &line);
    void handleDecoded(RequestId id, qint64 lineOffset, DecodeResult &&decoded, qint64 receivedMs);
    void listFinished(std::unique_ptr<Request> request, int status, QNetworkReply::NetworkError error);
    void onIdle();
    // Prefetch: the next page requested as soon as the head of this one names it (informerio.cpp).
    void prefetchNext(Request &request);
    void onPrefetchReadyRead();
    bool adoptPrefetch(const cmd::StartList &command);
    void dropPrefetch();

    ApiClient *m_client;
    ResourceSpec m_spec;
    QString m_stream;
    InformerOptions m_options;
    SteadyClock m_clock;
    Backoff m_backoff;
    Random m_random;
    State m_state;
    StreamHealth m_health;
    ObjectStore m_store;

    std::unique_ptr<Request> m_request; // the one request the machine knows of
    // At most one speculative request for the page after m_request's, so that the server makes it while we
    // read and decode this one. The machine's next StartList adopts it, anything else drops it.
    std::unique_ptr<Request> m_prefetch;
    DecodeWorker *m_decoder = nullptr;  // decodes in InformerOptions::decodeThreads
    QList<QByteArray> m_spareBuffers;   // read buffers back from the decoder, for the next reads
    QTimer m_idleTimer;
    RequestId m_idleFor = 0;
    qint64 m_idleMs = 0;
    QTimer m_backoffTimer;

    bool m_collecting = false; // between RelistBegin and RelistEnd / RelistCancel
    QList<ObjectRef> m_relistItems;
    bool m_initialListDone = false;
    qint64 m_watchesStarted = 0;

    // Wall-clock facts for StreamSample.
    qint64 m_lastByteMs = 0;
    qint64 m_lastEventMs = 0;
    qint64 m_retryAtMs = 0;
    qint64 m_listTotal = -1;

    Batch m_pending;
    bool m_pendingSignalled = false;
    bool m_fullSignalled = false;

    bool m_feeding = false;
    QList<std::pair<Input, Fact>> m_queue; // inputs raised while a step's commands run
    Fact m_fact;                           // the input being processed
    qint64 m_stepMonoMs = 0;               // the clocks when that step began
    qint64 m_stepWallMs = 0;
    StreamState m_reportedState = StreamState::Connecting;
    int m_stepEvents = 0;
    std::optional<StreamError> m_fatal;
    bool m_finished = false;
};

} // namespace cw::watch
