// SPDX-License-Identifier: Apache-2.0
#include "retrywatcher_sm.h"

#include <algorithm>
#include <utility>

namespace cw::watch {

namespace {

template <typename... Fs> struct Overloaded : Fs...
{
    using Fs::operator()...;
};

QString number(qint64 value)
{
    return QString::number(value);
}

QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', 1) + QLatin1StringView(" s");
}

QLatin1StringView networkErrorName(NetworkErrorKind kind)
{
    switch (kind) {
    case NetworkErrorKind::ConnectionRefused:
        return QLatin1StringView("ConnectionRefused");
    case NetworkErrorKind::HostNotFound:
        return QLatin1StringView("HostNotFound");
    case NetworkErrorKind::Timeout:
        return QLatin1StringView("Timeout");
    case NetworkErrorKind::Tls:
        return QLatin1StringView("Tls");
    case NetworkErrorKind::ConnectionClosed:
        return QLatin1StringView("ConnectionClosed");
    case NetworkErrorKind::Other:
        break;
    }
    return QLatin1StringView("Other");
}

// An HTTP-level failure of a list or watch request, whatever input reported it.
struct Failure
{
    int code = 0; // 0: no HTTP status (transport error or undecodable body)
    QString reason;
    int retryAfterSeconds = 0;
    bool tooLargeRv = false;
    QString message;
    bool network = false;

    // client-go's isExpiredError: reason Expired or Gone, or a bare 410.
    bool expired() const
    {
        return code == 410 || reason == QLatin1StringView("Expired") || reason == QLatin1StringView("Gone");
    }
    // The RV asked for is newer than the server has (504 + ResourceVersionTooLarge).
    bool rvTooLarge() const { return tooLargeRv; }
    // Retrying helps: transport errors, throttling, server-side trouble; everything else in 4xx will not
    // heal.
    bool retryable() const { return network || code < 400 || code == 408 || code == 429 || code >= 500; }
    QString text() const
    {
        if (network)
            return reason + (message.isEmpty() ? QString() : QLatin1StringView(": ") + message);
        QString t = QLatin1StringView("HTTP ") + number(code);
        if (!reason.isEmpty())
            t += QLatin1Char(' ') + reason;
        if (!message.isEmpty())
            t += QLatin1StringView(": ") + message;
        return t;
    }
    QString key(QLatin1StringView what) const
    {
        if (network)
            return what + QLatin1StringView(".network.") + reason;
        return what + QLatin1StringView(".http.") + number(code) + QLatin1Char('.') + reason;
    }
    WatchError error() const
    {
        ErrorKind kind = ErrorKind::Http;
        if (network)
            kind = ErrorKind::Network;
        else if (code == 0)
            kind = ErrorKind::Protocol;
        else if (code == 401)
            kind = ErrorKind::Unauthorized;
        else if (code == 403)
            kind = ErrorKind::Forbidden;
        else if (code == 404)
            kind = ErrorKind::NotFound;
        else if (code == 400 || code == 422)
            kind = ErrorKind::Invalid;
        return WatchError{kind, code, reason, message};
    }
};

Failure fromList(const in::ListFailed &f)
{
    return {f.httpCode, f.statusReason, f.retryAfterSeconds, f.causeTooLargeRv, f.message, false};
}
Failure fromHttp(const in::HttpError &f)
{
    return {f.code, f.reason, f.retryAfterSeconds, f.causeTooLargeRv, f.message, false};
}
Failure fromStream(const in::WatchErrorEvent &f)
{
    return {f.code, f.reason, f.retryAfterSeconds, f.causeTooLargeRv, f.message, false};
}
Failure fromNetwork(const in::NetworkError &f)
{
    return {0, networkErrorName(f.kind), 0, false, f.message, true};
}

// Builds one Step: starts from a copy of the state, records commands, and offers the rules' building blocks.
class Rules
{
public:
    Rules(const State &state, const RetryWatcherContext &context)
        : m_next(state), m_context(context), m_config(context.config), m_now(context.clock.nowMs())
    {}

