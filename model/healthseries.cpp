// SPDX-License-Identifier: Apache-2.0
#include "healthseries.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace cw::model {

HealthSeries::HealthSeries(QObject *parent) : QObject(parent)
{
    m_notify.setSingleShot(true);
    m_notify.setInterval(250);
    connect(&m_notify, &QTimer::timeout, this, &HealthSeries::updated);
}

void HealthSeries::setRetentionMs(qint64 ms)
{
    m_retentionMs = std::max<qint64>(1000, ms);
}

StreamSeries HealthSeries::series(const QString &stream) const
{
    if (stream.isEmpty())
        return m_all;
    const auto it = m_tracks.constFind(stream);
    return it == m_tracks.cend() ? StreamSeries{} : it->series;
}

void HealthSeries::addToSecond(StreamSeries &series, qint64 timeMs, double events, double bytes,
                               double sinceLastByte, bool worstOfStreams)
{
    const qint64 second = timeMs - (timeMs % 1000 + 1000) % 1000;
    QList<SeriesPoint> &points = series.points;
    // Almost always the last second or a new one; batches of other streams may be a little behind.
    auto it = points.end();
    while (it != points.begin() && (it - 1)->timeMs > second)
        --it;
    if (it == points.begin() || (it - 1)->timeMs != second)
        it = points.insert(it, SeriesPoint{second, 0, 0, 0}) + 1;
    SeriesPoint &p = *(it - 1);
    p.eventsPerSec += events;
    p.bytesPerSec += bytes;
    p.sinceLastByteSec = worstOfStreams ? std::max(p.sinceLastByteSec, sinceLastByte) : sinceLastByte;
}

void HealthSeries::trim(StreamSeries &s, qint64 newestMs) const
{
    const qint64 cutoff = newestMs - m_retentionMs;
    const auto firstKept =
        std::find_if(s.points.cbegin(), s.points.cend(), [cutoff](const SeriesPoint &p) { return p.timeMs >= cutoff; });
    s.points.erase(s.points.cbegin(), firstKept);
    s.reconnects.removeIf([cutoff](qint64 t) { return t < cutoff; });
    s.stalls.removeIf([cutoff](qint64 t) { return t < cutoff; });
    s.backoffs.removeIf([cutoff](const SeriesSpan &span) { return span.endMs < cutoff; });
    s.gaps.removeIf([cutoff](const SeriesSpan &span) { return span.endMs < cutoff; });
}

void HealthSeries::applyBatch(const watch::Batch &batch)
{
    if (!m_tracks.contains(batch.stream)) {
        m_tracks.insert(batch.stream, Track{});
        m_order.append(batch.stream);
        emit streamsChanged();
    }
    Track &track = m_tracks[batch.stream];
    qint64 newest = 0;
    const auto mark = [&](auto member, const auto &value) {
        (track.series.*member).append(value);
        (m_all.*member).append(value);
    };
    for (const watch::HealthEvent &e : batch.health) {
        newest = std::max(newest, e.timeMs);
        if (e.reason == "connected"_L1) {
            if (track.connectedOnce)
                mark(&StreamSeries::reconnects, e.timeMs);
            track.connectedOnce = true;
        }
        if (e.reason == "stalled"_L1 || e.reason == "list stalled"_L1)
            mark(&StreamSeries::stalls, e.timeMs);
        if (e.backoffMs > 0)
            mark(&StreamSeries::backoffs, SeriesSpan{e.timeMs, e.timeMs + e.backoffMs, e.reason});
    }
    for (const watch::Gap &gap : batch.gaps) {
        newest = std::max(newest, gap.endMs);
        mark(&StreamSeries::gaps, SeriesSpan{gap.startMs, std::max(gap.startMs, gap.endMs), gap.cause});
    }
    const watch::StreamSample &s = batch.sample;
    if (s.timeMs > 0) {
        newest = std::max(newest, s.timeMs);
        // Totals only grow within a stream; a smaller one means a restarted stream: a new baseline, no rate.
        const bool delta = track.hasBaseline && s.events >= track.events && s.bytes >= track.bytes;
        const double events = delta ? double(s.events - track.events) : 0.0;
        const double bytes = delta ? double(s.bytes - track.bytes) : 0.0;
        const double since = s.lastByteMs > 0 ? double(std::max<qint64>(0, s.timeMs - s.lastByteMs)) / 1000.0 : 0.0;
        track.hasBaseline = true;
        track.events = s.events;
        track.bytes = s.bytes;
        addToSecond(track.series, s.timeMs, events, bytes, since, false);
        addToSecond(m_all, s.timeMs, events, bytes, since, true);
    }
    if (newest > 0) {
        trim(track.series, newest);
        trim(m_all, newest);
    }
    scheduleUpdate();
}

void HealthSeries::scheduleUpdate()
{
    if (!m_notify.isActive())
        m_notify.start();
}

} // namespace cw::model
