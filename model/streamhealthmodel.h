// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "watchtypes.h"

#include <QAbstractTableModel>
#include <QTimeZone>
#include <QTimer>

#include <functional>
#include <optional>

namespace cw::model {

// One row per stream: its state, counters and how fresh its data is, in words the status bar can show.
class StreamHealthModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { StreamColumn, StateColumn, UptimeColumn, EventsColumn, BytesColumn, ReconnectsColumn,
                  RelistsColumn, GapsColumn, StallsColumn, LastRvColumn, LastByteColumn, LastErrorColumn,
                  ColumnCount };
    enum Role {
        StreamRole = Qt::UserRole + 1,
        StateRole,      // int(cw::watch::StreamState)
        StaleSinceRole, // qint64, 0 when live
        FreshnessRole,  // freshnessText()
        BannerRole,     // bannerText()
    };
    // Wall clock in ms since epoch; tests inject their own.
    using Clock = std::function<qint64()>;

    explicit StreamHealthModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void applyBatch(const cw::watch::Batch &batch);

    void setClock(Clock clock);
    qint64 now() const { return m_clock(); }
    // Times of day in texts ("stale since 14:02:11"); the system zone unless set.
    void setTimeZone(const QTimeZone &zone) { m_zone = zone; }

    QStringList streams() const;
    int rowOf(const QString &stream) const;
    cw::watch::StreamSample sample(const QString &stream) const;
    QString lastError(const QString &stream) const;
    std::optional<qint64> staleSince(const QString &stream) const;
    // "live · last event 2 s ago", "stale since 14:02:11 · reconnecting in 3.2 s", "listing 3,500 / 12,000",
    // "failed: <error>".
    QString freshnessText(const QString &stream, qint64 nowMs) const;
    // Empty while live; otherwise one sentence on what the data can be trusted for.
    QString bannerText(const QString &stream, qint64 nowMs) const;

public Q_SLOTS:
    // Refreshes the age columns; a 1 s timer calls it while there are rows.
    void tick();

private:
    struct Row
    {
        QString stream;
        cw::watch::StreamSample sample;
        cw::watch::HealthEvent counters; // the latest health event: reconnects, relists, gaps, stalls, last RV
        bool hasCounters = false;
        std::optional<qint64> connectedSinceMs;
        QString lastError;
    };

    QString timeOfDay(qint64 ms) const;
    QString displayText(const Row &row, int column) const;
    const Row *find(const QString &stream) const;

    QList<Row> m_rows;
    Clock m_clock;
    QTimeZone m_zone = QTimeZone::systemTimeZone();
    QTimer m_tick;
};

} // namespace cw::model
