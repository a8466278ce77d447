// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "healthseries.h"
#include "streamhealthmodel.h"

#include <QTimeZone>
#include <QWidget>

#include <functional>

class QAreaSeries;
class QChart;
class QChartView;
class QComboBox;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QPushButton;
class QScatterSeries;
class QTableView;
class QValueAxis;

namespace cw::ui {

// Connection health as charts and a table: events/s, bytes/s, reconnects, backoff waits and gaps for one
// stream or all of them, the time since the last byte, and a Verify button that compares the store with a
// fresh list.
class HealthView : public QWidget
{
    Q_OBJECT

public:
    HealthView(model::HealthSeries *series, model::StreamHealthModel *health, QWidget *parent = nullptr);

    // Empty: all streams.
    QString selectedStream() const;
    void setSelectedStream(const QString &stream);
    QTableView *table() const { return m_table; }
    QString verifyText() const;
    bool saveChartPng(const QString &path) const;

    // "Verified 14:03:02" reads the clock in this zone; tests fix both.
    void setClock(std::function<qint64()> clock) { m_clock = std::move(clock); }
    void setTimeZone(const QTimeZone &zone) { m_zone = zone; }

Q_SIGNALS:
    void verifyRequested(const QString &stream);

public Q_SLOTS:
    void showVerifyResult(const cw::watch::VerifyResult &result);
    void refresh();

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Chart
    {
        QChart *chart = nullptr;
        QChartView *view = nullptr;
        QDateTimeAxis *time = nullptr;
        QValueAxis *spanAxis = nullptr; // 0..1, hidden: shaded spans fill the chart's height
        QAreaSeries *gaps = nullptr;
        QAreaSeries *backoffs = nullptr;
    };

    Chart createChart(const QString &title);
    void addSpans(Chart &chart);
    void applyTheme();
    void refreshStreams();
    void requestVerify();

    model::HealthSeries *m_series;
    model::StreamHealthModel *m_health;
    std::function<qint64()> m_clock;
    QTimeZone m_zone = QTimeZone::systemTimeZone();

    QComboBox *m_stream = nullptr;
    QPushButton *m_verify = nullptr;
    QLabel *m_verifyResult = nullptr;
    QWidget *m_charts = nullptr;
    Chart m_throughput;
    Chart m_silence;
    QLineSeries *m_events = nullptr;
    QLineSeries *m_bytes = nullptr;
    QScatterSeries *m_reconnects = nullptr;
    QLineSeries *m_sinceLastByte = nullptr;
    QScatterSeries *m_stalls = nullptr;
    QValueAxis *m_eventsAxis = nullptr;
    QValueAxis *m_bytesAxis = nullptr;
    QValueAxis *m_silenceAxis = nullptr;
    QTableView *m_table = nullptr;
};

} // namespace cw::ui
