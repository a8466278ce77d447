// SPDX-License-Identifier: Apache-2.0
#include "healthview.h"

#include "palette.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QPixmap>
#include <QPushButton>
#include <QScatterSeries>
#include <QSplitter>
#include <QTableView>
#include <QValueAxis>
#include <QXYSeries>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace cw::ui {

namespace {

// A value axis that always shows something sensible: 0 to a little above the largest value, round ticks.
void fitAxis(QValueAxis *axis, double largest)
{
    axis->setRange(0, largest > 0 ? largest * 1.15 : 1.0);
    axis->applyNiceNumbers();
}

// QDateTimeAxis spaces its ticks evenly over the range; a range of whole steps puts them on round times.
void fitTimeAxis(QDateTimeAxis *axis, qint64 firstMs, qint64 lastMs)
{
    static const qint64 steps[] = {1000,    2000,    5000,    10'000,  15'000,    30'000,   60'000,
                                   120'000, 300'000, 600'000, 900'000, 1'800'000, 3'600'000};
    constexpr int MaxTicks = 7;
    qint64 step = steps[std::size(steps) - 1];
    for (const qint64 candidate : steps) {
        if ((lastMs - firstMs) / candidate < MaxTicks) {
            step = candidate;
            break;
        }
    }
    const qint64 from = firstMs / step * step;
    const qint64 to = std::max(from + step, (lastMs + step - 1) / step * step);
    axis->setTickCount(int((to - from) / step) + 1);
    axis->setFormat(step < 60'000 ? u"HH:mm:ss"_s : u"HH:mm"_s);
    axis->setRange(QDateTime::fromMSecsSinceEpoch(from), QDateTime::fromMSecsSinceEpoch(to));
}

// Spans as one step line per kind, up to 1 and down again, filled to the (hidden) 0..1 axis.
void setSpans(QAreaSeries *area, const QList<model::SeriesSpan> &spans)
{
    QList<QPointF> points;
    points.reserve(spans.size() * 4);
    for (const model::SeriesSpan &span : spans) {
        points << QPointF(qreal(span.startMs), 0) << QPointF(qreal(span.startMs), 1) << QPointF(qreal(span.endMs), 1)
               << QPointF(qreal(span.endMs), 0);
    }
    area->upperSeries()->replace(points);
}

} // namespace

HealthView::HealthView(model::HealthSeries *series, model::StreamHealthModel *health, QWidget *parent)
    : QWidget(parent), m_series(series), m_health(health), m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    m_stream = new QComboBox(this);
    m_stream->setObjectName(u"streamSelect"_s);
    m_stream->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_stream, &QComboBox::currentIndexChanged, this, &HealthView::refresh);
    m_verify = new QPushButton(tr("Verify now"), this);
    m_verify->setObjectName(u"verifyNow"_s);
    m_verify->setToolTip(tr("List again and compare with what the watch delivered, without replacing it"));
    connect(m_verify, &QPushButton::clicked, this, &HealthView::requestVerify);
    m_verifyResult = new QLabel(this);
    m_verifyResult->setObjectName(u"verifyResult"_s);
    m_verifyResult->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *top = new QHBoxLayout;
    top->addWidget(m_stream);
    top->addWidget(m_verify);
    top->addWidget(m_verifyResult, 1);

    m_throughput = createChart(tr("Throughput"));
    m_events = new QLineSeries; // owned by the chart
    m_events->setObjectName(u"eventsPerSecond"_s);
    m_events->setName(tr("events/s"));
    m_bytes = new QLineSeries; // owned by the chart
    m_bytes->setObjectName(u"bytesPerSecond"_s);
    m_bytes->setName(tr("bytes/s"));
    m_reconnects = new QScatterSeries;
    m_reconnects->setObjectName(u"reconnects"_s);
    m_reconnects->setName(tr("reconnect"));
    m_reconnects->setMarkerSize(9);
    m_eventsAxis = new QValueAxis;
    m_eventsAxis->setTitleText(tr("events/s"));
    m_eventsAxis->setLabelFormat(u"%.0f"_s);
    m_bytesAxis = new QValueAxis;
    m_bytesAxis->setTitleText(tr("bytes/s"));
    m_bytesAxis->setLabelFormat(u"%.0f"_s);
    m_throughput.chart->addAxis(m_eventsAxis, Qt::AlignLeft);
    m_throughput.chart->addAxis(m_bytesAxis, Qt::AlignRight);
    for (QXYSeries *line : {static_cast<QXYSeries *>(m_events), static_cast<QXYSeries *>(m_bytes),
                            static_cast<QXYSeries *>(m_reconnects)}) {
        m_throughput.chart->addSeries(line);
        line->attachAxis(m_throughput.time);
        line->attachAxis(line == static_cast<QXYSeries *>(m_bytes) ? m_bytesAxis : m_eventsAxis);
    }
    m_throughput.gaps->setObjectName(u"gaps"_s);
    m_throughput.backoffs->setObjectName(u"backoffs"_s);

    m_silence = createChart(tr("Time since last byte"));
    m_silence.chart->legend()->hide(); // the same spans as above; the title names the line
    m_sinceLastByte = new QLineSeries; // owned by the chart
    m_sinceLastByte->setObjectName(u"sinceLastByte"_s);
    m_sinceLastByte->setName(tr("seconds since last byte"));
    m_stalls = new QScatterSeries;
    m_stalls->setObjectName(u"stalls"_s);
    m_stalls->setName(tr("stall"));
    m_stalls->setMarkerSize(9);
    m_silenceAxis = new QValueAxis;
    m_silenceAxis->setTitleText(tr("s"));
    m_silence.chart->addAxis(m_silenceAxis, Qt::AlignLeft);
    for (QXYSeries *line : {static_cast<QXYSeries *>(m_sinceLastByte), static_cast<QXYSeries *>(m_stalls)}) {
        m_silence.chart->addSeries(line);
        line->attachAxis(m_silence.time);
        line->attachAxis(m_silenceAxis);
    }

    m_charts = new QWidget(this);
    m_charts->setObjectName(u"charts"_s);
    auto *chartsLayout = new QVBoxLayout(m_charts);
    chartsLayout->setContentsMargins(0, 0, 0, 0);
    chartsLayout->addWidget(m_throughput.view, 2);
    chartsLayout->addWidget(m_silence.view, 1);

    m_table = new QTableView(this);
    m_table->setObjectName(u"streamHealth"_s);
    m_table->setModel(m_health);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setStretchLastSection(true);
    connect(m_table, &QTableView::clicked, this, [this](const QModelIndex &index) {
        setSelectedStream(index.siblingAtColumn(model::StreamHealthModel::StreamColumn).data().toString());
    });

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_charts);
    splitter->addWidget(m_table);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    connect(m_series, &model::HealthSeries::streamsChanged, this, &HealthView::refreshStreams);
    connect(m_series, &model::HealthSeries::updated, this, &HealthView::refresh);
    refreshStreams();
    applyTheme();
    refresh();
}

