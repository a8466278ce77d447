// SPDX-License-Identifier: Apache-2.0
#include "sessionworker.h"

#include "apiclient.h"
#include "informer.h"
#include "listwatchhttp.h"
#include "verifier.h"

#include <QPointer>
#include <QRandomGenerator>

#include <algorithm>

namespace cw::watch {

namespace {
// Qt 6.4 opens at most six HTTP/1.1 connections per host and QNetworkAccessManager, and an open watch holds
// one for minutes: four streams per client leave room for their relists, verify() and discovery. (HTTP/2
// would multiplex them, but not every API server path offers it.)
constexpr int StreamsPerClient = 4;
// A batch goes out once it holds this many changes, whatever the coalescing timer says: under a sustained
// burst the timer may not get a turn while reads keep the event loop busy, and one huge batch keeps every
// version it replaced alive until the consumer is done with it.
constexpr qsizetype MaxBatchChanges = 2000;
// Every stream reports at least this often, changes or not. The timer ticks four times as often: a batch that
// went out just before a tick must not push the next report to two intervals later.
constexpr int HeartbeatMs = 1000;
constexpr int HeartbeatTickMs = HeartbeatMs / 4;
} // namespace

SessionWorker::SessionWorker(ResolvedContext context, SessionOptions options, QList<QThread *> decodeThreads)
    : m_context(std::move(context)), m_options(std::move(options)), m_decodeThreads(std::move(decodeThreads))
{
    m_clock.start();
}

SessionWorker::~SessionWorker()
{
    shutdown();
}

ApiClient *SessionWorker::client()
{
    if (m_clients.empty())
        m_clients.push_back(Client{std::make_unique<ApiClient>(m_context), 0});
    return m_clients.front().api.get();
}

ApiClient *SessionWorker::clientForStream()
{
    client();
    const auto roomy = std::min_element(m_clients.begin(), m_clients.end(),
                                        [](const Client &a, const Client &b) { return a.streams < b.streams; });
    if (roomy->streams < StreamsPerClient) {
        ++roomy->streams;
        return roomy->api.get();
    }
    m_clients.push_back(Client{std::make_unique<ApiClient>(m_context), 1});
    return m_clients.back().api.get();
}

void SessionWorker::discover()
{
    if (m_shutDown)
        return;
    discoverResources(client(), [self = QPointer<SessionWorker>(this)](QList<ApiResource> resources,
                                                                        std::optional<StreamError> error) {
        if (self)
            emit self->discovered(resources, error);
    });
}

void SessionWorker::watch(const ResourceSpec &spec)
{
    if (m_shutDown)
        return;
    const QString id = spec.id();
    if (const auto it = m_streams.constFind(id); it != m_streams.cend()) {
        if (!it->finishing)
            return; // already watched
        flush(id);  // the old stream's last batch and streamFinished go out before the new one starts
    }
    InformerOptions options;
    options.machine.pageLimit = m_options.listPageSize;
    options.machine.streamingList = m_options.streamingLists;
    // The machine allows one bookmark interval plus a margin of silence; split the configured stall timeout
    // the way its defaults do (60 s + 30 s).
    const qint64 stall = std::max(100, m_options.stallTimeoutMs);
    options.machine.bookmarkIntervalMs = stall * 2 / 3;
    options.machine.idleMarginMs = stall - options.machine.bookmarkIntervalMs;
    options.backoff = m_options.backoff;
    options.keepManagedFields = m_options.keepManagedFields;
    options.pendingLimit = MaxBatchChanges;
    options.decodeThreads = m_decodeThreads;
    // A fixed seed replays the same delays; every stream gets its own sequence from it.
    options.seed = m_options.seed != 0 ? quint64(m_options.seed) * 1000 + m_streamsStarted
                                       : QRandomGenerator::system()->generate64();
    ++m_streamsStarted;

    if (!m_heartbeat) {
        m_heartbeat = new QTimer(this);
        m_heartbeat->setInterval(HeartbeatTickMs);
        connect(m_heartbeat, &QTimer::timeout, this, &SessionWorker::heartbeat);
        m_heartbeat->start();
    }
    ApiClient *api = clientForStream();
    auto *informer = new Informer(api, spec, options, this);
    Stream stream;
    stream.informer = informer;
    stream.client = api;
    stream.flushTimer = new QTimer(this);
    stream.flushTimer->setSingleShot(true);
    // A coarse timer may fire up to 5 % early, which would let a 21st batch into a second.
    stream.flushTimer->setTimerType(Qt::PreciseTimer);
    connect(stream.flushTimer, &QTimer::timeout, this, [this, id] { flush(id); });
    connect(informer, &Informer::pending, this, [this, id] { schedule(id); });
    connect(informer, &Informer::pendingFull, this, [this, id] {
        // Emitting only queues the batch for the consumer; the informer stays where it is.
        const auto it = m_streams.find(id);
        if (it != m_streams.end() && !it->finishing)
            emitPending(*it);
    });
    connect(informer, &Informer::finished, this, [this, id, informer](const std::optional<StreamError> &error) {
        const auto it = m_streams.find(id);
        if (it == m_streams.end() || it->informer != informer)
            return;
        it->finishing = true;
        it->error = error;
        schedule(id);
    });
    m_streams.insert(id, stream);
    informer->start();
}

void SessionWorker::stop(const QString &stream)
{
    const auto it = m_streams.constFind(stream);
    if (it != m_streams.cend() && !it->finishing)
        it->informer->stop();
}

void SessionWorker::stopAll()
{
    const QStringList ids = m_streams.keys();
    for (const QString &id : ids)
        stop(id);
}

void SessionWorker::verify(const QString &stream)
{
    const auto it = m_streams.constFind(stream);
    if (m_shutDown || it == m_streams.cend() || it->finishing) {
        VerifyResult result;
        result.stream = stream;
        result.error = StreamError{StreamError::Kind::NotFound, 0, QString(), QStringLiteral("no such stream")};
        emit verified(result);
        return;
    }
    auto *verifier = new Verifier(it->client, it->informer, m_options.listPageSize, this);
    connect(verifier, &Verifier::done, this, [this, verifier](const VerifyResult &result) {
        emit verified(result);
        verifier->deleteLater();
    });
    verifier->start();
}

void SessionWorker::fetch(const QString &stream, const QString &ns, const QString &name)
{
    FetchResult result{stream, ns, name, QByteArray(), std::nullopt};
    const auto it = m_streams.constFind(stream);
    if (m_shutDown || it == m_streams.cend() || name.isEmpty()) {
        result.error = StreamError{StreamError::Kind::NotFound, 0, QString(), QStringLiteral("no such stream")};
        emit fetched(result);
        return;
    }
    ResourceSpec spec = it->informer->spec();
    spec.ns = spec.api.namespaced ? ns : QString();
    QNetworkReply *reply = it->client->get(collectionPath(spec) + QLatin1Char('/') + name);
    connect(reply, &QNetworkReply::finished, this, [this, reply, result]() mutable {
        reply->deleteLater();
        const int status = httpStatus(reply);
        const QByteArray body = reply->readAll();
        if (status == 200) {
            result.object = body;
        } else if (status == 0) {
            result.error = StreamError{StreamError::Kind::Network, 0, QString(), networkErrorText(reply->error())};
        } else {
            result.error = httpStreamError(readHttpFailure(reply, status, body));
        }
        emit fetched(result);
    });
}

void SessionWorker::heartbeat()
{
    const qint64 now = m_clock.elapsed();
    for (Stream &stream : m_streams) {
        if (stream.finishing || (stream.lastEmitMs >= 0 && now - stream.lastEmitMs < HeartbeatMs - HeartbeatTickMs))
            continue;
        stream.lastEmitMs = now;
        emit batchReady(stream.informer->takeBatch());
    }
}

void SessionWorker::networkLost()
{
    for (const Stream &stream : std::as_const(m_streams)) {
        if (!stream.finishing)
            stream.informer->networkLost();
    }
}

void SessionWorker::networkRestored()
{
    for (const Stream &stream : std::as_const(m_streams)) {
        if (!stream.finishing)
            stream.informer->networkRestored();
    }
}

void SessionWorker::schedule(const QString &id)
{
    const auto it = m_streams.constFind(id);
    if (it == m_streams.cend() || it->flushTimer->isActive())
        return;
    // At most one batch per coalesceMs per stream; the first news after a quiet spell goes out at once
    // (still through the event loop, so that one network read becomes one batch).
    const qint64 wait =
        it->lastEmitMs < 0 ? 0 : std::max<qint64>(0, it->lastEmitMs + m_options.coalesceMs - m_clock.elapsed());
    it->flushTimer->start(int(wait));
}

void SessionWorker::flush(const QString &id)
{
    const auto it = m_streams.find(id);
    if (it == m_streams.end())
        return;
    it->flushTimer->stop();
    emitPending(*it);
    if (!it->finishing)
        return;
    const Stream done = *it;
    m_streams.erase(it);
    for (Client &c : m_clients) {
        if (c.api.get() == done.client)
            --c.streams;
    }
    // Not inside the informer's own call stack: flushes run from timers and from our own calls.
    delete done.informer;
    delete done.flushTimer;
    emit streamFinished(id, done.error);
}

void SessionWorker::emitPending(Stream &stream)
{
    if (!stream.informer->hasPending())
        return;
    stream.lastEmitMs = m_clock.elapsed();
    emit batchReady(stream.informer->takeBatch());
}

void SessionWorker::shutdown()
{
    if (m_shutDown)
        return;
    m_shutDown = true;
    const QStringList ids = m_streams.keys();
    for (const QString &id : ids)
        stop(id);
    for (const QString &id : ids)
        flush(id);
    qDeleteAll(findChildren<Verifier *>(Qt::FindDirectChildrenOnly));
    // Informers of streams that could not finish (none, unless stop failed) go with their replies first.
    for (const Stream &stream : std::as_const(m_streams)) {
        delete stream.informer;
        delete stream.flushTimer;
    }
    m_streams.clear();
    m_clients.clear();
    delete m_heartbeat;
    m_heartbeat = nullptr;
}

} // namespace cw::watch
