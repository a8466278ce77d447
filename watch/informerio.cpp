// SPDX-License-Identifier: Apache-2.0
// The informer's I/O half: one request at a time, its answer turned into the retry watcher's inputs.
#include "apiclient.h"
#include "informer.h"
#include "listwatchhttp.h"

#include <QDateTime>

namespace cw::watch {

namespace {

// An error body is only read for its Status; a misbehaving server must not make us buffer without bound.
constexpr qsizetype MaxErrorBody = 64 * 1024;
// What Qt's HTTP thread may read ahead of us. Unbounded, it pulls a fast watch stream into memory far quicker
// than we decode it; bounded, TCP backpressure holds the rest at the server. onReadyRead drains it each time.
constexpr qint64 ReadAheadBytes = 1024 * 1024;
// The most a list body's Content-Length may reserve at once; a longer body still grows as it arrives.
constexpr qint64 MaxReservedBody = 64 * 1024 * 1024;
// A ListMeta is a few hundred bytes at the start of the body; a head this long without one never ends it.
constexpr qsizetype MaxPeekBytes = 64 * 1024;
// Read but not yet decoded, per stream: beyond this, reading waits and TCP holds the rest at the server.
constexpr qint64 MaxDecodeBacklog = 4 * ReadAheadBytes;
constexpr qsizetype MaxSpareBuffers = 2;

bool sameList(const cmd::StartList &a, const cmd::StartList &b)
{
    return a.rv == b.rv && a.rvMatch == b.rvMatch && a.continueToken == b.continueToken && a.limit == b.limit;
}

ChangeType changeType(EventType type)
{
    switch (type) {
    case EventType::Modified:
        return ChangeType::Modified;
    case EventType::Deleted:
        return ChangeType::Deleted;
    default:
        return ChangeType::Added;
    }
}

QString afterText(qint64 ms, qint64 events)
{
    return QLatin1StringView("after ") + QString::number(ms) + QLatin1StringView(" ms and ") +
           QString::number(events) + QLatin1StringView(" events");
}

} // namespace

void Informer::startRequest(RequestId id, bool watch, const QUrlQuery &query)
{
    if (m_request)
        abortRequest(m_request->id); // one request at a time; the machine aborts first, this is a backstop
    StreamError error;
    QNetworkReply *reply = m_client->get(collectionPath(m_spec), query, "application/json", &error);
    if (!reply) {
        // No credentials could be had (a failing exec plugin...): to the machine that is a rejection, which
        // it retries once after a refresh and then reports.
        const QString message = error.message.isEmpty() ? QStringLiteral("no credentials") : error.message;
        const Fact fact{QStringLiteral("credentials unavailable"), message, 401, true, std::nullopt};
        const QString reason = QStringLiteral("Unauthorized");
        if (watch)
            feed(in::HttpError{id, 401, reason, 0, false, message}, fact);
        else
            feed(in::ListFailed{id, 401, reason, 0, false, message}, fact);
        return;
    }
    reply->setReadBufferSize(ReadAheadBytes);
    auto request = std::make_unique<Request>();
    request->id = id;
    request->watch = watch;
    request->reply = reply;
    request->startedMs = m_clock.nowMs();
    connectReply(reply, id);
    m_request = std::move(request);
}

void Informer::startList(const cmd::StartList &command)
{
    if (adoptPrefetch(command))
        return;
    startRequest(command.request, false, listQuery(m_spec, command));
    if (Request *request = current(command.request))
        request->list = command;
}

void Informer::connectReply(QNetworkReply *reply, RequestId id)
{
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, id] { onMetaData(id); });
    connect(reply, &QNetworkReply::readyRead, this, [this, id] { onReadyRead(id); });
    connect(reply, &QNetworkReply::finished, this, [this, id] { onFinished(id); });
}

Informer::Request *Informer::current(RequestId id) const
{
    return m_request && m_request->id == id ? m_request.get() : nullptr;
}

std::unique_ptr<Informer::Request> Informer::release(RequestId id)
{
    if (!current(id))
        return nullptr;
    std::unique_ptr<Request> request = std::move(m_request);
    if (m_idleFor == id)
        m_idleTimer.stop();
    if (request->reply) {
        // Disconnected first: whatever the reply still emits (an abort's error) is no news for anyone.
        request->reply->disconnect(this);
        request->reply->deleteLater();
    }
    return request;
}

