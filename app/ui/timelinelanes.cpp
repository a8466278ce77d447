// SPDX-License-Identifier: Apache-2.0
#include "timelinelanes.h"

#include "palette.h"

#include <QDateTime>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>

#include <cmath>
#include <limits>
#include <vector>

using namespace Qt::StringLiterals;

namespace cw::ui {

namespace {

using model::TimelineEntry;

enum Mark : quint8 { AddedMark = 1, ModifiedMark = 2, DeletedMark = 4, RecoveredMark = 8, ConnectionMark = 16 };

QColor modifiedColor(const QPalette &palette)
{
    return isDark(palette) ? QColor(0x6c, 0xa8, 0xff) : QColor(0x1f, 0x5f, 0xbf);
}

// Connection events coloured by what they mean for the data: green restores, red loses, amber waits.
QColor connectionColor(const QString &reason, const StateColors &c)
{
    static const QLatin1StringView good[] = {"connected"_L1, "resumed"_L1, "relist end"_L1, "network restored"_L1,
                                             "resumed from suspend"_L1};
    static const QLatin1StringView bad[] = {"expired"_L1,   "failure"_L1,  "error"_L1,     "lost"_L1,
                                            "closed"_L1,    "malformed"_L1, "regression"_L1, "credentials"_L1,
                                            "forbidden"_L1, "unauthorized"_L1};
    for (const auto word : good) {
        if (reason == word)
            return c.live;
    }
    for (const auto word : bad) {
        if (reason.contains(word, Qt::CaseInsensitive))
            return c.failed;
    }
    return c.stale;
}

// A tick step that leaves about 90 px between labels.
qint64 tickStep(qint64 spanMs, int width)
{
    static const qint64 steps[] = {1000,    2000,    5000,     10'000,   15'000,    30'000,    60'000,
                                   120'000, 300'000, 600'000,  900'000,  1'800'000, 3'600'000, 7'200'000,
                                   21'600'000, 43'200'000, 86'400'000};
    const double wanted = double(spanMs) * 90.0 / std::max(1, width);
    for (const qint64 step : steps) {
        if (double(step) >= wanted)
            return step;
    }
    return steps[std::size(steps) - 1];
}

} // namespace

TimelineLanes::TimelineLanes(model::EventTimelineModel *model, model::TimelineFilterProxy *filter, QWidget *parent)
    : QWidget(parent), m_model(model), m_filter(filter), m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_endMs = m_clock();
    // A few frames a second are enough to see time pass; repaints between are coalesced by update().
    m_followTimer.setInterval(250);
    connect(&m_followTimer, &QTimer::timeout, this, &TimelineLanes::followTick);
    m_followTimer.start();
    const auto repaint = [this] { update(); };
    // While following, the tick repaints anyway: a busy cluster's 20 batches a second would otherwise each
    // cost a full repaint of every mark in view.
    const auto repaintUnlessFollowing = [this] {
        if (!m_follow)
            update();
    };
    connect(m_model, &QAbstractItemModel::rowsInserted, this, repaintUnlessFollowing);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, repaintUnlessFollowing);
    connect(m_model, &QAbstractItemModel::modelReset, this, repaint);
    connect(m_model, &model::EventTimelineModel::streamsChanged, this, [this] { updateGeometry(); update(); });
    // The proxy re-filters on every filter change; the lanes use the same decision.
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, repaint);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, repaintUnlessFollowing);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, repaintUnlessFollowing);
    connect(m_filter, &QAbstractItemModel::modelReset, this, repaint);
}

void TimelineLanes::setClock(Clock clock)
{
    m_clock = std::move(clock);
    followTick();
}

void TimelineLanes::followTick()
{
    if (!m_follow)
        return;
    m_endMs = m_clock();
    update();
}

void TimelineLanes::setView(qint64 endMs, qint64 spanMs)
{
    m_spanMs = std::clamp(spanMs, MinSpanMs, MaxSpanMs);
    m_endMs = endMs;
    setFollowLive(false);
    update();
    emit viewChanged();
}

void TimelineLanes::zoomBy(double factor, std::optional<qint64> anchorMs)
{
    if (factor <= 0)
        return;
    const qint64 span = std::clamp<qint64>(qint64(double(m_spanMs) / factor), MinSpanMs, MaxSpanMs);
    if (m_follow || !anchorMs) {
        m_spanMs = span; // the right edge stays where it is
    } else {
        const double ratio = double(*anchorMs - (m_endMs - m_spanMs)) / double(m_spanMs);
        m_endMs = *anchorMs + qint64((1.0 - ratio) * double(span));
        m_spanMs = span;
    }
    update();
    emit viewChanged();
}

void TimelineLanes::setFollowLive(bool on)
{
    if (on == m_follow)
        return;
    m_follow = on;
    followTick();
    emit followLiveChanged(on);
}

QStringList TimelineLanes::lanes() const
{
    const QStringList chosen = m_filter->streams();
    if (chosen.isEmpty())
        return m_model->streams();
    QStringList shown;
    for (const QString &stream : m_model->streams()) {
        if (chosen.contains(stream))
            shown.append(stream);
    }
    return shown;
}

