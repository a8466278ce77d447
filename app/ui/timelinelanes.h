// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eventtimelinemodel.h"
#include "timelinefilterproxy.h"

#include <QTimer>
#include <QWidget>

#include <functional>
#include <optional>

namespace cw::ui {

// The painted timeline: one lane per stream, time on x. Paints only the visible window, found by binary
// search in the append-ordered model, and at most one mark per pixel column, lane and type.
class TimelineLanes : public QWidget
{
    Q_OBJECT

public:
    using Clock = std::function<qint64()>;

    static constexpr int AxisHeight = 20;
    static constexpr int LaneHeight = 26;
    static constexpr int LabelWidth = 120;
    static constexpr qint64 MinSpanMs = 1000;
    static constexpr qint64 MaxSpanMs = 7LL * 24 * 3600 * 1000;

    TimelineLanes(model::EventTimelineModel *model, model::TimelineFilterProxy *filter, QWidget *parent = nullptr);

    void setClock(Clock clock);
    qint64 viewEndMs() const { return m_endMs; }
    qint64 viewSpanMs() const { return m_spanMs; }
    // Turns following off: the user chose a window.
    void setView(qint64 endMs, qint64 spanMs);
    // factor > 1 zooms in. Keeps anchorMs under the same pixel (the right edge while following).
    void zoomBy(double factor, std::optional<qint64> anchorMs = std::nullopt);
    bool followLive() const { return m_follow; }
    void setFollowLive(bool on);

    QStringList lanes() const;
    int xForTime(qint64 ms) const;
    qint64 timeForX(double x) const;
    QRect laneRect(int lane) const;
    // The source row of the entry under pos: the nearest point mark within a few pixels, else the span there.
    std::optional<int> entryAt(const QPoint &pos) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void entryClicked(int sourceRow);
    void followLiveChanged(bool on);
    void viewChanged();

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    void paintAxis(QPainter &p, const QRect &area) const;
    void paintSpans(QPainter &p, const QHash<QString, int> &laneOf) const;
    void paintPoints(QPainter &p, const QHash<QString, int> &laneOf) const;
    QHash<QString, int> laneIndex() const;
    void followTick();

    model::EventTimelineModel *m_model;
    model::TimelineFilterProxy *m_filter;
    Clock m_clock;
    qint64 m_spanMs = 2 * 60 * 1000;
    qint64 m_endMs = 0;
    bool m_follow = true;
    QTimer m_followTimer;
};

} // namespace cw::ui