void Informer::abortRequest(RequestId id)
{
    const std::unique_ptr<Request> request = release(id);
    if (request && request->reply)
        request->reply->abort();
}

void Informer::onMetaData(RequestId id)
{
    Request *request = current(id);
    if (request && request->watch && !request->opened && httpStatus(request->reply) == 200)
        openWatch(*request);
}

void Informer::openWatch(Request &request)
{
    request.opened = true;
    feed(in::WatchOpened{request.id});
}

void Informer::onReadyRead(RequestId id)
{
    Request *request = current(id);
    if (!request)
        return;
    QNetworkReply *reply = request->reply;
    const qint64 available = reply->bytesAvailable();
    if (available <= 0)
        return;
    if (m_idleFor == id)
        m_idleTimer.start(int(m_idleMs)); // any byte proves the connection alive
    m_lastByteMs = QDateTime::currentMSecsSinceEpoch();
    if (!request->watch) {
        m_health.bytes += readListBody(*request, available);
        prefetchNext(*request);
        return;
    }
    if (request->decodingBytes >= MaxDecodeBacklog)
        return; // read again when the decoder has caught up (onDecoded)
    // Reused buffers: a fresh megabyte per readyRead would cost an allocation (often an mmap and its page
    // faults) each time.
    QByteArray buffer = m_spareBuffers.isEmpty() ? QByteArray() : m_spareBuffers.takeLast();
    buffer.resize(qsizetype(available) + DecodePadding); // lets the decoder parse lines where they lie
    const qint64 got = std::max<qint64>(0, reply->read(buffer.data(), available));
    m_health.bytes += got;
    readWatchBody(id, std::move(buffer), got);
}

void Informer::readWatchBody(RequestId id, QByteArray &&buffer, qint64 size)
{
    Request *request = current(id);
    const QByteArrayView data = QByteArrayView(buffer).first(qsizetype(size));
    if (!request->opened) {
        if (httpStatus(request->reply) != 200) {
            if (request->body.size() < MaxErrorBody)
                request->body += data;
            return;
        }
        openWatch(*request);
        if (!(request = current(id)))
            return;
    }
    ++request->decoding;
    request->decodingBytes += size;
    // Split here, in order: the reads' lines can then be decoded side by side.
    QList<Line> lines = request->lines.feedInPlace(data, DecodePadding);
    m_decoder->post(id, std::move(buffer), size, std::move(lines), m_lastByteMs);
}

void Informer::onDecoded()
{
    std::vector<DecodedChunk> chunks = m_decoder->takeDecoded();
    for (DecodedChunk &chunk : chunks)
        applyDecoded(chunk);
}

void Informer::applyDecoded(DecodedChunk &chunk)
{
    if (m_spareBuffers.size() < MaxSpareBuffers)
        m_spareBuffers.append(std::move(chunk.buffer));
    const RequestId id = chunk.request;
    Request *request = current(id);
    if (!request)
        return; // its request ended meanwhile: what it read is no longer news
    const bool wasFull = request->decodingBytes >= MaxDecodeBacklog;
    --request->decoding;
    request->decodingBytes -= chunk.bytes;
    for (DecodedLine &line : chunk.lines) {
        handleDecoded(id, line.offset, std::move(line.result), chunk.receivedMs);
        if (!current(id))
            return;
    }
    if (request->decoding == 0 && request->finishWaiting) {
        onFinished(id);
        return;
    }
    if (wasFull && request->decodingBytes < MaxDecodeBacklog && request->reply &&
        request->reply->bytesAvailable() > 0)
        onReadyRead(id);
}

qint64 Informer::readListBody(Request &request, qint64 available)
{
    QByteArray &body = request.body;
    const qsizetype size = body.size();
    if (size == 0) {
        // The whole page in one allocation when the server says how long it is (a bounded claim: a lying
        // header must not make us reserve gigabytes up front).
        bool ok = false;
        const qint64 length = request.reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&ok);
        if (ok && length > 0)
            body.reserve(qsizetype(std::min(length, MaxReservedBody)) + DecodePadding);
    }
    const qsizetype needed = size + qsizetype(available);
    if (needed + DecodePadding > body.capacity()) // geometric: many small reads stay linear
        body.reserve(std::max(needed + DecodePadding, body.capacity() * 2));
    // Straight from Qt's buffer into the body, without a QByteArray per read in between.
    body.resize(needed);
    const qint64 got = std::max<qint64>(0, request.reply->read(body.data() + size, available));
    body.resize(size + qsizetype(got));
    return got;
}

