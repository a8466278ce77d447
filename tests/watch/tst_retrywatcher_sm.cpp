// SPDX-License-Identifier: Apache-2.0
#include "retrywatcher_sm.h"
#include "testmain.h"

#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <algorithm>

using namespace cw::watch;
using Inputs = QList<Input>;

Q_DECLARE_METATYPE(cw::watch::Input)
Q_DECLARE_METATYPE(QList<cw::watch::Input>)

namespace {

// Stands for "the request before the current one" in an input: a late signal from an aborted reply.
constexpr RequestId Previous = ~RequestId(0);

QString s(const char *text)
{
    return QString::fromLatin1(text);
}

Input start()
{
    return in::Start{};
}
Input page(const char *rv, const char *continueToken = "")
{
    return in::ListPageOk{0, s(rv), s(continueToken), 1};
}
Input listFailed(int code, const char *reason = "", int retryAfter = 0, bool tooLarge = false)
{
    return in::ListFailed{0, code, s(reason), retryAfter, tooLarge, QString()};
}
Input opened(RequestId request = 0)
{
    return in::WatchOpened{request};
}
Input watchEvent(EventType type, const char *rv)
{
    return in::WatchEvent{0, type, s(rv), false};
}
Input modified(const char *rv)
{
    return watchEvent(EventType::Modified, rv);
}
Input initialEventsEnd(const char *rv)
{
    return in::WatchEvent{0, EventType::Bookmark, s(rv), true};
}
Input streamError(int code, const char *reason, int retryAfter = 0, bool tooLarge = false)
{
    return in::WatchErrorEvent{0, code, s(reason), retryAfter, tooLarge, QString()};
}
Input ended(bool clean, qint64 events, qint64 ms, RequestId request = 0)
{
    return in::StreamEnded{request, clean, events, ms};
}
Input http(int code, const char *reason = "", int retryAfter = 0, bool tooLarge = false)
{
    return in::HttpError{0, code, s(reason), retryAfter, tooLarge, QString()};
}
Input network(RequestId request = 0)
{
    return in::NetworkError{request, NetworkErrorKind::ConnectionRefused, QString()};
}
Input idle()
{
    return in::IdleTimeout{0};
}
Input timer()
{
    return in::TimerFired{};
}
Input refreshed(bool ok = true)
{
    return in::CredentialsRefreshed{ok};
}
Input stop()
{
    return in::Stop{};
}
Input lost(bool suspended = false)
{
    return in::NetworkLost{suspended};
}
Input restored(bool resumed = false)
{
    return in::NetworkRestored{resumed};
}

Inputs watchingAt(const char *rv)
{
    return {start(), page(rv), opened()};
}
Inputs operator+(Inputs a, const Input &b)
{
    a.append(b);
    return a;
}

// Compact, test-side rendering of a command; request ids and random timeouts are left out on purpose.
QString brief(const Command &command)
{
    return std::visit(
        [](const auto &c) -> QString {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, cmd::StartList>) {
                QString t = s("list");
                if (!c.rv.isEmpty())
                    t += s(" rv=") + c.rv;
                if (c.rvMatch == RvMatch::NotOlderThan)
                    t += s(" notOlderThan");
                if (!c.continueToken.isEmpty())
                    t += s(" continue=") + c.continueToken;
                return t + s(" limit=") + QString::number(c.limit);
            } else if constexpr (std::is_same_v<T, cmd::StartWatch>) {
                QString t = s("watch");
                if (!c.rv.isEmpty())
                    t += s(" rv=") + c.rv;
                if (c.sendInitialEvents)
                    t += s(" initialEvents");
                if (c.rvMatch == RvMatch::NotOlderThan)
                    t += s(" notOlderThan");
                if (!c.allowBookmarks)
                    t += s(" noBookmarks");
                return t;
            } else if constexpr (std::is_same_v<T, cmd::AbortRequest>) {
                return s("abort");
            } else if constexpr (std::is_same_v<T, cmd::ArmTimer>) {
                return s("timer ") + QString::number(c.ms);
            } else if constexpr (std::is_same_v<T, cmd::ArmIdleTimer>) {
                return s("idle ") + QString::number(c.ms);
            } else if constexpr (std::is_same_v<T, cmd::RefreshCredentials>) {
                return s("refresh");
            } else if constexpr (std::is_same_v<T, cmd::MarkStale>) {
                return s("stale");
            } else if constexpr (std::is_same_v<T, cmd::MarkFresh>) {
                return s("fresh");
            } else if constexpr (std::is_same_v<T, cmd::RelistBegin>) {
                return s("begin");
            } else if constexpr (std::is_same_v<T, cmd::RelistEnd>) {
                return s("end rv=") + c.rv;
            } else if constexpr (std::is_same_v<T, cmd::RelistCancel>) {
                return s("cancel");
            } else if constexpr (std::is_same_v<T, cmd::EmitError>) {
                return s(c.fatal ? "fatal " : "error ") + QString::number(c.error.httpCode);
            } else if constexpr (std::is_same_v<T, cmd::Finished>) {
                return s(c.error ? "finished with error" : "finished");
            } else {
                return s("log ") + c.key;
            }
        },
        command);
}