HealthView::Chart HealthView::createChart(const QString &title)
{
    Chart c;
    c.chart = new QChart;
    c.chart->setTitle(title);
    c.chart->legend()->setAlignment(Qt::AlignBottom);
    c.view = new QChartView(c.chart, this); // the view owns the chart
    c.view->setRenderHint(QPainter::Antialiasing);
    c.view->setMinimumHeight(200);
    c.time = new QDateTimeAxis; // axes and series belong to their chart
    c.time->setFormat(u"HH:mm:ss"_s);
    c.time->setTickCount(6);
    c.chart->addAxis(c.time, Qt::AlignBottom);
    c.spanAxis = new QValueAxis;
    c.spanAxis->setRange(0, 1);
    c.spanAxis->setVisible(false);
    c.chart->addAxis(c.spanAxis, Qt::AlignRight);
    addSpans(c);
    return c;
}

void HealthView::addSpans(Chart &c)
{
    const auto makeArea = [](const QString &name) {
        // An area series does not own its line: parent it, so it goes with the area.
        auto *upper = new QLineSeries;
        auto *series = new QAreaSeries(upper);
        upper->setParent(series);
        series->setName(name);
        return series;
    };
    c.gaps = makeArea(tr("gap"));
    c.backoffs = makeArea(tr("backoff wait"));
    for (QAreaSeries *area : {c.gaps, c.backoffs}) {
        c.chart->addSeries(area);
        area->attachAxis(c.time);
        area->attachAxis(c.spanAxis);
    }
}

QString HealthView::selectedStream() const
{
    return m_stream->currentData().toString();
}

void HealthView::setSelectedStream(const QString &stream)
{
    const int index = m_stream->findData(stream);
    if (index >= 0)
        m_stream->setCurrentIndex(index);
}

void HealthView::refreshStreams()
{
    const QString current = selectedStream();
    {
        const QSignalBlocker block(m_stream);
        m_stream->clear();
        m_stream->addItem(tr("All streams"), QString());
        for (const QString &stream : m_series->streams())
            m_stream->addItem(stream, stream);
        m_stream->setCurrentIndex(std::max(0, m_stream->findData(current)));
    }
    m_verify->setEnabled(!m_series->streams().isEmpty());
    refresh();
}

