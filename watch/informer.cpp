// SPDX-License-Identifier: Apache-2.0
#include "informer.h"

#include "apiclient.h"
#include "listwatchhttp.h"

#include <QDateTime>

#include <algorithm>
#include <climits>

namespace cw::watch {

namespace {

template <typename... Fs> struct Overloaded : Fs...
{
    using Fs::operator()...;
};

qint64 wallNow()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString recoveredCounts(const QList<Change> &changes)
{
    int added = 0;
    int modified = 0;
    int deleted = 0;
    for (const Change &change : changes) {
        added += change.type == ChangeType::Added ? 1 : 0;
        modified += change.type == ChangeType::Modified ? 1 : 0;
        deleted += change.type == ChangeType::Deleted ? 1 : 0;
    }
    return QLatin1StringView("+") + QString::number(added) + QLatin1StringView(" ~") + QString::number(modified) +
           QLatin1StringView(" -") + QString::number(deleted);
}

} // namespace

Informer::Informer(ApiClient *client, ResourceSpec spec, InformerOptions options, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_spec(std::move(spec))
    , m_stream(m_spec.id())
    , m_options(std::move(options))
    , m_backoff(m_options.seed, m_options.backoff)
    // A different stream of numbers than the backoff's, from the same replayable seed.
    , m_random(m_options.seed * 0x9e3779b97f4a7c15ULL + 1)
    , m_state(initialState())
    , m_health(m_stream)
{
    m_idleTimer.setSingleShot(true);
    m_backoffTimer.setSingleShot(true);
    // A coarse timer may fire up to 5 % early, which the machine answers by re-arming for the rest.
    m_backoffTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_idleTimer, &QTimer::timeout, this, &Informer::onIdle);
    connect(&m_backoffTimer, &QTimer::timeout, this, [this] { feed(in::TimerFired{}); });
    m_decoder = new DecodeWorker(m_options.keepManagedFields, m_options.decodeThreads);
    connect(m_decoder, &DecodeWorker::decodedReady, this, &Informer::onDecoded, Qt::QueuedConnection);
}

Informer::~Informer()
{
    // The owner stops streams before deleting them; whatever is still open is cut without a word.
    for (const std::unique_ptr<Request> *request : {&m_request, &m_prefetch}) {
        if (*request && (*request)->reply) {
            QNetworkReply *reply = (*request)->reply;
            reply->disconnect(this);
            reply->abort();
            delete reply;
        }
    }
    // Its decoding threads let go of the reads they still hold; their results reach no one.
    m_decoder->disconnect(this);
    delete m_decoder;
}

StreamState Informer::streamState() const
{
    return std::visit(Overloaded{
                          [](const state::Idle &) { return StreamState::Connecting; },
                          [](const state::Listing &) { return StreamState::Listing; },
                          [](const state::Watching &w) {
                              if (w.initialEvents)
                                  return StreamState::Listing;
                              return w.opened ? StreamState::Live : StreamState::Connecting;
                          },
                          [](const state::BackingOff &) { return StreamState::Backoff; },
                          [](const state::RefreshingCredentials &) { return StreamState::Connecting; },
                          [](const state::Offline &) { return StreamState::Offline; },
                          [](const state::Stopped &s) { return s.error ? StreamState::Failed : StreamState::Stopped; },
                      },
                      m_state.phase);
}

void Informer::start()
{
    feed(in::Start{});
}

void Informer::stop()
{
    feed(in::Stop{});
}

void Informer::networkLost(bool suspended)
{
    feed(in::NetworkLost{suspended},
         Fact{suspended ? QStringLiteral("suspended") : QStringLiteral("network lost"), QString(), 0, false,
              StreamState::Offline});
}

void Informer::networkRestored(bool resumed)
{
    feed(in::NetworkRestored{resumed},
         Fact{resumed ? QStringLiteral("resumed from suspend") : QStringLiteral("network restored"), QString(), 0,
              false, std::nullopt});
}

Batch Informer::takeBatch()
{
    Batch batch = std::exchange(m_pending, Batch{});
    batch.stream = m_stream;
    if (batch.reset)
        batch.snapshot = m_store.snapshot();
    batch.sample = sample();
    m_pendingSignalled = false;
    m_fullSignalled = false;
    return batch;
}

StreamSample Informer::sample() const
{
    StreamSample s;
    s.timeMs = wallNow();
    s.state = streamState();
    s.bytes = m_health.bytes;
    s.events = m_health.events;
    s.lastByteMs = m_lastByteMs;
    s.lastEventMs = m_lastEventMs;
    s.staleSinceMs = m_health.staleSince().value_or(0);
    s.retryAtMs = s.state == StreamState::Backoff && m_backoffTimer.isActive() ? m_retryAtMs : 0;
    s.listing = m_collecting;
    s.listed = m_collecting ? m_relistItems.size() : m_store.size();
    s.listTotal = m_collecting ? m_listTotal : qint64(m_store.size());
    s.objects = m_store.size();
    return s;
}

void Informer::feed(const Input &input)
{
    feed(input, Fact{});
}

void Informer::feed(const Input &input, const Fact &fact)
{
    // Commands may raise inputs (a credential refresh answers at once); they wait for the step to finish, so
    // every step runs against the state the previous one left.
    if (m_feeding) {
        m_queue.append({input, fact});
        return;
    }
    m_feeding = true;
    process(input, fact);
    while (!m_queue.isEmpty()) {
        const auto [next, nextFact] = m_queue.takeFirst();
        process(next, nextFact);
    }
    m_feeding = false;
}

void Informer::process(const Input &input, const Fact &fact)
{
    if (isStopped(m_state))
        return;
    const RetryWatcherContext context{m_options.machine, m_clock, m_backoff, m_random};
    // Both clocks read together, before the machine reads its own: a stale mark the step makes maps to this
    // wall-clock moment exactly, not a millisecond early because the monotonic one ticked in between.
    m_stepMonoMs = m_clock.nowMs();
    m_stepWallMs = wallNow();
    Step step = transition(m_state, input, context);
    // The new state first: an abort below must find it, so that nothing the abort causes is taken for news.
    m_state = std::move(step.state);
    m_fact = fact;
    m_stepEvents = 0;
    if (fact.failure)
        ++m_health.errors;
    if (!fact.reason.isEmpty()) {
        qint64 backoffMs = 0;
        for (const Command &command : std::as_const(step.commands)) {
            if (const auto *timer = std::get_if<cmd::ArmTimer>(&command))
                backoffMs = timer->ms;
        }
        report(m_health.event(fact.state.value_or(streamState()), fact.reason, fact.detail, fact.httpCode,
                              backoffMs));
    }
    for (const Command &command : std::as_const(step.commands))
        execute(command);
    // A prefetch lives while the machine still waits for the page that named it; a StartList for its page
    // has adopted it by now, every other way out of that wait makes it worthless.
    if (m_prefetch && currentRequest(m_state) != m_prefetch->parent)
        dropPrefetch();
    // A relist's batch is usually far over the limit: it goes out once the step that completed it is done
    // (the relist end, the gap it closes, the watch it starts), not after the coalescing delay.
    if (m_options.pendingLimit > 0 && !m_fullSignalled && m_pending.changes.size() >= m_options.pendingLimit) {
        m_fullSignalled = true;
        emit pendingFull();
    }
    const StreamState now = streamState();
    if (m_stepEvents == 0 && now != m_reportedState)
        report(m_health.event(now, now == StreamState::Live ? QStringLiteral("connected") : streamStateName(now)));
    m_reportedState = now;
    m_fact = Fact{};
}

void Informer::execute(const Command &command)
{
    std::visit(
        Overloaded{
            [this](const cmd::StartList &c) { startList(c); },
            [this](const cmd::StartWatch &c) {
                if (m_watchesStarted++ > 0)
                    ++m_health.reconnects;
                startRequest(c.request, true, watchQuery(m_spec, c));
            },
            [this](const cmd::AbortRequest &c) { abortRequest(c.request); },
            [this](const cmd::ArmTimer &c) {
                const int ms = int(std::clamp<qint64>(c.ms, 0, INT_MAX));
                m_retryAtMs = wallNow() + ms;
                m_backoffTimer.start(ms);
            },
            [this](const cmd::ArmIdleTimer &c) {
                m_idleFor = c.request;
                m_idleMs = std::clamp<qint64>(c.ms, 1, INT_MAX);
                m_idleTimer.start(int(m_idleMs));
            },
            [this](const cmd::RefreshCredentials &) {
                // The client re-reads the token file / re-runs the plugin on its next request.
                m_client->credentialsRejected();
                feed(in::CredentialsRefreshed{true});
            },
            [this](const cmd::MarkStale &c) {
                // The machine's clock is monotonic; gaps are shown on the wall clock.
                const qint64 ago = std::max<qint64>(0, m_stepMonoMs - c.since);
                m_health.markStale(m_stepWallMs - ago, m_fact.reason.isEmpty() ? c.cause : m_fact.reason);
            },
            [this](const cmd::MarkFresh &) {
                if (const auto gap = m_health.markFresh(wallNow())) {
                    m_pending.gaps.append(*gap);
                    report(m_health.event(streamState(), QStringLiteral("resumed"),
                                          gap->cause + QLatin1StringView(", stale for ") +
                                              QString::number(gap->endMs - gap->startMs) + QLatin1StringView(" ms")));
                }
            },
            [this](const cmd::RelistBegin &) {
                m_collecting = true;
                m_relistItems.clear();
                m_listTotal = -1;
                if (m_initialListDone)
                    ++m_health.relists;
                report(m_health.event(StreamState::Listing, QStringLiteral("relist start"),
                                      m_initialListDone ? QLatin1StringView("after ") + m_health.staleCause()
                                                        : QStringLiteral("initial list")));
            },
            [this](const cmd::RelistEnd &c) { relistEnded(c.rv); },
            [this](const cmd::RelistCancel &c) {
                m_collecting = false;
                m_relistItems.clear();
                report(m_health.event(streamState(), QStringLiteral("relist cancelled"), c.cause));
            },
            [this](const cmd::EmitError &c) {
                if (c.fatal)
                    m_fatal = toStreamError(c.error);
            },
            [this](const cmd::Finished &c) {
                m_finished = true;
                m_idleTimer.stop();
                m_backoffTimer.stop();
                m_health.logSummary();
                if (c.error && !m_fatal)
                    m_fatal = StreamError{StreamError::Kind::Protocol, 0, QString(), c.reason};
                report(m_health.event(c.error ? StreamState::Failed : StreamState::Stopped,
                                      c.error ? QStringLiteral("error") : QStringLiteral("stopped"), c.reason,
                                      m_fatal ? m_fatal->httpCode : 0));
                emit finished(c.error ? m_fatal : std::nullopt);
            },
            [this](const cmd::Log &c) {
                // A warning about a failure is keyed by what happened ("throttled 429"), not by whether a LIST
                // or a WATCH met it; the end of a stream is always told.
                const bool failure = m_fact.failure || m_fact.state == StreamState::Stalled;
                const bool byFact =
                    c.level == LogLevel::Warning && failure && c.key != QLatin1StringView("finished.error");
                m_health.log(c.level, byFact ? m_fact.reason : c.key, c.text);
            },
        },
        command);
}

void Informer::relistEnded(const QString &rv)
{
    // The initial list is news, not recovery; every later one replaces a store that may have missed things.
    const bool recovered = m_initialListDone;
    const QString reason = QLatin1StringView("relist after ") +
                           (m_health.isStale() ? m_health.staleCause() : QStringLiteral("a resync"));
    const QList<Change> changes = m_store.replace(m_relistItems, recovered, reason, wallNow());
    m_relistItems.clear();
    m_collecting = false;
    m_initialListDone = true;
    if (recovered)
        m_health.recovered(changes);
    m_health.lastResourceVersion = rv;
    m_pending.reset = true;
    if (m_pending.changes.isEmpty())
        m_pending.changes = changes; // shared, not copied change by change
    else
        m_pending.changes.append(changes);
    report(m_health.event(streamState(), QStringLiteral("relist end"),
                          QString::number(m_store.size()) + QLatin1StringView(" objects at resourceVersion ") + rv +
                              (recovered ? QLatin1StringView("; recovered ") + recoveredCounts(changes) : QString())));
}

void Informer::report(HealthEvent event)
{
    m_pending.health.append(std::move(event));
    ++m_stepEvents;
    markPending();
}

void Informer::markPending()
{
    if (m_pendingSignalled)
        return;
    m_pendingSignalled = true;
    emit pending();
}

} // namespace cw::watch
