// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "watchtypes.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

namespace cw::model {

// One second of a stream (or of the whole cluster).
struct SeriesPoint
{
    qint64 timeMs = 0;       // the start of the second
    double eventsPerSec = 0; // events received in it
    double bytesPerSec = 0;
    double sinceLastByteSec = 0; // at the last sample of the second; for the cluster the worst stream
};

struct SeriesSpan
{
    qint64 startMs = 0;
    qint64 endMs = 0;
    QString label;
};

struct StreamSeries
{
    QList<SeriesPoint> points; // one per second that had a sample, oldest first
    QList<qint64> reconnects;  // times of "connected" after a stream's first
    QList<SeriesSpan> backoffs;
    QList<SeriesSpan> gaps;
    QList<qint64> stalls;
};

// Per-second rates and connection markers for the health charts, per stream and for all streams together,
// kept for a bounded window so a day-long session does not grow without end.
class HealthSeries : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 DefaultRetentionMs = 30 * 60 * 1000;

    explicit HealthSeries(QObject *parent = nullptr);

    void applyBatch(const cw::watch::Batch &batch);

    QStringList streams() const { return m_order; }
    // An empty name: all streams together.
    StreamSeries series(const QString &stream = {}) const;

    qint64 retentionMs() const { return m_retentionMs; }
    void setRetentionMs(qint64 ms);
    // updated() fires at most once per interval however many batches arrive: charts redraw a few times a second.
    void setUpdateIntervalMs(int ms) { m_notify.setInterval(ms); }

Q_SIGNALS:
    void updated();
    void streamsChanged();

private:
    struct Track
    {
        StreamSeries series;
        // The previous sample's totals: rates are their deltas. Unset until a first sample sets the baseline.
        bool hasBaseline = false;
        qint64 events = 0;
        qint64 bytes = 0;
        bool connectedOnce = false;
    };

    static void addToSecond(StreamSeries &series, qint64 timeMs, double events, double bytes, double sinceLastByte,
                            bool worstOfStreams);
    void trim(StreamSeries &series, qint64 newestMs) const;
    void scheduleUpdate();

    QHash<QString, Track> m_tracks;
    QStringList m_order;
    StreamSeries m_all;
    qint64 m_retentionMs = DefaultRetentionMs;
    QTimer m_notify;
};

} // namespace cw::model
