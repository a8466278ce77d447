// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eventtimelinemodel.h"
#include "timelinefilterproxy.h"

#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QTableView;
class QToolButton;

namespace cw::ui {

class TimelineLanes;

// The timeline as users see it: filters on top, the painted lanes, and the filtered entries as a table.
// model -> proxy -> lanes and table; clicking a mark or a row names the entry.
class TimelineWidget : public QWidget
{
    Q_OBJECT

public:
    explicit TimelineWidget(model::EventTimelineModel *model, QWidget *parent = nullptr);

    model::EventTimelineModel *model() const { return m_model; }
    model::TimelineFilterProxy *proxy() const { return m_proxy; }
    TimelineLanes *lanes() const { return m_lanes; }
    QTableView *table() const { return m_table; }
    void setClock(std::function<qint64()> clock);

    // Source rows for File > Export: the selected rows, or every row the filters let through.
    QList<int> exportRows() const;

Q_SIGNALS:
    void entryActivated(const cw::model::TimelineEntry &entry);

private:
    QWidget *createFilterBar();
    void applyFilters();
    void refreshStreams();
    void activateProxyRow(int proxyRow);

    model::EventTimelineModel *m_model;
    model::TimelineFilterProxy *m_proxy;
    TimelineLanes *m_lanes = nullptr;
    QTableView *m_table = nullptr;
    QComboBox *m_stream = nullptr;
    QLineEdit *m_namespace = nullptr;
    QList<QCheckBox *> m_typeBoxes;
    QCheckBox *m_recoveredOnly = nullptr;
    QToolButton *m_follow = nullptr;
};

} // namespace cw::ui