QHash<QString, int> TimelineLanes::laneIndex() const
{
    QHash<QString, int> index;
    const QStringList names = lanes();
    for (qsizetype i = 0; i < names.size(); ++i)
        index.insert(names.at(i), int(i));
    return index;
}

int TimelineLanes::xForTime(qint64 ms) const
{
    const double plotWidth = std::max(1, width() - LabelWidth);
    return LabelWidth + int(std::lround(double(ms - (m_endMs - m_spanMs)) * plotWidth / double(m_spanMs)));
}

qint64 TimelineLanes::timeForX(double x) const
{
    const double plotWidth = std::max(1, width() - LabelWidth);
    return (m_endMs - m_spanMs) + qint64((x - LabelWidth) * double(m_spanMs) / plotWidth);
}

QRect TimelineLanes::laneRect(int lane) const
{
    return {LabelWidth, AxisHeight + lane * LaneHeight, std::max(0, width() - LabelWidth), LaneHeight};
}

QSize TimelineLanes::sizeHint() const
{
    return {800, AxisHeight + std::max<int>(3, int(m_model->streams().size())) * LaneHeight + 4};
}

QSize TimelineLanes::minimumSizeHint() const
{
    return {LabelWidth + 100, AxisHeight + LaneHeight};
}

void TimelineLanes::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette &pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const QHash<QString, int> laneOf = laneIndex();
    const QStringList names = lanes();
    for (int lane = 0; lane < names.size(); ++lane) {
        const QRect r = laneRect(lane);
        if (lane % 2 == 1)
            p.fillRect(r, pal.color(QPalette::AlternateBase));
        p.setPen(pal.color(QPalette::Text));
        const QRect label(4, r.top(), LabelWidth - 8, r.height());
        p.drawText(label, Qt::AlignLeft | Qt::AlignVCenter,
                   p.fontMetrics().elidedText(names.at(lane), Qt::ElideMiddle, label.width()));
    }
    p.setClipRect(QRect(LabelWidth, 0, width() - LabelWidth, height()));
    paintSpans(p, laneOf);
    paintPoints(p, laneOf);
    p.setClipping(false);
    paintAxis(p, QRect(LabelWidth, 0, width() - LabelWidth, height()));
}

void TimelineLanes::paintAxis(QPainter &p, const QRect &area) const
{
    const QPalette &pal = palette();
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(area.left(), AxisHeight - 1, area.right(), AxisHeight - 1);
    p.drawLine(area.left(), 0, area.left(), area.bottom());
    const qint64 step = tickStep(m_spanMs, area.width());
    const qint64 start = m_endMs - m_spanMs;
    const QString format = step < 60'000 ? u"HH:mm:ss"_s : u"HH:mm"_s;
    for (qint64 t = (start / step + 1) * step; t <= m_endMs; t += step) {
        const int x = xForTime(t);
        p.setPen(pal.color(QPalette::Mid));
        p.drawLine(x, AxisHeight - 5, x, AxisHeight - 1);
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRect(x - 45, 0, 90, AxisHeight - 5), Qt::AlignCenter,
                   QDateTime::fromMSecsSinceEpoch(t).toString(format));
    }
}

void TimelineLanes::paintSpans(QPainter &p, const QHash<QString, int> &laneOf) const
{
    const StateColors colors = stateColors(palette());
    const qint64 from = m_endMs - m_spanMs;
    for (const int row : m_model->spanRowsBetween(from, m_endMs)) {
        const TimelineEntry &e = m_model->entry(row);
        const auto lane = laneOf.constFind(e.stream());
        if (lane == laneOf.cend() || !m_filter->acceptsEntry(e))
            continue;
        const QRect r = laneRect(*lane);
        const int left = std::max(r.left(), xForTime(e.timeMs));
        const int right = std::min(r.right(), std::max(xForTime(e.endMs), left + 1));
        const QRect span(left, r.top() + 1, right - left + 1, r.height() - 2);
        if (e.kind == TimelineEntry::Kind::Gap) {
            p.fillRect(span, colors.gap);
        } else {
            // A backoff wait: hatched, the stream is quiet on purpose.
            QColor hatch = colors.stale;
            hatch.setAlpha(110);
            p.fillRect(span, QBrush(hatch, Qt::BDiagPattern));
        }
    }
}

