// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "retrywatcher_sm.h"
#include "watchtypes.h"

#include <QHash>
#include <QLoggingCategory>

#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcWatch)

namespace cw::watch {

// What one stream has been through: counters for every HealthEvent, the open stale span that becomes a
// Gap, and the log of its failures (each kind logged once, repeats only counted).
class StreamHealth
{
public:
    explicit StreamHealth(QString stream) : m_stream(std::move(stream)) {}

    qint64 bytes = 0;
    qint64 events = 0;
    qint64 reconnects = 0; // watches started after the first
    qint64 relists = 0;    // lists after the initial one
    qint64 gaps = 0;
    qint64 stalls = 0;
    qint64 errors = 0;
    QString lastResourceVersion;

    HealthEvent event(StreamState state, const QString &reason, const QString &detail = {}, int httpCode = 0,
                      qint64 backoffMs = 0) const;

    // MarkStale: the store may be missing changes since wallMs (ms since epoch).
    void markStale(qint64 wallMs, const QString &cause);
    bool isStale() const { return m_staleSince.has_value(); }
    std::optional<qint64> staleSince() const { return m_staleSince; }
    QString staleCause() const { return m_staleCause; }
    // A relist recovered these: they belong to the open gap.
    void recovered(const QList<Change> &changes);
    // MarkFresh: closes the open stale span.
    std::optional<Gap> markFresh(qint64 wallMs);

    // A log line of the retry watcher about a failure of kind `kind` (the health reason, or the machine's
    // key). A line is printed the first time its kind comes up; after that the kind is only counted (debug),
    // so that a flapping connection cannot flood the log.
    void log(LogLevel level, const QString &kind, const QString &text);
    // Once, when the stream ends: one line with how often each repeated failure happened.
    void logSummary() const;

private:
    QString m_stream;
    std::optional<qint64> m_staleSince;
    QString m_staleCause;
    int m_added = 0;
    int m_modified = 0;
    int m_deleted = 0;
    QHash<QString, int> m_logCounts;
};

} // namespace cw::watch
