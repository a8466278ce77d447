// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "backoff.h"
#include "watchevent.h"

#include <QList>
#include <QString>

#include <optional>
#include <variant>

// The list/watch retry logic as data: a state (one variant alternative per phase, each holding only what is
// valid in that phase), inputs the driver observes, and commands it must carry out. transition() decides
// everything; the QObject driver around it only performs I/O and timers. Rules: protocol doc §7.6.
//
// Driver contract: keep the returned state *before* executing the commands, then execute them in order. An
// AbortRequest re-enters the driver's error path synchronously; the input it produces carries the aborted
// request's id and is ignored, and a Stopped state ignores everything, so Finished is emitted exactly once.
namespace cw::watch {

// Identifies one HTTP request. Ids are never reused, so a late signal from an aborted reply cannot be
// mistaken for news about the request that replaced it.
using RequestId = quint64;
using EventType = WatchEvent::Type;

// How a relist asks for its snapshot (§2.2, §7.1).
struct Relist
{
    // "" = consistent read of the newest state; otherwise the last RV the store saw.
    QString rv;
    // rv is a floor (resourceVersionMatch=NotOlderThan): the watch cache can answer at once and the
    // snapshot can never be older than what the store already holds.
    bool notOlderThan = false;
};
// Continue watching where the store stands; nothing was lost.
struct ResumeWatch
{
    QString rv;
};
// What to do when a wait (backoff, offline, credential refresh) is over.
using Resumption = std::variant<ResumeWatch, Relist>;

namespace state {
// Constructed, not started: nothing to resume from yet.
struct Idle
{
};
// Paging through a LIST into a relist batch (between RelistBegin and RelistEnd).
struct Listing
{
    RequestId request = 0; // the page request in flight
    Relist plan;           // what page 1 asked for; every restart repeats it
    QString continueToken; // token of the page in flight, "" for page 1
    int pages = 0;         // pages received so far
    int restarts = 0;      // restarts after an expired continue token; from the second one on, unpaginated
    int limit = 0;         // page size of this list; 0 = unpaginated, so no token can expire mid-list
    QString listRv;        // snapshot RV reported by page 1 (every page reports the same)
};
// A watch request is open or opening.
struct Watching
{
    RequestId request = 0;
    QString rv;       // resume point: RV of the last delivered event or bookmark
    qint64 since = 0; // start of this watch, for the very-short-watch rule and logs
    qint64 eventsThisWatch = 0;
    bool opened = false;         // HTTP 200 and headers arrived
    qint64 allowedSilenceMs = 0; // what ArmIdleTimer was given, for the stall report
    // Set while a streaming list (sendInitialEvents) fills the relist batch: ADDED events are the snapshot
    // and do not move rv until the k8s.io/initial-events-end bookmark.
    std::optional<Relist> initialEvents;
};
// Waiting out a delay after a failure; the only state in which TimerFired means something.
struct BackingOff
{
    qint64 until = 0; // absolute time; an early (coarse) timer re-arms for the rest
    Resumption then;
    QString cause;
};
// After a first 401: waiting for the driver to refresh credentials, then `then` at once.
struct RefreshingCredentials
{
    Resumption then;
};
// Network gone or machine suspended: retrying would only burn the backoff; wait for it to come back.
struct Offline
{
    Resumption then;
    qint64 since = 0;
};
// Terminal: Finished was emitted; every further input is ignored.
struct Stopped
{
    QString reason;
    bool error = false;
};
} // namespace state

using Phase = std::variant<state::Idle, state::Listing, state::Watching, state::BackingOff,
                           state::RefreshingCredentials, state::Offline, state::Stopped>;

// Facts that outlive one phase.
struct Memory
{
    RequestId lastRequest = 0;         // ids only grow
    bool refreshedCredentials = false; // a 401 right after a refresh means the fresh credentials are bad too
    bool streamingListUnsupported = false; // the server refused sendInitialEvents (422): LIST from now on
    std::optional<qint64> staleSince;      // MarkStale sent and not yet cleared: not repeated while it holds
    QString failureKey; // last failure, so that identical failures are logged once with a count
    QString failureText;
    int failureCount = 0;
};

struct State
{
    Phase phase;
    Memory memory;
};

// Kinds of transport failure; only used to name the failure in logs and errors.
enum class NetworkErrorKind
{
    ConnectionRefused,
    HostNotFound,
    Timeout,
    Tls,
    ConnectionClosed,
    Other
};

namespace in {
// Begin: the first LIST (or streaming list).
struct Start
{
};
// A LIST page arrived and its items went into the relist batch.
struct ListPageOk
{
    RequestId request = 0;
    QString rv;
    QString continueToken;
    qint64 itemCount = 0;
};
// A LIST page failed: HTTP error (code and Status reason), or httpCode 0 for an undecodable body.
struct ListFailed
{
    RequestId request = 0;
    int httpCode = 0;
    QString statusReason;
    int retryAfterSeconds = 0;
    bool causeTooLargeRv = false; // details.causes has ResourceVersionTooLarge (504)
    QString message;
};
// HTTP 200 and headers of the watch arrived.
struct WatchOpened
{
    RequestId request = 0;
};
// One decoded event (not ERROR) was delivered to the store.
struct WatchEvent
{
    RequestId request = 0;
    EventType type = EventType::Added;
    QString rv;
    bool initialEventsEnd = false;
};
// An in-stream ERROR event; the server ends the stream right after it (§3.8).
struct WatchErrorEvent
{
    RequestId request = 0;
    int code = 0;
    QString reason;
    int retryAfterSeconds = 0;
    bool causeTooLargeRv = false;
    QString message;
};
// The watch response ended: clean = complete HTTP body (server timeout), otherwise a broken connection.
struct StreamEnded
{
    RequestId request = 0;
    bool clean = true;
    qint64 eventsDelivered = 0;
    qint64 durationMs = 0;
};
// The watch request got a non-200 status (Status or plain-text body).
struct HttpError
{
    RequestId request = 0;
    int code = 0;
    QString reason;
    int retryAfterSeconds = 0;
    bool causeTooLargeRv = false;
    QString message;
};
// The request failed below HTTP.
struct NetworkError
{
    RequestId request = 0;
    NetworkErrorKind kind = NetworkErrorKind::Other;
    QString message;
};
// No byte arrived on the request for the time given by ArmIdleTimer.
struct IdleTimeout
{
    RequestId request = 0;
};
// The timer armed by ArmTimer fired (possibly early or stale: checked against the state's deadline).
struct TimerFired
{
};
// Answer to RefreshCredentials.
struct CredentialsRefreshed
{
    bool ok = true;
};
// The application wants the watcher gone.
struct Stop
{
};
// Network unreachable, or the machine is about to suspend.
struct NetworkLost
{
    bool suspended = false;
};
// Network reachable again, or the machine resumed.
struct NetworkRestored
{
    bool resumed = false;
};
} // namespace in

using Input =
    std::variant<in::Start, in::ListPageOk, in::ListFailed, in::WatchOpened, in::WatchEvent,
                 in::WatchErrorEvent, in::StreamEnded, in::HttpError, in::NetworkError, in::IdleTimeout,
                 in::TimerFired, in::CredentialsRefreshed, in::Stop, in::NetworkLost, in::NetworkRestored>;

enum class RvMatch
{
    Unset,
    NotOlderThan
};
enum class LogLevel
{
    Debug,
    Info,
    Warning
};

// The typed error the watcher reports (style habit 9); app/ turns it into words.
// Protocol: the server's answer made no sense (undecodable body, missing resourceVersion, a streaming list
// that ended early).
enum class ErrorKind
{
    Network,
    Http,
    Unauthorized,
    Forbidden,
    NotFound,
    Invalid,
    Credentials,
    Protocol
};
struct WatchError
{
    ErrorKind kind = ErrorKind::Http;
    int httpCode = 0;
    QString reason; // Status reason ("Forbidden"), or the network error kind
    QString message;
};

namespace cmd {
// GET the collection (one page).
struct StartList
{
    RequestId request = 0;
    QString rv; // empty: omit the parameter
    RvMatch rvMatch = RvMatch::Unset;
    QString continueToken; // empty: omit
    int limit = 0;         // 0: omit (unpaginated)
};
// GET ?watch=1.
struct StartWatch
{
    RequestId request = 0;
    QString rv;
    int timeoutSeconds = 0;
    bool allowBookmarks = true;
    bool sendInitialEvents = false; // streaming list; implies rvMatch NotOlderThan and bookmarks
    RvMatch rvMatch = RvMatch::Unset;
};
// Abort this request if it is still running.
struct AbortRequest
{
    RequestId request = 0;
};
// (Re)arm the single backoff timer; it answers with TimerFired.
struct ArmTimer
{
    qint64 ms = 0;
};
// Arm the read-idle timer of this request, restarted on every received chunk; answers with IdleTimeout.
struct ArmIdleTimer
{
    RequestId request = 0;
    qint64 ms = 0;
};
// Obtain fresh credentials (exec plugin, token file); answer with CredentialsRefreshed.
struct RefreshCredentials
{
};
// The store may be missing changes since `since` (shown to the user, never silently).
struct MarkStale
{
    qint64 since = 0;
    QString cause;
};
// Changes flow again: the store is current.
struct MarkFresh
{
};
// A relist starts: collect the objects that follow in a batch instead of applying them.
struct RelistBegin
{
};
// The batch is complete at rv: replace the store with it atomically (and synthesise what the gap hid).
struct RelistEnd
{
    QString rv;
};
// The batch will never complete: drop it. Every RelistBegin is closed by exactly one RelistEnd or
// RelistCancel.
struct RelistCancel
{
    QString cause;
};
// Report an error; fatal ones are followed by Finished. Non-fatal ones are sent once per distinct failure.
struct EmitError
{
    WatchError error;
    bool fatal = false;
};
// The watcher is done, emitted exactly once.
struct Finished
{
    QString reason;
    bool error = false;
};
// A log line. Repeated identical failures produce one line, then one line with the count when they end.
struct Log
{
    LogLevel level = LogLevel::Info;
    QString key;
    QString text;
};
} // namespace cmd

using Command =
    std::variant<cmd::StartList, cmd::StartWatch, cmd::AbortRequest, cmd::ArmTimer, cmd::ArmIdleTimer,
                 cmd::RefreshCredentials, cmd::MarkStale, cmd::MarkFresh, cmd::RelistBegin, cmd::RelistEnd,
                 cmd::RelistCancel, cmd::EmitError, cmd::Finished, cmd::Log>;

struct RetryWatcherConfig
{
    // client-go's and kube-rs' page size: bounds the memory of one response while keeping round trips few.
    int pageLimit = 500;
    // Watch timeout drawn uniformly from [min, max) s as client-go does, so that many clients (or many
    // watches of one app) do not reconnect in lock step.
    int watchTimeoutMinSeconds = 300;
    int watchTimeoutMaxSeconds = 600;
    // Bookmarks move the RV of quiet resources (fewer 410s) and are the only server heartbeat.
    bool allowBookmarks = true;
    // The server sends a bookmark about every 60 s; longer silence means the stream may be dead (§8).
    qint64 bookmarkIntervalMs = 60'000;
    // Slack on top of the bookmark interval for a loaded server and a slow network before calling it stalled.
    qint64 idleMarginMs = 30'000;
    // A LIST is answered within the server's own 60 s request timeout; beyond that plus margin it hung.
    qint64 listIdleMs = 90'000;
    // client-go's VeryShortWatchError: a watch that ends this fast with no event hides an error (e.g. an
    // empty 200 for a stale RV, §3.8); it counts as a failure instead of an endless immediate re-watch.
    qint64 veryShortWatchMs = 1'000;
    // Use streaming lists (sendInitialEvents) for relists. Off by default: only v1.34+ servers have it on,
    // and older ones cost a 422 round trip before falling back to LIST.
    bool streamingList = false;
};

// Everything transition() reads besides the state: configuration, the clock, and the random sources it
// draws from (the backoff advances on each failure: it is shared by relists and re-watches, as in client-go).
struct RetryWatcherContext
{
    const RetryWatcherConfig &config;
    const Clock &clock;
    Backoff &backoff;
    Random &random;
};

struct Step
{
    State state;
    QList<Command> commands;
};

// The whole retry logic.
Step transition(const State &state, const Input &input, const RetryWatcherContext &context);

State initialState();
// The request whose replies are current, 0 when none is in flight.
RequestId currentRequest(const State &state);
bool isStopped(const State &state);
// Silence allowed on a watch before it counts as stalled.
qint64 watchIdleMs(const RetryWatcherConfig &config, int timeoutSeconds);
QLatin1StringView phaseName(const State &state);
QString describe(const Command &command);

} // namespace cw::watch