Backoff::Config exactBackoff()
{
    Backoff::Config config;
    config.jitter = 0.0; // delays become exact: 800, 1600, 3200, ...
    return config;
}

template <typename T> int countOf(const QList<Command> &commands)
{
    return int(std::count_if(commands.begin(), commands.end(),
                             [](const Command &c) { return std::holds_alternative<T>(c); }));
}

struct Harness
{
    RetryWatcherConfig config;
    ManualClock clock{1'000'000};
    Backoff backoff{1, exactBackoff()};
    Random random{7};
    State state = initialState();
    RequestId previous = 0;
    bool timerFiresOnTime = true;
    QList<Command> all;
    QList<Command> last;

    void feed(Input input)
    {
        std::visit(
            [&](auto &i) {
                if constexpr (requires { i.request; }) {
                    if (i.request == 0)
                        i.request = currentRequest(state);
                    else if (i.request == Previous)
                        i.request = previous;
                }
            },
            input);
        if (timerFiresOnTime && std::holds_alternative<in::TimerFired>(input)) {
            if (const auto *waiting = std::get_if<state::BackingOff>(&state.phase))
                clock.set(std::max(clock.nowMs(), waiting->until));
        }
        const RequestId before = currentRequest(state);
        Step step = transition(state, input, RetryWatcherContext{config, clock, backoff, random});
        state = std::move(step.state);
        if (before != 0 && currentRequest(state) != before)
            previous = before;
        last = step.commands;
        all += step.commands;
    }
    void feed(const Inputs &inputs)
    {
        for (const Input &input : inputs)
            feed(input);
    }
    QStringList lastBrief(bool withLogs = false) const
    {
        QStringList out;
        for (const Command &c : last) {
            if (withLogs || !std::holds_alternative<cmd::Log>(c))
                out.append(brief(c));
        }
        return out;
    }
    QList<cmd::Log> logs(const QString &key) const
    {
        QList<cmd::Log> out;
        for (const Command &c : all) {
            if (const auto *log = std::get_if<cmd::Log>(&c); log && log->key == key)
                out.append(*log);
        }
        return out;
    }
};

} // namespace