void HealthView::refresh()
{
    const model::StreamSeries s = m_series->series(selectedStream());
    QList<QPointF> events;
    QList<QPointF> bytes;
    QList<QPointF> silence;
    events.reserve(s.points.size());
    bytes.reserve(s.points.size());
    silence.reserve(s.points.size());
    double maxEvents = 0;
    double maxBytes = 0;
    double maxSilence = 0;
    for (const model::SeriesPoint &p : s.points) {
        events << QPointF(qreal(p.timeMs), p.eventsPerSec);
        bytes << QPointF(qreal(p.timeMs), p.bytesPerSec);
        silence << QPointF(qreal(p.timeMs), p.sinceLastByteSec);
        maxEvents = std::max(maxEvents, p.eventsPerSec);
        maxBytes = std::max(maxBytes, p.bytesPerSec);
        maxSilence = std::max(maxSilence, p.sinceLastByteSec);
    }
    m_events->replace(events);
    m_bytes->replace(bytes);
    m_sinceLastByte->replace(silence);
    fitAxis(m_eventsAxis, maxEvents);
    fitAxis(m_bytesAxis, maxBytes);
    fitAxis(m_silenceAxis, maxSilence);
    // Markers sit on the x axis of their chart: they mark a moment, not a value.
    QList<QPointF> reconnects;
    for (const qint64 t : s.reconnects)
        reconnects << QPointF(qreal(t), 0);
    m_reconnects->replace(reconnects);
    QList<QPointF> stalls;
    for (const qint64 t : s.stalls)
        stalls << QPointF(qreal(t), 0);
    m_stalls->replace(stalls);
    for (Chart *c : {&m_throughput, &m_silence}) {
        setSpans(c->gaps, s.gaps);
        setSpans(c->backoffs, s.backoffs);
    }

    qint64 last = s.points.isEmpty() ? m_clock() : s.points.last().timeMs + 1000;
    qint64 first = s.points.isEmpty() ? last - 60'000 : s.points.first().timeMs;
    for (const auto &span : std::as_const(s.gaps)) {
        first = std::min(first, span.startMs);
        last = std::max(last, span.endMs);
    }
    first = std::max(first, last - m_series->retentionMs());
    fitTimeAxis(m_throughput.time, first, last);
    fitTimeAxis(m_silence.time, first, last);
}

void HealthView::applyTheme()
{
    const bool dark = isDark(palette());
    const StateColors colors = stateColors(palette());
    for (Chart *c : {&m_throughput, &m_silence}) {
        // setTheme() recolours every series: the palette's own colours go on afterwards.
        c->chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
        c->chart->setBackgroundBrush(palette().color(QPalette::Base));
        c->chart->setTitleBrush(palette().color(QPalette::Text));
        c->gaps->setColor(colors.gap);
        c->gaps->setBorderColor(Qt::transparent);
        QColor backoff = colors.stale;
        backoff.setAlpha(35);
        c->backoffs->setBrush(QBrush(backoff, Qt::BDiagPattern));
        c->backoffs->setBorderColor(Qt::transparent);
    }
    m_events->setColor(colors.live);
    m_bytes->setColor(dark ? QColor(0x6c, 0xa8, 0xff) : QColor(0x1f, 0x5f, 0xbf));
    m_reconnects->setColor(colors.failed);
    m_sinceLastByte->setColor(colors.stale);
    m_stalls->setColor(colors.failed);
}

void HealthView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
    QWidget::changeEvent(event);
}

void HealthView::requestVerify()
{
    const QString stream = selectedStream();
    if (!stream.isEmpty()) {
        emit verifyRequested(stream);
        return;
    }
    for (const QString &each : m_series->streams())
        emit verifyRequested(each);
}

void HealthView::showVerifyResult(const watch::VerifyResult &result)
{
    const QString when = QDateTime::fromMSecsSinceEpoch(m_clock(), m_zone).toString(u"HH:mm:ss"_s);
    QString text;
    if (result.error) {
        text = u"Verify of "_s + result.stream + u" failed at "_s + when + u": "_s + result.error->message;
    } else {
        text = u"Verified "_s + when + u": "_s + QString::number(result.missing) + u" missing, "_s
               + QString::number(result.extra) + u" extra, "_s + QString::number(result.stale) + u" stale"_s;
        if (!result.examples.isEmpty())
            text += u" — e.g. "_s + result.examples.mid(0, 5).join(u", "_s);
    }
    const bool clean = !result.error && result.missing == 0 && result.extra == 0 && result.stale == 0;
    const StateColors colors = stateColors(palette());
    QPalette pal = m_verifyResult->palette();
    pal.setColor(QPalette::WindowText, clean ? colors.live : colors.failed);
    m_verifyResult->setPalette(pal);
    m_verifyResult->setText(text);
    m_verifyResult->setToolTip(result.stream + u" at resourceVersion "_s + result.listedResourceVersion);
}

QString HealthView::verifyText() const
{
    return m_verifyResult->text();
}

bool HealthView::saveChartPng(const QString &path) const
{
    const QPixmap pixmap = m_charts->grab();
    return !pixmap.isNull() && pixmap.save(path, "PNG");
}

} // namespace cw::ui