    Step take() { return Step{std::move(m_next), std::move(m_commands)}; }
    Memory &memory() { return m_next.memory; }
    template <typename T> void enter(T phase) { m_next.phase = std::move(phase); }
    // The phase being built, for rules that only update it (the per-event path: no extra copy).
    template <typename T> T &phase() { return std::get<T>(m_next.phase); }
    void push(Command command) { m_commands.append(std::move(command)); }

    void startRelist(const Relist &plan, int restarts = 0);
    void startWatch(const QString &rv, std::optional<Relist> initialEvents = std::nullopt);
    void resume(const Resumption &then);
    void backOff(const Resumption &then, const QString &key, const QString &text, const QString &cause,
                 int retryAfterSeconds, std::optional<WatchError> error);
    void goOffline(const Resumption &then, bool suspended);
    void unauthorized(const Resumption &then, const Failure &failure);
    void stop(const QString &reason, std::optional<WatchError> error);
    // Aborts the request in flight: for inputs that do not come from the request itself (timers, network
    // changes, Stop, an ERROR event whose stream may linger). A request that reported its own failure is
    // over.
    void abortCurrent();
    // Closes an open relist batch that will never complete.
    void cancelBatch(const QString &cause);

    // Counts a failure; only the first of a run of identical ones is logged (with `detail` appended).
    void failure(const QString &key, const QString &text, std::optional<WatchError> error, LogLevel level,
                 const QString &detail = QString());
    void progress();
    void markStale(qint64 since, const QString &cause);
    void markFresh();
    void log(LogLevel level, const QString &key, const QString &text) { push(cmd::Log{level, key, text}); }

    qint64 now() const { return m_now; }
    const RetryWatcherConfig &config() const { return m_config; }

private:
    void flushFailures();