class TestRetryWatcherStateMachine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void transition_rules_data()
    {
        QTest::addColumn<Inputs>("setup");
        QTest::addColumn<Input>("input");
        QTest::addColumn<bool>("streaming");
        QTest::addColumn<QString>("phase");
        QTest::addColumn<QStringList>("commands");
        const auto row = [](const char *name, const Inputs &setup, const Input &input, const char *phase,
                            const QStringList &commands, bool streaming = false) {
            QTest::newRow(name) << setup << input << streaming << s(phase) << commands;
        };
        const QString idle90 = s("idle 90000");

        // First list: RV unset, paginated, no RV on later pages.
        row("start_lists_the_newest_state_500_per_page", {}, start(), "Listing",
            {s("begin"), s("list limit=500"), idle90});
        row("a_page_with_continue_asks_for_the_next_page_without_rv", {start()}, page("100", "c1"), "Listing",
            {s("list continue=c1 limit=500"), idle90});
        row("the_last_page_ends_the_relist_and_watches_from_the_list_rv", {start(), page("100", "c1")},
            page("100"), "Watching", {s("end rv=100"), s("watch rv=100"), idle90});
        row("an_expired_continue_token_on_page_2_restarts_the_list", {start(), page("100", "c1")},
            listFailed(410, "Expired"), "Listing", {s("cancel"), s("begin"), s("list limit=500"), idle90});
        row("a_rejected_continue_token_restarts_the_list", {start(), page("100", "c1")},
            listFailed(400, "BadRequest"), "Listing", {s("cancel"), s("begin"), s("list limit=500"), idle90});
        row("a_second_expired_continue_token_lists_unpaginated",
            {start(), page("100", "c1"), listFailed(410, "Expired"), page("100", "c2"),
             listFailed(410, "Expired"), page("100", "c3")},
            listFailed(410, "Expired"), "Listing", {s("cancel"), s("begin"), s("list limit=0"), idle90});
        row("a_list_body_that_does_not_decode_backs_off", {start()}, listFailed(0, "DecodeError"),
            "BackingOff", {s("cancel"), s("stale"), s("error 0"), s("timer 800")});

        // 410: relist not older than the last RV, then from "" if that RV is unavailable too.
        row("in_stream_410_backs_off_before_relisting", watchingAt("100") + modified("105"),
            streamError(410, "Expired"), "BackingOff", {s("abort"), s("stale"), s("timer 800")});
        row("relist_after_410_uses_last_rv_not_older_than",
            watchingAt("100") + modified("105") + streamError(410, "Expired"), timer(), "Listing",
            {s("begin"), s("list rv=105 notOlderThan limit=500"), idle90});
        row("http_410_at_connect_relists_like_an_in_stream_410", {start(), page("100")}, http(410, "Expired"),
            "BackingOff", {s("stale"), s("timer 800")});
        row("reason_gone_counts_as_expired", watchingAt("100"), streamError(410, "Gone"), "BackingOff",
            {s("abort"), s("stale"), s("timer 800")});
        row("a_not_older_than_relist_answered_410_falls_back_to_a_consistent_list",
            watchingAt("100") + modified("105") + streamError(410, "Expired") + timer(),
            listFailed(410, "Expired"), "Listing", {s("cancel"), s("begin"), s("list limit=500"), idle90});
        row("a_not_older_than_relist_answered_504_too_large_falls_back_to_a_consistent_list",
            watchingAt("100") + streamError(410, "Expired") + timer(), listFailed(504, "Timeout", 1, true),
            "Listing", {s("cancel"), s("begin"), s("list limit=500"), idle90});
        row("a_plain_504_retries_the_same_relist_after_backoff",
            watchingAt("100") + streamError(410, "Expired") + timer(), listFailed(504, "Timeout"),
            "BackingOff", {s("cancel"), s("error 504"), s("timer 1600")});
        row("after_a_plain_504_the_relist_is_still_not_older_than_the_last_rv",
            watchingAt("100") + streamError(410, "Expired") + timer() + listFailed(504, "Timeout"), timer(),
            "Listing", {s("begin"), s("list rv=100 notOlderThan limit=500"), idle90});
        row("a_watch_rv_newer_than_the_server_relists_instead_of_waiting_forever", watchingAt("100"),
            http(504, "Timeout", 1, true), "BackingOff", {s("stale"), s("error 504"), s("timer 1000")});
        row("that_relist_falls_back_to_the_newest_state_when_the_rv_is_still_too_large",
            watchingAt("100") + http(504, "Timeout", 1, true) + timer(), listFailed(504, "Timeout", 1, true),
            "Listing", {s("cancel"), s("begin"), s("list limit=500"), idle90});
        row("in_stream_500_relists_not_older_than_the_last_rv", watchingAt("100"),
            streamError(500, "InternalError"), "BackingOff",
            {s("abort"), s("stale"), s("error 500"), s("timer 800")});

        // End of stream.
        row("clean_end_of_stream_rewatches_at_once_from_the_last_rv", watchingAt("100") + modified("107"),
            ended(true, 1, 300'000), "Watching", {s("watch rv=107"), idle90});
        row("a_bookmark_moves_the_resume_point", watchingAt("100") + watchEvent(EventType::Bookmark, "200"),
            ended(true, 1, 60'000), "Watching", {s("watch rv=200"), idle90});
        row("a_very_short_empty_watch_is_a_failure_that_backs_off", watchingAt("100"), ended(true, 0, 200),
            "BackingOff", {s("stale"), s("timer 800")});
        row("after_a_very_short_watch_the_retry_relists_not_older_than_the_last_rv",
            watchingAt("100") + ended(true, 0, 200), timer(), "Listing",
            {s("begin"), s("list rv=100 notOlderThan limit=500"), idle90});
        row("a_short_watch_that_delivered_events_is_not_a_failure", watchingAt("100"), ended(true, 3, 200),
            "Watching", {s("watch rv=100"), idle90});
        row("a_long_quiet_watch_is_not_a_failure", watchingAt("100"), ended(true, 0, 5'000), "Watching",
            {s("watch rv=100"), idle90});
        row("a_broken_stream_backs_off", watchingAt("100"), ended(false, 5, 10'000), "BackingOff",
            {s("stale"), s("timer 800")});
        row("after_a_broken_stream_the_watch_resumes_from_the_last_rv",
            watchingAt("100") + modified("101") + ended(false, 5, 10'000), timer(), "Watching",
            {s("watch rv=101"), idle90});

        // Throttling and server errors: max(Retry-After, backoff), then re-watch.
        row("429_waits_the_retry_after_when_longer_than_the_backoff", watchingAt("100"),
            http(429, "TooManyRequests", 5), "BackingOff", {s("stale"), s("error 429"), s("timer 5000")});
        row("a_one_second_retry_after_beats_the_first_800_ms", watchingAt("100"),
            http(503, "ServiceUnavailable", 1), "BackingOff", {s("stale"), s("error 503"), s("timer 1000")});
        row("503_waits_the_backoff_when_longer_than_the_retry_after",
            watchingAt("100") + http(503, "ServiceUnavailable") + timer() + http(503, "ServiceUnavailable") +
                timer() + http(503, "ServiceUnavailable") + timer(),
            http(503, "ServiceUnavailable", 1), "BackingOff", {s("timer 6400")});
        row("after_a_5xx_the_watch_resumes_from_the_last_rv",
            watchingAt("100") + modified("101") + http(500, "InternalError"), timer(), "Watching",
            {s("watch rv=101"), idle90});
        row("a_network_error_backs_off", watchingAt("100"), network(), "BackingOff",
            {s("stale"), s("error 0"), s("timer 800")});

        // Credentials and permanent errors.
        row("401_refreshes_credentials_once", watchingAt("100"), http(401, "Unauthorized"),
            "RefreshingCredentials", {s("refresh")});
        row("fresh_credentials_rewatch_at_once", watchingAt("100") + http(401, "Unauthorized"), refreshed(),
            "Watching", {s("watch rv=100"), idle90});
        row("a_second_401_after_the_refresh_finishes_with_an_error",
            watchingAt("100") + http(401, "Unauthorized") + refreshed(), http(401, "Unauthorized"), "Stopped",
            {s("fatal 401"), s("finished with error")});
        row("a_401_after_the_credentials_worked_refreshes_again",
            watchingAt("100") + http(401, "Unauthorized") + refreshed() + opened(), http(401, "Unauthorized"),
            "RefreshingCredentials", {s("refresh")});
        row("a_failed_refresh_finishes_with_an_error", watchingAt("100") + http(401, "Unauthorized"),
            refreshed(false), "Stopped", {s("fatal 401"), s("finished with error")});
        row("401_during_the_list_cancels_the_batch_and_refreshes", {start()}, listFailed(401, "Unauthorized"),
            "RefreshingCredentials", {s("cancel"), s("refresh")});
        row("after_a_refresh_during_the_list_the_list_starts_over",
            {start(), listFailed(401, "Unauthorized")}, refreshed(), "Listing",
            {s("begin"), s("list limit=500"), idle90});
        row("a_second_401_during_the_list_closes_the_batch_once_and_finishes",
            {start(), listFailed(401, "Unauthorized"), refreshed()}, listFailed(401, "Unauthorized"),
            "Stopped", {s("cancel"), s("fatal 401"), s("finished with error")});
        row("403_finishes_with_an_error", watchingAt("100"), http(403, "Forbidden"), "Stopped",
            {s("fatal 403"), s("finished with error")});
        row("404_during_the_list_finishes_with_an_error", {start()}, listFailed(404, "NotFound"), "Stopped",
            {s("cancel"), s("fatal 404"), s("finished with error")});
        row("422_on_a_watch_finishes_with_an_error", watchingAt("100"), http(422, "Invalid"), "Stopped",
            {s("fatal 422"), s("finished with error")});

        // Stalls, network loss, suspend.
        row("an_idle_watch_is_aborted_and_resumed_at_once", watchingAt("100") + modified("101"), idle(),
            "Watching", {s("abort"), s("stale"), s("watch rv=101"), idle90});
        row("a_stalled_list_is_aborted_and_restarted", {start()}, idle(), "Listing",
            {s("abort"), s("cancel"), s("begin"), s("list limit=500"), idle90});
        row("network_lost_marks_stale_and_waits", watchingAt("100"), lost(), "Offline",
            {s("abort"), s("stale")});
        row("suspend_marks_stale_and_waits", watchingAt("100"), lost(true), "Offline",
            {s("abort"), s("stale")});
        row("the_backoff_timer_is_ignored_while_offline",
            watchingAt("100") + http(503, "ServiceUnavailable") + lost(), timer(), "Offline", {});
        row("network_back_resumes_at_once", watchingAt("100") + lost(), restored(), "Watching",
            {s("watch rv=100"), idle90});
        row("network_back_skips_the_rest_of_the_backoff", watchingAt("100") + http(503, "ServiceUnavailable"),
            restored(), "Watching", {s("watch rv=100"), idle90});
        row("resume_from_suspend_replaces_a_watch_that_looked_alive", watchingAt("100"), restored(true),
            "Watching", {s("abort"), s("watch rv=100"), idle90});
        row("network_lost_mid_list_cancels_the_batch", {start(), page("100", "c1")}, lost(), "Offline",
            {s("abort"), s("cancel"), s("stale")});
        row("network_back_after_losing_it_mid_list_lists_from_page_1", {start(), page("100", "c1"), lost()},
            restored(), "Listing", {s("begin"), s("list limit=500"), idle90});
        row("network_lost_while_refreshing_waits_for_the_network",
            watchingAt("100") + http(401, "Unauthorized"), lost(), "Offline", {s("stale")});

        // Freshness.
        row("an_opened_watch_after_a_gap_marks_the_store_fresh",
            watchingAt("100") + http(503, "ServiceUnavailable") + timer(), opened(), "Watching",
            {s("fresh")});
        row("a_relist_end_marks_the_store_fresh", watchingAt("100") + streamError(410, "Expired") + timer(),
            page("300"), "Watching", {s("end rv=300"), s("fresh"), s("watch rv=300"), idle90});

        // Stale replies, Stop, exactly once.
        row("a_reply_from_an_aborted_request_is_ignored", watchingAt("100") + idle(), network(Previous),
            "Watching", {});
        row("an_old_watch_ending_is_ignored", watchingAt("100") + idle(), ended(true, 0, 1, Previous),
            "Watching", {});
        row("stop_aborts_the_watch_and_finishes", watchingAt("100"), stop(), "Stopped",
            {s("abort"), s("finished")});
        row("stop_during_a_relist_cancels_the_batch", {start()}, stop(), "Stopped",
            {s("abort"), s("cancel"), s("finished")});
        row("stop_while_backing_off_finishes_without_an_abort",
            watchingAt("100") + http(503, "ServiceUnavailable"), stop(), "Stopped", {s("finished")});
        row("stop_before_start_finishes", {}, stop(), "Stopped", {s("finished")});
        row("the_aborts_error_after_stop_is_ignored", watchingAt("100") + stop(), network(Previous),
            "Stopped", {});
        row("a_second_stop_is_ignored", watchingAt("100") + stop(), stop(), "Stopped", {});
        row("start_is_ignored_once_started", {start()}, start(), "Listing", {});

        // Streaming lists (sendInitialEvents).
        row("a_streaming_list_is_a_watch_that_sends_initial_events", {}, start(), "Watching",
            {s("begin"), s("watch initialEvents notOlderThan"), idle90}, true);
        row("the_initial_events_end_bookmark_closes_the_batch",
            {start(), opened(), watchEvent(EventType::Added, "5"), watchEvent(EventType::Added, "3")},
            initialEventsEnd("10"), "Watching", {s("end rv=10")}, true);
        row("snapshot_events_do_not_move_the_resume_point",
            {start(), opened(), watchEvent(EventType::Added, "50"), initialEventsEnd("10")},
            ended(true, 2, 300'000), "Watching", {s("watch rv=10"), idle90}, true);
        row("a_server_without_streaming_lists_falls_back_to_list_at_once", {start()}, http(422, "Invalid"),
            "Listing", {s("cancel"), s("begin"), s("list limit=500"), idle90}, true);
        row("after_a_422_relists_use_list",
            {start(), http(422, "Invalid"), page("100"), opened(), streamError(410, "Expired")}, timer(),
            "Listing", {s("begin"), s("list rv=100 notOlderThan limit=500"), idle90}, true);
        row("a_stream_that_ends_before_the_initial_events_are_complete_backs_off",
            {start(), opened(), watchEvent(EventType::Added, "5")}, ended(true, 1, 5'000), "BackingOff",
            {s("cancel"), s("stale"), s("error 0"), s("timer 800")}, true);
        row("a_streaming_relist_from_a_compacted_rv_falls_back_to_a_consistent_one",
            {start(), opened(), initialEventsEnd("10"), streamError(410, "Expired"), timer()},
            streamError(410, "Expired"), "Watching",
            {s("abort"), s("cancel"), s("begin"), s("watch initialEvents notOlderThan"), idle90}, true);
    }
    void transition_rules()
    {
        QFETCH(Inputs, setup);
        QFETCH(Input, input);
        QFETCH(bool, streaming);
        QFETCH(QString, phase);
        QFETCH(QStringList, commands);
        Harness h;
        h.config.streamingList = streaming;
        h.feed(setup);
        h.feed(input);
        QCOMPARE(QString(phaseName(h.state)), phase);
        QCOMPARE(h.lastBrief(), commands);
    }

    void per_event_transition_benchmark()
    {
        Harness h;
        h.feed(watchingAt("100"));
        const Input input = in::WatchEvent{currentRequest(h.state), EventType::Modified, s("123456"), false};
        const RetryWatcherContext context{h.config, h.clock, h.backoff, h.random};
        QBENCHMARK
        {
            Step step = transition(h.state, input, context);
            h.state = std::move(step.state);
        }
        QCOMPARE(std::get<state::Watching>(h.state.phase).rv, s("123456"));
    }

    void an_early_timer_rearms_for_the_rest()
    {
        Harness h;
        h.timerFiresOnTime = false;
        h.feed(watchingAt("100") + http(503, "ServiceUnavailable"));
        h.clock.advance(300); // a coarse timer firing early
        h.feed(timer());
        QCOMPARE(QString(phaseName(h.state)), s("BackingOff"));
        QCOMPARE(h.lastBrief(), QStringList{s("timer 500")});
        h.clock.advance(500);
        h.feed(timer());
        QCOMPARE(h.lastBrief(), (QStringList{s("watch rv=100"), s("idle 90000")}));
    }

    void watch_timeouts_are_random_between_300_and_600_seconds()
    {
        Harness h;
        h.feed(watchingAt("100"));
        int lowest = 1000;
        int highest = 0;
        for (int i = 0; i < 500; ++i) {
            h.feed(ended(true, 1, 400'000));
            const auto found = std::find_if(h.last.begin(), h.last.end(), [](const Command &c) {
                return std::holds_alternative<cmd::StartWatch>(c);
            });
            QVERIFY(found != h.last.end());
            const auto &watch = std::get<cmd::StartWatch>(*found);
            QVERIFY(watch.timeoutSeconds >= 300 && watch.timeoutSeconds < 600);
            QVERIFY(watch.allowBookmarks);
            lowest = std::min(lowest, watch.timeoutSeconds);
            highest = std::max(highest, watch.timeoutSeconds);
        }
        QVERIFY(lowest < 320);
        QVERIFY(highest > 580);
    }

    void without_bookmarks_the_allowed_silence_follows_the_watch_timeout()
    {
        Harness h;
        h.config.allowBookmarks = false;
        h.feed({start(), page("100")});
        const auto &watch = std::get<cmd::StartWatch>(h.last.at(1));
        const auto &idleTimer = std::get<cmd::ArmIdleTimer>(h.last.at(2));
        QVERIFY(!watch.allowBookmarks);
        QCOMPARE(idleTimer.ms, qint64(watch.timeoutSeconds) * 1000 + 30'000);
        QCOMPARE(idleTimer.request, watch.request);
    }

    void a_stall_is_stale_since_the_last_byte()
    {
        Harness h;
        h.feed(watchingAt("100"));
        h.clock.advance(90'000);
        h.feed(idle());
        const auto stale = std::find_if(h.last.begin(), h.last.end(), [](const Command &c) {
            return std::holds_alternative<cmd::MarkStale>(c);
        });
        QVERIFY(stale != h.last.end());
        QCOMPARE(std::get<cmd::MarkStale>(*stale).since, h.clock.nowMs() - 90'000);
    }

    void a_gap_is_marked_stale_once_with_its_start_time()
    {
        Harness h;
        h.feed(watchingAt("100"));
        const qint64 gapStart = h.clock.nowMs();
        h.feed({http(503, "ServiceUnavailable"), timer(), http(503, "ServiceUnavailable"), timer(), network(),
                timer(), opened()});
        QCOMPARE(countOf<cmd::MarkStale>(h.all), 1);
        QCOMPARE(countOf<cmd::MarkFresh>(h.all), 1);
        for (const Command &c : h.all) {
            if (const auto *stale = std::get_if<cmd::MarkStale>(&c))
                QCOMPARE(stale->since, gapStart);
        }
    }

    void repeated_identical_failures_are_logged_once_with_a_count()
    {
        Harness h;
        h.feed(watchingAt("100"));
        for (int i = 0; i < 5; ++i)
            h.feed({http(503, "ServiceUnavailable"), timer()});
        const QString key = s("watch.http.503.ServiceUnavailable");
        QCOMPARE(h.logs(key).size(), 1);
        QVERIFY(h.logs(key).first().text.contains(s("next attempt in 0.8 s")));
        QCOMPARE(countOf<cmd::EmitError>(h.all), 1);
        h.feed({opened(), modified("101")});
        const QList<cmd::Log> logs = h.logs(key);
        QCOMPARE(logs.size(), 2);
        QVERIFY2(logs.last().text.contains(s("recovered after 5 failures")), qPrintable(logs.last().text));
        // A new failure after recovery is news again.
        h.feed(http(503, "ServiceUnavailable"));
        QCOMPARE(h.logs(key).size(), 3);
    }

    void a_different_failure_ends_the_count_with_a_summary()
    {
        Harness h;
        h.feed(watchingAt("100"));
        for (int i = 0; i < 3; ++i)
            h.feed({http(503, "ServiceUnavailable"), timer()});
        h.feed(http(429, "TooManyRequests"));
        const QList<cmd::Log> logs = h.logs(s("watch.http.503.ServiceUnavailable"));
        QCOMPARE(logs.size(), 2);
        QVERIFY2(logs.last().text.contains(s("3 times in a row")), qPrintable(logs.last().text));
        QCOMPARE(h.logs(s("watch.http.429.TooManyRequests")).size(), 1);
        QCOMPARE(countOf<cmd::EmitError>(h.all), 2);
    }

    void stop_reports_the_count_of_an_ongoing_failure_streak()
    {
        Harness h;
        h.feed(watchingAt("100"));
        for (int i = 0; i < 4; ++i)
            h.feed({network(), timer()});
        h.feed(stop());
        const QList<cmd::Log> logs = h.logs(s("watch.network.ConnectionRefused"));
        QCOMPARE(logs.size(), 2);
        QVERIFY(logs.last().text.contains(s("4 times in a row")));
    }

    void finished_is_emitted_exactly_once_data()
    {
        QTest::addColumn<Inputs>("inputs");
        QTest::newRow("stop, then the abort's error")
            << (watchingAt("100") + stop() + network(Previous) + ended(false, 0, 5, Previous));
        QTest::newRow("stop during a relist, then the aborted page fails")
            << Inputs{start(), page("100", "c1"), stop(), listFailed(0, "", 0, false), restored()};
        QTest::newRow("stop twice") << (watchingAt("100") + stop() + stop());
        QTest::newRow("403, then stop")
            << (watchingAt("100") + http(403, "Forbidden") + stop() + network(Previous));
        QTest::newRow("second 401, then stop") << (watchingAt("100") + http(401, "Unauthorized") +
                                                   refreshed() + http(401, "Unauthorized") + stop());
        QTest::newRow("idle abort, its error, stop, its error")
            << (watchingAt("100") + idle() + network(Previous) + stop() + network(Previous) + idle());
        QTest::newRow("stop while offline, then the network returns")
            << (watchingAt("100") + lost() + stop() + restored() + timer());
        QTest::newRow("stop while refreshing, then the credentials arrive")
            << (watchingAt("100") + http(401, "Unauthorized") + stop() + refreshed() + refreshed(false));
        QTest::newRow("failed refresh, then stop")
            << (watchingAt("100") + http(401, "Unauthorized") + refreshed(false) + stop() + start());
        QTest::newRow("stop inside the in-stream error path")
            << (watchingAt("100") + streamError(410, "Expired") + stop() + ended(true, 0, 1, Previous) +
                timer());
    }
    void finished_is_emitted_exactly_once()
    {
        QFETCH(Inputs, inputs);
        Harness h;
        int finishedAt = -1;
        for (int i = 0; i < inputs.size(); ++i) {
            h.feed(inputs[i]);
            if (finishedAt >= 0)
                QVERIFY2(h.last.isEmpty(), "a stopped watcher must not act any more");
            if (countOf<cmd::Finished>(h.last) > 0)
                finishedAt = i;
        }
        QCOMPARE(countOf<cmd::Finished>(h.all), 1);
        QVERIFY(isStopped(h.state));
        QVERIFY(std::holds_alternative<cmd::Finished>(h.all.last()));
    }

    // Thousands of random input sequences (including stale replies, timers at odd moments and Stop anywhere):
    // Finished at most once and last, brackets balanced, request ids fresh, nothing after Stopped.
    void random_input_sequences_keep_the_invariants()
    {
        QRandomGenerator random(2026);
        QSet<QString> phasesSeen;
        const int codes[] = {0, 400, 401, 403, 404, 408, 410, 422, 429, 500, 503, 504};
        const char *reasons[] = {"", "Expired", "Gone", "Timeout", "TooManyRequests"};
        const EventType types[] = {EventType::Added, EventType::Modified, EventType::Deleted,
                                   EventType::Bookmark};
        for (int sequence = 0; sequence < 3000; ++sequence) {
            Harness h;
            h.config.streamingList = sequence % 3 == 0;
            h.timerFiresOnTime = sequence % 2 == 0;
            bool batchOpen = false;
            bool finished = false;
            RequestId lastStarted = 0;
            QStringList trace; // printed when an invariant breaks
            for (int step = 0; step < 80; ++step) {
                const auto pick = [&](int n) { return int(random.bounded(n)); };
                const RequestId request = pick(5) == 0 ? Previous : 0;
                const int code = codes[pick(int(std::size(codes)))];
                const char *reason = reasons[pick(int(std::size(reasons)))];
                const char *rv = pick(2) ? "200" : "300";
                Input input;
                switch (step == 0 ? 16 : pick(17)) {
                case 0:
                    input = in::ListPageOk{request, s(rv), pick(3) ? QString() : s("c"), 2};
                    break;
                case 1:
                    input = in::ListFailed{request, code, s(reason), pick(3), pick(2) == 0, QString()};
                    break;
                case 2:
                    input = in::WatchOpened{request};
                    break;
                case 3:
                case 4:
                    input = in::WatchEvent{request, types[pick(4)], s(rv), pick(4) == 0};
                    break;
                case 5:
                    input = in::WatchErrorEvent{request, code, s(reason), pick(3), pick(2) == 0, QString()};
                    break;
                case 6:
                    input = in::StreamEnded{request, pick(4) != 0, pick(3), pick(3) * 800};
                    break;
                case 7:
                    input = in::HttpError{request, code, s(reason), pick(10), pick(2) == 0, QString()};
                    break;
                case 8:
                    input = in::NetworkError{request, NetworkErrorKind::Other, QString()};
                    break;
                case 9:
                    input = in::IdleTimeout{request};
                    break;
                case 10:
                case 11:
                    input = in::TimerFired{};
                    break;
                case 12:
                    input = in::CredentialsRefreshed{pick(5) != 0};
                    break;
                case 13:
                    input = pick(8) == 0 ? Input(in::Stop{}) : Input(in::TimerFired{});
                    break;
                case 14:
                    input = in::NetworkLost{pick(2) == 0};
                    break;
                case 15:
                    input = in::NetworkRestored{pick(2) == 0};
                    break;
                default:
                    input = in::Start{};
                    break;
                }
                h.clock.advance(pick(70'000));
                const QString before = QString(phaseName(h.state));
                h.feed(input);
                trace.append(before + s(" --") + QString::number(input.index()) + s("--> ") +
                             QString(phaseName(h.state)) + s(": ") + h.lastBrief().join(s(", ")));
                for (const Command &c : h.last) {
                    QVERIFY2(!finished, "no command after Finished");
                    if (std::holds_alternative<cmd::RelistBegin>(c)) {
                        QVERIFY2(!batchOpen, qPrintable(trace.join(QLatin1Char('\n'))));
                        batchOpen = true;
                    } else if (std::holds_alternative<cmd::RelistEnd>(c) ||
                               std::holds_alternative<cmd::RelistCancel>(c)) {
                        QVERIFY2(batchOpen, qPrintable(trace.join(QLatin1Char('\n'))));
                        batchOpen = false;
                    } else if (const auto *list = std::get_if<cmd::StartList>(&c)) {
                        QVERIFY(list->request > lastStarted);
                        lastStarted = list->request;
                    } else if (const auto *watch = std::get_if<cmd::StartWatch>(&c)) {
                        QVERIFY(watch->request > lastStarted);
                        lastStarted = watch->request;
                    } else if (const auto *armed = std::get_if<cmd::ArmTimer>(&c)) {
                        QVERIFY(armed->ms > 0);
                    } else if (std::holds_alternative<cmd::Finished>(c)) {
                        QVERIFY2(!batchOpen, "Finished with a relist batch still open");
                        finished = true;
                    }
                }
                QCOMPARE(finished, isStopped(h.state));
                phasesSeen.insert(QString(phaseName(h.state)));
                if (std::holds_alternative<state::BackingOff>(h.state.phase) && !h.last.isEmpty() &&
                    !std::holds_alternative<in::TimerFired>(input))
                    QVERIFY(countOf<cmd::ArmTimer>(h.last) == 1);
            }
            h.feed(stop());
            QCOMPARE(countOf<cmd::Finished>(h.all), 1);
        }
        QCOMPARE(phasesSeen.size(),
                 qsizetype(std::variant_size_v<Phase>) - 1); // all but Idle, which Start leaves at once
    }
};

CW_TEST(TestRetryWatcherStateMachine)
#include "tst_retrywatcher_sm.moc"