void Informer::readLines(RequestId id, const QList<Line> &lines)
{
    for (const Line &line : lines) {
        handleLine(id, line);
        if (!current(id))
            return; // the line ended this request (an ERROR, a malformed line): the rest is not ours to apply
    }
}

void Informer::handleLine(RequestId id, const Line &line)
{
    handleDecoded(id, line.offset, decodeWatchLine(line.bytes, m_options.keepManagedFields, line.readable),
                  m_lastByteMs);
}

void Informer::handleDecoded(RequestId id, qint64 lineOffset, DecodeResult &&decoded, qint64 receivedMs)
{
    Request *request = current(id);
    if (const auto *bad = std::get_if<DecodeError>(&decoded)) {
        // Reported, never skipped: the line may have been an event, so the machine decides how to recover.
        const qint64 offset = lineOffset + std::max<qint64>(0, bad->position);
        const QString detail = QLatin1StringView("malformed line at byte ") + QString::number(offset) +
                               QLatin1StringView(" of the stream: ") + bad->message;
        feed(in::WatchErrorEvent{id, 0, QStringLiteral("DecodeError"), 0, false, detail},
             Fact{QStringLiteral("malformed line"), detail, 0, true, std::nullopt});
        return;
    }
    WatchEvent &event = std::get<WatchEvent>(decoded);
    if (event.type == EventType::Error) {
        const bool tooLarge = event.causes.contains(QLatin1StringView("ResourceVersionTooLarge"));
        feed(in::WatchErrorEvent{id, event.code, event.reason, event.retryAfterSeconds, tooLarge,
                                 event.message},
             Fact{httpFailureName(event.code, event.reason, tooLarge), event.message, event.code, true,
                  std::nullopt});
        return;
    }
    const auto *watching = std::get_if<state::Watching>(&m_state.phase);
    const bool initial = watching && watching->initialEvents.has_value();
    if (watching && !initial &&
        compareResourceVersions(event.resourceVersion, watching->rv).value_or(0) < 0) {
        // Live events only move forward. Going back means the server was restored from a backup (§8): a
        // watch from our RV would stay silent until the server catches up, missing everything in between.
        const QString detail = QLatin1StringView("resourceVersion ") + event.resourceVersion +
                               QLatin1StringView(" after ") + watching->rv +
                               QLatin1StringView(": the server went back in time");
        feed(in::WatchErrorEvent{id, 0, QStringLiteral("ResourceVersionRegression"), 0, true, detail},
             Fact{QStringLiteral("resourceVersion regression"), detail, 0, true, std::nullopt});
        return;
    }
    ++request->events;
    ++m_health.events;
    const EventType type = event.type;
    const QString rv = event.resourceVersion;
    const bool initialEventsEnd = event.initialEventsEnd;
    if (type != EventType::Bookmark) {
        auto object = std::make_shared<const ObjectRecord>(std::move(static_cast<ObjectRecord &>(event)));
        if (initial) {
            if (m_collecting)
                m_relistItems.append(std::move(object)); // a streaming list's snapshot
        } else {
            m_lastEventMs = receivedMs; // when the bytes that carried it arrived: one clock read per read
            m_pending.changes.append(m_store.apply(changeType(type), std::move(object), m_lastEventMs));
            markPending();
            if (m_options.pendingLimit > 0 && !m_fullSignalled &&
                m_pending.changes.size() >= m_options.pendingLimit) {
                m_fullSignalled = true;
                emit pendingFull();
            }
        }
    }
    if (!initial)
        m_health.lastResourceVersion = rv;
    feed(in::WatchEvent{id, type, rv, initialEventsEnd});
}