void TimelineLanes::paintPoints(QPainter &p, const QHash<QString, int> &laneOf) const
{
    const QPalette &pal = palette();
    const StateColors colors = stateColors(pal);
    const QColor modified = modifiedColor(pal);
    const qint64 from = m_endMs - m_spanMs;
    const int plotWidth = std::max(1, width() - LabelWidth);
    // One bit per mark type and pixel column of each lane: at most a few thousand strokes, whatever the count.
    std::vector<quint8> drawn(size_t(laneOf.size()) * size_t(plotWidth), 0);
    std::vector<int> labelEnd(size_t(laneOf.size()), std::numeric_limits<int>::min());
    const auto [first, last] = m_model->rowsBetween(from, m_endMs);
    for (int row = first; row < last; ++row) {
        const TimelineEntry &e = m_model->entry(row);
        if (e.kind == TimelineEntry::Kind::Gap || e.timeMs < from || e.timeMs > m_endMs)
            continue;
        const auto lane = laneOf.constFind(e.stream());
        if (lane == laneOf.cend() || !m_filter->acceptsEntry(e))
            continue;
        const int x = xForTime(e.timeMs);
        const int column = std::clamp(x - LabelWidth, 0, plotWidth - 1);
        quint8 mark = ConnectionMark;
        QColor color;
        if (e.kind == TimelineEntry::Kind::Connection) {
            color = connectionColor(e.type(), colors);
        } else if (e.recovered) {
            mark = RecoveredMark;
            color = colors.recovered;
        } else if (e.changeType() == watch::ChangeType::Modified) {
            mark = ModifiedMark;
            color = modified;
        } else if (e.changeType() == watch::ChangeType::Deleted) {
            mark = DeletedMark;
            color = colors.failed;
        } else {
            mark = AddedMark;
            color = colors.live;
        }
        quint8 &cell = drawn[size_t(*lane) * size_t(plotWidth) + size_t(column)];
        if (cell & mark)
            continue;
        cell |= mark;
        const QRect r = laneRect(*lane);
        if (mark == ConnectionMark) {
            // A flag: a thin pole and a triangle at the top, and the reason when there is room.
            p.setPen(color);
            p.drawLine(x, r.top() + 2, x, r.bottom() - 2);
            QPainterPath flag;
            flag.moveTo(x, r.top() + 2);
            flag.lineTo(x + 6, r.top() + 5);
            flag.lineTo(x, r.top() + 8);
            flag.closeSubpath();
            p.fillPath(flag, color);
            int &end = labelEnd[size_t(*lane)];
            const QString type = e.type();
            const int textWidth = p.fontMetrics().horizontalAdvance(type);
            if (x + 8 > end + 4) {
                p.setPen(pal.color(QPalette::Text));
                p.drawText(QRect(x + 8, r.top(), textWidth + 2, r.height()), Qt::AlignLeft | Qt::AlignVCenter,
                           type);
                end = x + 8 + textWidth;
            }
        } else if (mark == RecoveredMark) {
            // Recovered: a diamond, visibly not a plain tick, since the watch never delivered it.
            QPainterPath diamond;
            const int cy = r.center().y();
            diamond.moveTo(x, cy - 5);
            diamond.lineTo(x + 4, cy);
            diamond.lineTo(x, cy + 5);
            diamond.lineTo(x - 4, cy);
            diamond.closeSubpath();
            p.fillPath(diamond, color);
        } else {
            p.fillRect(QRect(x, r.top() + 6, 2, r.height() - 12), color);
        }
    }
}

std::optional<int> TimelineLanes::entryAt(const QPoint &pos) const
{
    if (pos.x() < LabelWidth || pos.y() < AxisHeight)
        return std::nullopt;
    const int lane = (pos.y() - AxisHeight) / LaneHeight;
    const QStringList names = lanes();
    if (lane >= names.size())
        return std::nullopt;
    const QString &stream = names.at(lane);
    constexpr int Reach = 5; // px either side: marks are thin
    const qint64 from = timeForX(pos.x() - Reach);
    const qint64 to = timeForX(pos.x() + Reach);
    std::optional<int> best;
    int bestDistance = Reach + 1;
    const auto [first, last] = m_model->rowsBetween(from, to);
    for (int row = first; row < last; ++row) {
        const TimelineEntry &e = m_model->entry(row);
        if (e.kind == TimelineEntry::Kind::Gap || e.stream() != stream || e.timeMs < from || e.timeMs > to
            || !m_filter->acceptsEntry(e))
            continue;
        const int distance = std::abs(xForTime(e.timeMs) - pos.x());
        if (distance < bestDistance) { // the first of equals: the earliest entry under the mark
            bestDistance = distance;
            best = row;
        }
    }
    if (best)
        return best;
    const qint64 at = timeForX(pos.x());
    for (const int row : m_model->spanRowsBetween(at, at)) {
        const TimelineEntry &e = m_model->entry(row);
        if (e.stream() == stream && m_filter->acceptsEntry(e))
            return row;
    }
    return std::nullopt;
}

void TimelineLanes::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return QWidget::mousePressEvent(event);
    if (const auto row = entryAt(event->position().toPoint()))
        emit entryClicked(*row);
}

void TimelineLanes::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0) {
        event->ignore();
        return;
    }
    if (event->modifiers() & Qt::ControlModifier) {
        zoomBy(std::pow(1.25, steps), timeForX(event->position().x()));
    } else {
        // Scrolling back in time leaves the live edge.
        const qint64 shift = qint64(-steps * double(m_spanMs) / 10.0);
        setView(m_endMs + shift, m_spanMs);
    }
    event->accept();
}

} // namespace cw::ui