    State m_next;
    QList<Command> m_commands;
    const RetryWatcherContext &m_context;
    const RetryWatcherConfig &m_config;
    qint64 m_now;
    bool m_aborted = false;     // the request in flight at the start of the step was aborted
    bool m_batchClosed = false; // the relist batch open at the start of the step was cancelled
};

void Rules::startRelist(const Relist &plan, int restarts)
{
    push(cmd::RelistBegin{});
    if (m_config.streamingList && !memory().streamingListUnsupported) {
        startWatch(plan.rv, plan);
        return;
    }
    // The second restart after an expired continue token lists unpaginated: no token left to expire.
    const int limit = restarts >= 2 ? 0 : m_config.pageLimit;
    const RequestId request = ++memory().lastRequest;
    push(cmd::StartList{request, plan.rv,
                        plan.notOlderThan && !plan.rv.isEmpty() ? RvMatch::NotOlderThan : RvMatch::Unset,
                        QString(), limit});
    push(cmd::ArmIdleTimer{request, m_config.listIdleMs});
    enter(state::Listing{request, plan, QString(), 0, restarts, limit, QString()});
}

void Rules::startWatch(const QString &rv, std::optional<Relist> initialEvents)
{
    const RequestId request = ++memory().lastRequest;
    const int timeout =
        int(m_context.random.between(m_config.watchTimeoutMinSeconds, m_config.watchTimeoutMaxSeconds));
    const bool streaming = initialEvents.has_value();
    // A streaming list only ends with the initial-events-end bookmark, so it needs bookmarks whatever the
    // config.
    push(cmd::StartWatch{request, rv, timeout, m_config.allowBookmarks || streaming, streaming,
                         streaming ? RvMatch::NotOlderThan : RvMatch::Unset});
    const qint64 silence = watchIdleMs(m_config, timeout);
    push(cmd::ArmIdleTimer{request, silence});
    enter(state::Watching{request, rv, m_now, 0, false, silence, std::move(initialEvents)});
}

void Rules::resume(const Resumption &then)
{
    if (const auto *watch = std::get_if<ResumeWatch>(&then))
        startWatch(watch->rv);
    else
        startRelist(std::get<Relist>(then));
}

void Rules::backOff(const Resumption &then, const QString &key, const QString &text, const QString &cause,
                    int retryAfterSeconds, std::optional<WatchError> error)
{
    qint64 delay = m_context.backoff.next(m_now);
    // The server's Retry-After is a floor, never a reason to come back sooner than our own backoff.
    delay = std::max(delay, qint64(std::clamp(retryAfterSeconds, 0, 86'400)) * 1000);
    markStale(m_now, cause);
    // Routine recoveries (410, a dropped connection) are news, not warnings; server and network errors are.
    const LogLevel level = error ? LogLevel::Warning : LogLevel::Info;
    failure(key, text, std::move(error), level, QLatin1StringView("; next attempt in ") + seconds(delay));
    enter(state::BackingOff{m_now + delay, then, cause});
    push(cmd::ArmTimer{delay});
}

void Rules::goOffline(const Resumption &then, bool suspended)
{
    const QString cause = suspended ? QStringLiteral("suspended") : QStringLiteral("network lost");
    markStale(m_now, cause);
    log(LogLevel::Info, QStringLiteral("offline"),
        cause + QLatin1StringView("; waiting for it to come back"));
    enter(state::Offline{then, m_now});
}

void Rules::unauthorized(const Resumption &then, const Failure &failure)
{
    if (memory().refreshedCredentials) {
        stop(QStringLiteral("the server rejected the credentials, also after refreshing them"),
             failure.error());
        return;
    }
    memory().refreshedCredentials = true;
    log(LogLevel::Info, QStringLiteral("credentials.refresh"),
        QLatin1StringView("401 Unauthorized; refreshing credentials once"));
    push(cmd::RefreshCredentials{});
    enter(state::RefreshingCredentials{then});
}

void Rules::abortCurrent()
{
    if (std::exchange(m_aborted, true))
        return;
    if (const RequestId request = currentRequest(m_next); request != 0)
        push(cmd::AbortRequest{request});
}

void Rules::cancelBatch(const QString &cause)
{
    // Several rules may give up on the same batch in one step (a 401 that turns fatal): close it once.
    if (std::exchange(m_batchClosed, true))
        return;
    const auto *watching = std::get_if<state::Watching>(&m_next.phase);
    if (std::holds_alternative<state::Listing>(m_next.phase) || (watching && watching->initialEvents))
        push(cmd::RelistCancel{cause});
}

void Rules::stop(const QString &reason, std::optional<WatchError> error)
{
    cancelBatch(reason);
    flushFailures();
    const bool isError = error.has_value();
    if (error) {
        log(LogLevel::Warning, QStringLiteral("finished.error"), reason);
        push(cmd::EmitError{std::move(*error), true});
    }
    enter(state::Stopped{reason, isError});
    push(cmd::Finished{reason, isError});
}

void Rules::failure(const QString &key, const QString &text, std::optional<WatchError> error, LogLevel level,
                    const QString &detail)
{
    Memory &m = memory();
    if (key == m.failureKey) {
        ++m.failureCount; // identical failure: counted, reported when the streak ends
        return;
    }
    flushFailures();
    m.failureKey = key;
    m.failureText = text;
    m.failureCount = 1;
    log(level, key, text + detail);
    if (error)
        push(cmd::EmitError{std::move(*error), false});
}

void Rules::flushFailures()
{
    Memory &m = memory();
    if (m.failureCount > 1)
        log(LogLevel::Info, m.failureKey,
            m.failureText + QLatin1StringView(" (") + number(m.failureCount) +
                QLatin1StringView(" times in a row)"));
    m.failureKey.clear();
    m.failureText.clear();
    m.failureCount = 0;
}

void Rules::progress()
{
    Memory &m = memory();
    if (m.failureCount == 0)
        return;
    log(LogLevel::Info, m.failureKey,
        m.failureText + QLatin1StringView(": recovered after ") + number(m.failureCount) +
            QLatin1StringView(m.failureCount == 1 ? " failure" : " failures in a row"));
    m.failureKey.clear();
    m.failureText.clear();
    m.failureCount = 0;
}

void Rules::markStale(qint64 since, const QString &cause)
{
    if (memory().staleSince)
        return;
    memory().staleSince = since;
    push(cmd::MarkStale{since, cause});
}

void Rules::markFresh()
{
    if (!memory().staleSince)
        return;
    memory().staleSince.reset();
    push(cmd::MarkFresh{});
}

// A LIST page (or the start of a streaming list) failed while relisting with `plan`.
void relistFailed(Rules &r, const Relist &plan, const Failure &f)
{
    if (plan.notOlderThan && (f.expired() || f.rvTooLarge())) {
        // client-go: the RV is unavailable (compacted, or from a server that went back in time), so fall back
        // to a consistent read from "" at once.
        r.log(LogLevel::Info, QStringLiteral("relist.fallback"),
              QLatin1StringView("relist from resourceVersion ") + plan.rv + QLatin1StringView(" failed (") +
                  f.text() + QLatin1StringView("); relisting from the newest state"));
        r.cancelBatch(QStringLiteral("relist from the newest state"));
        r.startRelist(Relist{});
        return;
    }
    if (f.code == 401) {
        r.cancelBatch(QStringLiteral("credentials"));
        r.unauthorized(plan, f);
        return;
    }
    if (!f.retryable() && !f.expired()) {
        r.stop(QLatin1StringView("listing failed: ") + f.text(), f.error());
        return;
    }
    r.cancelBatch(QStringLiteral("list failed"));
    r.backOff(plan, f.key(QLatin1StringView("list")), QLatin1StringView("list failed: ") + f.text(),
              QStringLiteral("list failed"), f.retryAfterSeconds,
              f.expired() ? std::nullopt : std::optional(f.error()));
}

void onListing(Rules &r, const state::Listing &s, const Input &input)
{
    if (const auto *page = std::get_if<in::ListPageOk>(&input)) {
        state::Listing next = s;
        if (next.pages == 0)
            next.listRv = page->rv;
        ++next.pages;
        r.memory().refreshedCredentials = false;
        if (!page->continueToken.isEmpty()) {
            // Pages >= 2 carry no RV: continue + resourceVersion is a 400 (§2.1).
            next.request = ++r.memory().lastRequest;
            next.continueToken = page->continueToken;
            r.push(cmd::StartList{next.request, QString(), RvMatch::Unset, next.continueToken, next.limit});
            r.push(cmd::ArmIdleTimer{next.request, r.config().listIdleMs});
            r.enter(std::move(next));
            return;
        }
        const QString rv = next.listRv.isEmpty() ? page->rv : next.listRv;
        if (rv.isEmpty()) {
            relistFailed(r, s.plan,
                         Failure{0, QStringLiteral("NoResourceVersion"), 0, false,
                                 QStringLiteral("list response without resourceVersion"), false});
            return;
        }
        r.progress();
        r.push(cmd::RelistEnd{rv});
        r.markFresh();
        r.startWatch(rv);
        return;
    }
    const auto restartOnExpiredToken = [&](const Failure &f) {
        // A continue token outlived its RV (compaction) or was rejected: only a list from page 1 is
        // consistent.
        r.log(LogLevel::Info, QStringLiteral("list.restart"),
              QLatin1StringView("continue token for page ") + number(s.pages + 1) +
                  QLatin1StringView(" failed (") + f.text() + QLatin1StringView("); restarting the list"));
        r.cancelBatch(QStringLiteral("continue token expired"));
        r.startRelist(s.plan, s.restarts + 1);
    };
    std::optional<Failure> failed;
    if (const auto *f = std::get_if<in::ListFailed>(&input))
        failed = fromList(*f);
    else if (const auto *h = std::get_if<in::HttpError>(&input))
        failed = fromHttp(*h);
    else if (const auto *n = std::get_if<in::NetworkError>(&input))
        failed = fromNetwork(*n);
    if (failed) {
        if (!s.continueToken.isEmpty() && (failed->code == 410 || failed->code == 400))
            restartOnExpiredToken(*failed);
        else
            relistFailed(r, s.plan, *failed);
        return;
    }
    if (std::holds_alternative<in::IdleTimeout>(input)) {
        r.failure(QStringLiteral("list.stalled"),
                  QLatin1StringView("list request silent for ") + seconds(r.config().listIdleMs) +
                      QLatin1StringView("; restarting it"),
                  std::nullopt, LogLevel::Warning);
        r.abortCurrent();
        r.cancelBatch(QStringLiteral("list stalled"));
        r.startRelist(s.plan, s.restarts);
        return;
    }
    if (const auto *lost = std::get_if<in::NetworkLost>(&input)) {
        r.abortCurrent();
        r.cancelBatch(QStringLiteral("network lost"));
        r.goOffline(s.plan, lost->suspended);
        return;
    }
    if (std::holds_alternative<in::NetworkRestored>(input)) {
        // Connections made before the change are probably dead; start over on the new network now.
        r.abortCurrent();
        r.cancelBatch(QStringLiteral("network changed"));
        r.startRelist(s.plan, s.restarts);
    }
}

void onWatching(Rules &r, const state::Watching &s, const Input &input)
{
    if (const auto *event = std::get_if<in::WatchEvent>(&input)) {
        // The hot path (one call per event): update in place, no commands unless something changes.
        auto &next = r.phase<state::Watching>();
        ++next.eventsThisWatch;
        if (next.initialEvents) {
            // Synthetic ADDED events come in key order with unordered RVs; only the end bookmark gives the
            // RV.
            if (event->type == EventType::Bookmark && event->initialEventsEnd && !event->rv.isEmpty()) {
                next.initialEvents.reset();
                next.rv = event->rv;
                r.progress();
                r.push(cmd::RelistEnd{event->rv});
                r.markFresh();
            }
        } else {
            if (!event->rv.isEmpty() && event->type != EventType::Error)
                next.rv = event->rv;
            if (next.eventsThisWatch == 1)
                r.progress();
        }
        return;
    }
    if (std::holds_alternative<in::WatchOpened>(input)) {
        r.phase<state::Watching>().opened = true;
        r.memory().refreshedCredentials = false; // a 200 means the credentials work
        if (!s.initialEvents)
            r.markFresh();
        return;
    }
    const Resumption then = s.initialEvents ? Resumption(*s.initialEvents) : Resumption(ResumeWatch{s.rv});
    if (const auto *ended = std::get_if<in::StreamEnded>(&input)) {
        if (s.initialEvents) {
            relistFailed(r, *s.initialEvents,
                         Failure{0, QStringLiteral("IncompleteInitialEvents"), 0, false,
                                 QStringLiteral("stream ended before the initial events were complete"),
                                 false});
        } else if (!ended->clean) {
            r.backOff(then, QStringLiteral("watch.broken"), QStringLiteral("watch connection broke"),
                      QStringLiteral("watch connection broke"), 0, std::nullopt);
        } else if (ended->eventsDelivered == 0 && ended->durationMs < r.config().veryShortWatchMs) {
            // An empty 200 that ends at once usually means a stale RV the server will not admit to (§3.8).
            r.backOff(Relist{s.rv, true}, QStringLiteral("watch.very-short"),
                      QLatin1StringView("watch from resourceVersion ") + s.rv +
                          QLatin1StringView(" ended after ") + number(ended->durationMs) +
                          QLatin1StringView(" ms without events; relisting"),
                      QStringLiteral("very short watch"), 0, std::nullopt);
        } else {
            r.progress();
            r.log(LogLevel::Debug, QStringLiteral("watch.ended"),
                  QLatin1StringView("watch ended after ") + number(ended->eventsDelivered) +
                      QLatin1StringView(" events; resuming from ") + s.rv);
            r.startWatch(s.rv);
        }
        return;
    }
    std::optional<Failure> failed;
    bool inStream = false;
    if (const auto *e = std::get_if<in::WatchErrorEvent>(&input)) {
        failed = fromStream(*e);
        inStream = true;
    } else if (const auto *h = std::get_if<in::HttpError>(&input)) {
        failed = fromHttp(*h);
    } else if (const auto *n = std::get_if<in::NetworkError>(&input)) {
        failed = fromNetwork(*n);
    }
    if (failed) {
        const Failure &f = *failed;
        // The server ends the stream after an ERROR; aborting makes sure a misbehaving one cannot hold us.
        if (inStream)
            r.push(cmd::AbortRequest{s.request});
        if (s.initialEvents) {
            if (f.code == 422) {
                // Server without WatchList (§3.7): remember it and list the classic way, at once.
                r.memory().streamingListUnsupported = true;
                r.log(LogLevel::Info, QStringLiteral("streaming-list.unsupported"),
                      QStringLiteral("server refuses streaming lists; using LIST"));
                r.cancelBatch(QStringLiteral("streaming list unsupported"));
                r.startRelist(*s.initialEvents);
            } else {
                relistFailed(r, *s.initialEvents, f);
            }
            return;
        }
        if (inStream) {
            // 410: the RV was compacted. Anything else in-stream may have cost events: relist too, it is the
            // one cure that cannot miss anything. Both start not older than the last RV.
            const QString key =
                f.expired() ? QStringLiteral("watch.expired") : f.key(QLatin1StringView("watch.stream"));
            const QString text = f.expired() ? QString(QLatin1StringView("resourceVersion ") + s.rv +
                                                       QLatin1StringView(" expired (") + f.text() +
                                                       QLatin1StringView("); relisting"))
                                             : QString(QLatin1StringView("watch error event: ") + f.text() +
                                                       QLatin1StringView("; relisting"));
            r.backOff(Relist{s.rv, true}, key, text, f.expired() ? QStringLiteral("expired") : f.text(),
                      f.retryAfterSeconds, f.expired() ? std::nullopt : std::optional(f.error()));
        } else if (f.expired()) {
            r.backOff(Relist{s.rv, true}, QStringLiteral("watch.expired"),
                      QLatin1StringView("resourceVersion ") + s.rv + QLatin1StringView(" expired (") +
                          f.text() + QLatin1StringView("); relisting"),
                      QStringLiteral("expired"), f.retryAfterSeconds, std::nullopt);
        } else if (f.rvTooLarge()) {
            // The server is behind our RV (etcd restored from a backup, §8): re-watching would wait forever.
            // The relist not older than it hits the same wall and falls back to the newest state.
            r.backOff(Relist{s.rv, true}, f.key(QLatin1StringView("watch")),
                      QLatin1StringView("resourceVersion ") + s.rv +
                          QLatin1StringView(" is newer than the server (") + f.text() +
                          QLatin1StringView("); relisting"),
                      QStringLiteral("resourceVersion too large"), f.retryAfterSeconds, f.error());
        } else if (f.code == 401) {
            r.unauthorized(then, f);
        } else if (!f.retryable()) {
            r.stop(QLatin1StringView("watching failed: ") + f.text(), f.error());
        } else {
            r.backOff(then, f.key(QLatin1StringView("watch")), QLatin1StringView("watch failed: ") + f.text(),
                      f.text(), f.retryAfterSeconds, f.error());
        }
        return;
    }
    if (std::holds_alternative<in::IdleTimeout>(input)) {
        // No byte for longer than the server's heartbeat allows: a half-open connection (§8). Resume at once.
        const qint64 silence = s.allowedSilenceMs;
        r.abortCurrent();
        r.cancelBatch(QStringLiteral("watch stalled"));
        r.markStale(r.now() - silence, QStringLiteral("stalled"));
        r.failure(QStringLiteral("watch.stalled"),
                  QLatin1StringView("watch silent for ") + seconds(silence) +
                      QLatin1StringView("; reconnecting"),
                  std::nullopt, LogLevel::Warning);
        if (s.initialEvents)
            r.startRelist(*s.initialEvents);
        else
            r.startWatch(s.rv);
        return;
    }
    if (const auto *lost = std::get_if<in::NetworkLost>(&input)) {
        r.abortCurrent();
        r.cancelBatch(QStringLiteral("network lost"));
        r.goOffline(then, lost->suspended);
        return;
    }
    if (std::holds_alternative<in::NetworkRestored>(input)) {
        // After a resume or a network switch the open connection is most likely dead: replace it now.
        r.abortCurrent();
        r.cancelBatch(QStringLiteral("network changed"));
        r.resume(then);
    }
}

void onWaiting(Rules &r, const Phase &phase, const Input &input)
{
    if (const auto *waiting = std::get_if<state::BackingOff>(&phase)) {
        if (std::holds_alternative<in::TimerFired>(input)) {
            if (r.now() < waiting->until) // early (coarse timer) or stale: wait for the rest
                r.push(cmd::ArmTimer{waiting->until - r.now()});
            else
                r.resume(waiting->then);
        } else if (std::holds_alternative<in::NetworkRestored>(input)) {
            r.log(LogLevel::Info, QStringLiteral("online"), QStringLiteral("network back; retrying now"));
            r.resume(waiting->then); // the wait was for a network that is now back: do not sit it out
        } else if (const auto *lost = std::get_if<in::NetworkLost>(&input)) {
            r.goOffline(waiting->then, lost->suspended);
        }
    } else if (const auto *refreshing = std::get_if<state::RefreshingCredentials>(&phase)) {
        if (const auto *refreshed = std::get_if<in::CredentialsRefreshed>(&input)) {
            if (refreshed->ok)
                r.resume(refreshing->then);
            else
                r.stop(QStringLiteral("refreshing credentials failed"),
                       WatchError{ErrorKind::Credentials, 401, QStringLiteral("Unauthorized"),
                                  QStringLiteral("refreshing credentials failed")});
        } else if (const auto *lost = std::get_if<in::NetworkLost>(&input)) {
            r.memory().refreshedCredentials = false; // the refresh is forgotten: allow another one later
            r.goOffline(refreshing->then, lost->suspended);
        }
    } else if (const auto *offline = std::get_if<state::Offline>(&phase)) {
        if (std::holds_alternative<in::NetworkRestored>(input)) {
            r.log(LogLevel::Info, QStringLiteral("online"),
                  QLatin1StringView("network back after ") + seconds(r.now() - offline->since));
            r.resume(offline->then);
        }
    }
}

// Inputs that report on a request; they are stale unless they name the request in flight.
std::optional<RequestId> requestOf(const Input &input)
{
    return std::visit(
        [](const auto &i) -> std::optional<RequestId> {
            if constexpr (requires { i.request; })
                return i.request;
            else
                return std::nullopt;
        },
        input);
}

} // namespace

Step transition(const State &state, const Input &input, const RetryWatcherContext &context)
{
    if (std::holds_alternative<state::Stopped>(state.phase))
        return Step{state, {}};
    // A reply for anything but the request in flight (aborted, superseded, or none in flight) is stale.
    if (const auto request = requestOf(input);
        request && (*request == 0 || *request != currentRequest(state)))
        return Step{state, {}};

    Rules r(state, context);
    if (std::holds_alternative<in::Stop>(input)) {
        // The returned state is Stopped before the driver runs AbortRequest, so whatever the abort makes the
        // driver report next finds a Stopped state and is ignored: Finished goes out exactly once.
        r.abortCurrent();
        r.stop(QStringLiteral("stopped"), std::nullopt);
        return r.take();
    }
    std::visit(Overloaded{
                   [&](const state::Idle &) {
                       if (std::holds_alternative<in::Start>(input))
                           r.startRelist(Relist{});
                   },
                   [&](const state::Listing &s) { onListing(r, s, input); },
                   [&](const state::Watching &s) { onWatching(r, s, input); },
                   [&](const state::Stopped &) {},
                   [&](const auto &) { onWaiting(r, state.phase, input); },
               },
               state.phase);
    return r.take();
}

State initialState()
{
    return State{state::Idle{}, Memory{}};
}

RequestId currentRequest(const State &state)
{
    if (const auto *listing = std::get_if<state::Listing>(&state.phase))
        return listing->request;
    if (const auto *watching = std::get_if<state::Watching>(&state.phase))
        return watching->request;
    return 0;
}

bool isStopped(const State &state)
{
    return std::holds_alternative<state::Stopped>(state.phase);
}

qint64 watchIdleMs(const RetryWatcherConfig &config, int timeoutSeconds)
{
    // Without bookmarks a quiet resource may stay silent until the server's timeout (kube-rs: timeout + 5 s).
    if (!config.allowBookmarks)
        return qint64(timeoutSeconds) * 1000 + config.idleMarginMs;
    return config.bookmarkIntervalMs + config.idleMarginMs;
}

QLatin1StringView phaseName(const State &state)
{
    return std::visit(
        Overloaded{
            [](const state::Idle &) { return QLatin1StringView("Idle"); },
            [](const state::Listing &) { return QLatin1StringView("Listing"); },
            [](const state::Watching &) { return QLatin1StringView("Watching"); },
            [](const state::BackingOff &) { return QLatin1StringView("BackingOff"); },
            [](const state::RefreshingCredentials &) { return QLatin1StringView("RefreshingCredentials"); },
            [](const state::Offline &) { return QLatin1StringView("Offline"); },
            [](const state::Stopped &) { return QLatin1StringView("Stopped"); },
        },
        state.phase);
}

QString describe(const Command &command)
{
    const auto yes = [](bool b) { return b ? QLatin1StringView("yes") : QLatin1StringView("no"); };
    const auto match = [](RvMatch m) {
        return m == RvMatch::NotOlderThan ? QLatin1StringView("NotOlderThan") : QLatin1StringView("-");
    };
    return std::visit(
        Overloaded{
            [&](const cmd::StartList &c) -> QString {
                return QLatin1StringView("StartList #") + number(qint64(c.request)) +
                       QLatin1StringView(" rv=") + c.rv + QLatin1StringView(" match=") + match(c.rvMatch) +
                       QLatin1StringView(" continue=") + c.continueToken + QLatin1StringView(" limit=") +
                       number(c.limit);
            },
            [&](const cmd::StartWatch &c) -> QString {
                return QLatin1StringView("StartWatch #") + number(qint64(c.request)) +
                       QLatin1StringView(" rv=") + c.rv + QLatin1StringView(" timeout=") +
                       number(c.timeoutSeconds) + QLatin1StringView(" bookmarks=") + yes(c.allowBookmarks) +
                       QLatin1StringView(" initialEvents=") + yes(c.sendInitialEvents) +
                       QLatin1StringView(" match=") + match(c.rvMatch);
            },
            [&](const cmd::AbortRequest &c) -> QString {
                return QLatin1StringView("AbortRequest #") + number(qint64(c.request));
            },
            [&](const cmd::ArmTimer &c) -> QString { return QLatin1StringView("ArmTimer ") + number(c.ms); },
            [&](const cmd::ArmIdleTimer &c) -> QString {
                return QLatin1StringView("ArmIdleTimer #") + number(qint64(c.request)) + QLatin1Char(' ') +
                       number(c.ms);
            },
            [&](const cmd::RefreshCredentials &) -> QString { return QStringLiteral("RefreshCredentials"); },
            [&](const cmd::MarkStale &c) -> QString {
                return QLatin1StringView("MarkStale since=") + number(c.since) +
                       QLatin1StringView(" cause=") + c.cause;
            },
            [&](const cmd::MarkFresh &) -> QString { return QStringLiteral("MarkFresh"); },
            [&](const cmd::RelistBegin &) -> QString { return QStringLiteral("RelistBegin"); },
            [&](const cmd::RelistEnd &c) -> QString { return QLatin1StringView("RelistEnd rv=") + c.rv; },
            [&](const cmd::RelistCancel &c) -> QString {
                return QLatin1StringView("RelistCancel ") + c.cause;
            },
            [&](const cmd::EmitError &c) -> QString {
                return QLatin1StringView(c.fatal ? "EmitError fatal " : "EmitError ") +
                       number(c.error.httpCode) + QLatin1Char(' ') + c.error.reason;
            },
            [&](const cmd::Finished &c) -> QString {
                return QLatin1StringView(c.error ? "Finished error: " : "Finished: ") + c.reason;
            },
            [&](const cmd::Log &c) -> QString {
                return QLatin1StringView("Log ") + c.key + QLatin1StringView(": ") + c.text;
            },
        },
        command);
}

} // namespace cw::watch