void Informer::onFinished(RequestId id)
{
    Request *request = current(id);
    if (!request)
        return;
    if (request->decoding > 0) {
        // What it read before is still being decoded, and comes first.
        request->finishWaiting = true;
        return;
    }
    QNetworkReply *reply = request->reply;
    // The HTTP status first: Qt also reports 4xx/5xx as reply errors, and those carry a Status to read.
    const int status = httpStatus(reply);
    const QNetworkReply::NetworkError error = reply->error();
    const QByteArray rest = reply->readAll();
    m_health.bytes += rest.size();
    if (!rest.isEmpty())
        m_lastByteMs = QDateTime::currentMSecsSinceEpoch();
    if (!request->watch) {
        request->body += rest;
        if (error == QNetworkReply::NoError)
            prefetchNext(*request); // still worth it: the server makes the next page while we decode this one
        listFinished(release(id), status, error);
        return;
    }
    if (status == 0) {
        release(id);
        const QString text = networkErrorText(error);
        feed(in::NetworkError{id, networkErrorKind(error), text},
             Fact{text, QString(), 0, true, std::nullopt});
        return;
    }
    if (status != 200) {
        request->body += rest.left(MaxErrorBody);
        const std::unique_ptr<Request> done = release(id);
        const HttpFailure f = readHttpFailure(reply, status, done->body);
        feed(in::HttpError{id, f.code, f.reason, f.retryAfterSeconds, f.tooLargeRv, f.message},
             Fact{httpFailureName(f.code, f.reason, f.tooLargeRv), f.message, f.code, true, std::nullopt});
        return;
    }
    if (!request->opened) {
        openWatch(*request);
        if (!current(id))
            return;
    }
    readLines(id, request->lines.feed(rest));
    if (!current(id))
        return;
    const bool clean = error == QNetworkReply::NoError;
    if (clean) {
        // A complete body whose last line lacks its '\n' still holds an event (§3.4). The torn line of a
        // broken stream does not: the resumed watch delivers that event again.
        if (const auto tail = request->lines.finish()) {
            handleLine(id, *tail);
            if (!current(id))
                return;
        }
    }
    const std::unique_ptr<Request> done = release(id);
    const qint64 duration = m_clock.nowMs() - done->startedMs;
    Fact fact;
    fact.detail = afterText(duration, done->events);
    if (clean) {
        const bool empty = done->events == 0 && duration < m_options.machine.veryShortWatchMs;
        fact.reason = empty ? QStringLiteral("empty watch") : QStringLiteral("closed by server");
    } else {
        fact.reason = networkErrorText(error);
        fact.failure = true;
    }
    feed(in::StreamEnded{id, clean, done->events, duration}, fact);
}

void Informer::listFinished(std::unique_ptr<Request> request, int status, QNetworkReply::NetworkError error)
{
    const RequestId id = request->id;
    if (status == 0 || (status == 200 && error != QNetworkReply::NoError)) {
        const QString text = networkErrorText(error);
        feed(in::NetworkError{id, networkErrorKind(error), text},
             Fact{text, QString(), 0, true, std::nullopt});
        return;
    }
    if (status != 200) {
        const HttpFailure f = readHttpFailure(
            request->reply, status,
            QByteArrayView(request->body).first(std::min(request->body.size(), MaxErrorBody)));
        feed(in::ListFailed{id, f.code, f.reason, f.retryAfterSeconds, f.tooLargeRv, f.message},
             Fact{httpFailureName(f.code, f.reason, f.tooLargeRv), f.message, f.code, true, std::nullopt});
        return;
    }
    ListPageResult decoded = decodeListPageInPlace(request->body, m_options.keepManagedFields);
    if (const auto *bad = std::get_if<DecodeError>(&decoded)) {
        feed(in::ListFailed{id, 0, QStringLiteral("DecodeError"), 0, false, bad->message},
             Fact{QStringLiteral("malformed list"), bad->message, 0, true, std::nullopt});
        return;
    }
    ListPage &page = std::get<ListPage>(decoded);
    if (m_collecting) {
        // Room for the whole list at once when the server estimates what is left; growth stays geometric
        // whatever it says (an exact reserve per page would copy the list again on every page).
        const qsizetype expected =
            m_relistItems.size() + page.items.size() + qsizetype(page.remainingItemCount.value_or(0));
        if (expected > m_relistItems.capacity())
            m_relistItems.reserve(std::max(expected, m_relistItems.capacity() * 2));
        for (ObjectRecord &item : page.items)
            m_relistItems.append(std::make_shared<const ObjectRecord>(std::move(item)));
        if (page.remainingItemCount)
            m_listTotal = m_relistItems.size() + *page.remainingItemCount;
        else if (page.continueToken.isEmpty())
            m_listTotal = m_relistItems.size();
        markPending(); // the progress reaches consumers with the next batch
    }
    feed(in::ListPageOk{id, page.resourceVersion, page.continueToken, qint64(page.items.size())});
}

