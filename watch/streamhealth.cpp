// SPDX-License-Identifier: Apache-2.0
#include "streamhealth.h"

#include <QDateTime>

// Info and up by default: debug lines (every repeat of a known failure) only when asked for.
Q_LOGGING_CATEGORY(lcWatch, "clusterwatch.watch", QtInfoMsg)

namespace cw::watch {

HealthEvent StreamHealth::event(StreamState state, const QString &reason, const QString &detail, int httpCode,
                                qint64 backoffMs) const
{
    HealthEvent e;
    e.timeMs = QDateTime::currentMSecsSinceEpoch();
    e.stream = m_stream;
    e.state = state;
    e.reason = reason;
    e.detail = detail;
    e.bytes = bytes;
    e.events = events;
    e.reconnects = reconnects;
    e.relists = relists;
    e.gaps = gaps;
    e.stalls = stalls;
    e.errors = errors;
    e.backoffMs = backoffMs;
    e.lastResourceVersion = lastResourceVersion;
    e.httpCode = httpCode;
    return e;
}

void StreamHealth::markStale(qint64 wallMs, const QString &cause)
{
    if (m_staleSince)
        return; // the earliest moment counts: the span is as long as the store may be behind
    m_staleSince = wallMs;
    m_staleCause = cause;
    m_added = m_modified = m_deleted = 0;
}

void StreamHealth::recovered(const QList<Change> &changes)
{
    for (const Change &change : changes) {
        switch (change.type) {
        case ChangeType::Added:
            ++m_added;
            break;
        case ChangeType::Modified:
            ++m_modified;
            break;
        case ChangeType::Deleted:
            ++m_deleted;
            break;
        }
    }
}

std::optional<Gap> StreamHealth::markFresh(qint64 wallMs)
{
    if (!m_staleSince)
        return std::nullopt;
    Gap gap;
    gap.stream = m_stream;
    gap.startMs = *m_staleSince;
    gap.endMs = std::max(wallMs, *m_staleSince);
    gap.cause = m_staleCause;
    gap.added = m_added;
    gap.modified = m_modified;
    gap.deleted = m_deleted;
    m_staleSince.reset();
    m_staleCause.clear();
    ++gaps;
    return gap;
}

void StreamHealth::log(LogLevel level, const QString &kind, const QString &text)
{
    const int seen = m_logCounts.value(kind);
    m_logCounts.insert(kind, seen + 1);
    if (level == LogLevel::Debug || seen > 0) {
        qCDebug(lcWatch).noquote() << m_stream << text << "(seen" << seen + 1 << "times)";
        return;
    }
    if (level == LogLevel::Warning)
        qCWarning(lcWatch).noquote() << m_stream << text;
    else
        qCInfo(lcWatch).noquote() << m_stream << text;
}

void StreamHealth::logSummary() const
{
    QStringList repeated;
    for (auto it = m_logCounts.cbegin(); it != m_logCounts.cend(); ++it) {
        if (it.value() > 1)
            repeated.append(it.key() + QLatin1StringView(" x") + QString::number(it.value()));
    }
    if (repeated.isEmpty())
        return;
    repeated.sort();
    qCInfo(lcWatch).noquote() << m_stream << "repeated log lines:" << repeated.join(QLatin1StringView(", "));
}

} // namespace cw::watch
