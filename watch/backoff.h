// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QElapsedTimer>
#include <QtGlobal>

#include <optional>
#include <random>

namespace cw::watch {

// Milliseconds on a monotonic time line. An interface so that tests (and the state machine) can be driven
// through hours of backoff without sleeping.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual qint64 nowMs() const = 0;
};

// The real clock: monotonic, because a wall-clock jump (NTP, suspend) must not shorten or stretch a backoff.
class SteadyClock final : public Clock
{
public:
    SteadyClock() { m_timer.start(); }
    qint64 nowMs() const override { return m_timer.elapsed(); }

private:
    QElapsedTimer m_timer;
};

// A clock that only moves when told to; for tests and simulations.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 startMs = 0) : m_now(startMs) {}
    qint64 nowMs() const override { return m_now; }
    void advance(qint64 ms) { m_now += ms; }
    void set(qint64 ms) { m_now = ms; }

private:
    qint64 m_now;
};

// Seeded pseudo-random source. Seeded explicitly so a test (or a bug report) can replay the exact delays.
class Random
{
public:
    explicit Random(quint64 seed) : m_engine(seed) {}
    // Uniform in [0, 1).
    double unit() { return double(m_engine() >> 11) * 0x1.0p-53; }
    // Uniform integer in [low, highExclusive); returns low when the range is empty.
    qint64 between(qint64 low, qint64 highExclusive);

private:
    std::mt19937_64 m_engine;
};

// Exponential backoff with full jitter, the constants and reset rule of client-go's reflector.
// Sequence of delays: [0.8, 1.6) s, [1.6, 3.2) s, ... [25.6, 51.2) s, then [30, 60) s for as long as failures
// keep coming less than two minutes apart.
class Backoff
{
public:
    struct Config
    {
        // client-go's first delay: long enough not to hammer a restarting API server, short enough to hide a
        // blip.
        qint64 initialMs = 800;
        // Doubling reaches the cap in six steps (~1 min of cumulative waiting).
        double factor = 2.0;
        // Jitter 1.0 = each delay is d + random·d, i.e. in [d, 2d): spreads thousands of clients that failed
        // together (API server restart) instead of letting them reconnect in lock step.
        double jitter = 1.0;
        // Cap on the base delay d (as client-go; the jittered delay can therefore reach 2·cap): a desktop app
        // should notice a recovered cluster within a minute.
        qint64 capMs = 30'000;
        // Quiet period: after two minutes without any failure the next failure starts again at initialMs
        // (the older client-go rule; unlike "two minutes since the last reset" it never drops back to 0.8 s
        // in the middle of a continuous outage).
        qint64 quietResetMs = 120'000;
    };

    explicit Backoff(quint64 seed) : Backoff(seed, Config{}) {}
    Backoff(quint64 seed, const Config &config) : m_config(config), m_random(seed), m_baseMs(config.initialMs)
    {}

    // Records a failure at nowMs and returns how long to wait before the next attempt.
    qint64 next(qint64 nowMs);
    // Forgets all failures: the next delay is initialMs again.
    void reset();

    // Failures counted since the last reset (explicit or by the quiet period).
    int failures() const { return m_failures; }
    const Config &config() const { return m_config; }

private:
    Config m_config;
    Random m_random;
    qint64 m_baseMs;
    int m_failures = 0;
    std::optional<qint64> m_lastFailureMs;
};

} // namespace cw::watch