void Informer::onIdle()
{
    Request *request = current(m_idleFor);
    if (!request)
        return;
    ++m_health.stalls;
    const QString detail =
        QLatin1StringView("no byte for ") + QString::number(m_idleMs) + QLatin1StringView(" ms");
    feed(in::IdleTimeout{m_idleFor},
         Fact{request->watch ? QStringLiteral("stalled") : QStringLiteral("list stalled"), detail, 0, false,
              StreamState::Stalled});
}

void Informer::prefetchNext(Request &request)
{
    if (request.peeked || request.watch || m_prefetch)
        return;
    // Only for a page the machine is waiting for, of a paginated list: then its next StartList asks for the
    // page this body names, with the same limit and without a resourceVersion (pages >= 2 carry none).
    const auto *listing = std::get_if<state::Listing>(&m_state.phase);
    const int status = httpStatus(request.reply);
    if (status == 0 && request.body.isEmpty())
        return; // no answer yet (an adopted prefetch still waiting for its headers)
    if (!listing || listing->request != request.id || request.list.limit <= 0 || status != 200) {
        request.peeked = true;
        return;
    }
    const ContinuePeek peek = peekContinueToken(request.body);
    if (peek.result == ContinuePeek::Result::NeedMore && request.body.size() < MaxPeekBytes)
        return;
    request.peeked = true;
    if (peek.result != ContinuePeek::Result::Token)
        return;
    const cmd::StartList next{0, QString(), RvMatch::Unset, peek.token, request.list.limit};
    // No credentials now: the machine's own request will meet the same problem and report it.
    QNetworkReply *reply = m_client->get(collectionPath(m_spec), listQuery(m_spec, next), "application/json");
    if (!reply)
        return;
    reply->setReadBufferSize(ReadAheadBytes);
    auto prefetch = std::make_unique<Request>();
    prefetch->reply = reply;
    prefetch->list = next;
    prefetch->parent = request.id;
    connect(reply, &QNetworkReply::readyRead, this, &Informer::onPrefetchReadyRead);
    connect(reply, &QNetworkReply::finished, this, [this] {
        if (m_prefetch)
            m_prefetch->finished = true; // the rest stays in the reply until the page is adopted
    });
    m_prefetch = std::move(prefetch);
}

void Informer::onPrefetchReadyRead()
{
    // Drained like any list read: Qt's read-ahead is bounded, and a full buffer would stall the transfer.
    if (!m_prefetch || !m_prefetch->reply)
        return;
    const qint64 available = m_prefetch->reply->bytesAvailable();
    if (available <= 0)
        return;
    readListBody(*m_prefetch, available);
    m_prefetch->lastByteMs = QDateTime::currentMSecsSinceEpoch();
}

bool Informer::adoptPrefetch(const cmd::StartList &command)
{
    if (!m_prefetch)
        return false;
    if (!sameList(m_prefetch->list, command) || !m_prefetch->reply) {
        dropPrefetch();
        return false;
    }
    std::unique_ptr<Request> request = std::move(m_prefetch);
    const RequestId id = command.request;
    request->id = id;
    request->list = command;
    request->startedMs = m_clock.nowMs();
    request->parent = 0;
    // From now on it is the machine's request: its bytes count, and its signals reach the usual handlers.
    m_health.bytes += request->body.size();
    if (request->lastByteMs > 0)
        m_lastByteMs = request->lastByteMs;
    QNetworkReply *reply = request->reply;
    reply->disconnect(this);
    connectReply(reply, id);
    const bool finished = request->finished;
    m_request = std::move(request);
    // Its head may already name the page after it.
    prefetchNext(*m_request);
    // What the reply did before adoption is handled as if it happened now, after this step: the machine has
    // its state and the idle timer for this request before any of it is news.
    if (finished)
        QMetaObject::invokeMethod(
            this, [this, id] { onFinished(id); }, Qt::QueuedConnection);
    else if (reply->bytesAvailable() > 0)
        QMetaObject::invokeMethod(
            this, [this, id] { onReadyRead(id); }, Qt::QueuedConnection);
    return true;
}

void Informer::dropPrefetch()
{
    const std::unique_ptr<Request> prefetch = std::move(m_prefetch);
    if (!prefetch || !prefetch->reply)
        return;
    // Disconnected first: its abort is no news, and nothing it read was counted anywhere.
    prefetch->reply->disconnect(this);
    prefetch->reply->abort();
    prefetch->reply->deleteLater();
}

} // namespace cw::watch
