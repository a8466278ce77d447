// SPDX-License-Identifier: Apache-2.0
#include "timelinewidget.h"

#include "timelinelanes.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace cw::ui {

namespace {

using Proxy = model::TimelineFilterProxy;

struct TypeOption
{
    Proxy::TypeFlag flag;
    const char *label;
    const char *objectName;
};
constexpr TypeOption kTypes[] = {
    {Proxy::Added, "ADDED", "typeAdded"},          {Proxy::Modified, "MODIFIED", "typeModified"},
    {Proxy::Deleted, "DELETED", "typeDeleted"},    {Proxy::Connection, "Connection", "typeConnection"},
    {Proxy::Gap, "Gap", "typeGap"},
};

} // namespace

TimelineWidget::TimelineWidget(model::EventTimelineModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_proxy(new Proxy(this))
{
    m_proxy->setSourceModel(m_model);
    m_lanes = new TimelineLanes(m_model, m_proxy, this);
    m_lanes->setObjectName(u"lanes"_s);

    m_table = new QTableView(this);
    m_table->setObjectName(u"entries"_s);
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    // Fixed heights: a view over 200,000 rows must not measure each one.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    connect(m_table, &QTableView::clicked, this, [this](const QModelIndex &index) { activateProxyRow(index.row()); });
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex &index) { activateProxyRow(index.row()); });
    connect(m_lanes, &TimelineLanes::entryClicked, this, [this](int sourceRow) {
        const QModelIndex proxyIndex = m_proxy->mapFromSource(m_model->index(sourceRow, 0));
        if (proxyIndex.isValid())
            m_table->selectionModel()->setCurrentIndex(
                proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        emit entryActivated(m_model->entry(sourceRow));
    });
    // Following live keeps the newest row in sight, as the lanes keep now at the right edge.
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_lanes->followLive())
            m_table->scrollToBottom();
    });

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_lanes);
    splitter->addWidget(m_table);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(createFilterBar());
    layout->addWidget(splitter, 1);

    connect(m_model, &model::EventTimelineModel::streamsChanged, this, &TimelineWidget::refreshStreams);
    refreshStreams();
}

QWidget *TimelineWidget::createFilterBar()
{
    auto *bar = new QWidget(this);
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(4, 4, 4, 4);

    m_stream = new QComboBox(bar);
    m_stream->setObjectName(u"streamFilter"_s);
    m_stream->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_stream, &QComboBox::currentIndexChanged, this, &TimelineWidget::applyFilters);
    row->addWidget(m_stream);

    m_namespace = new QLineEdit(bar);
    m_namespace->setObjectName(u"namespaceFilter"_s);
    m_namespace->setPlaceholderText(tr("Namespace"));
    m_namespace->setClearButtonEnabled(true);
    connect(m_namespace, &QLineEdit::textChanged, this, &TimelineWidget::applyFilters);
    row->addWidget(m_namespace);

    for (const TypeOption &option : kTypes) {
        auto *box = new QCheckBox(tr(option.label), bar);
        box->setObjectName(QLatin1StringView(option.objectName));
        box->setChecked(true);
        box->setProperty("typeFlag", int(option.flag));
        connect(box, &QCheckBox::toggled, this, &TimelineWidget::applyFilters);
        m_typeBoxes.append(box);
        row->addWidget(box);
    }
    m_recoveredOnly = new QCheckBox(tr("Recovered only"), bar);
    m_recoveredOnly->setObjectName(u"recoveredOnly"_s);
    connect(m_recoveredOnly, &QCheckBox::toggled, this, &TimelineWidget::applyFilters);
    row->addWidget(m_recoveredOnly);
    row->addStretch(1);

    auto *zoomOut = new QToolButton(bar);
    zoomOut->setObjectName(u"zoomOut"_s);
    zoomOut->setText(u"−"_s);
    zoomOut->setToolTip(tr("Zoom out (Ctrl+wheel)"));
    connect(zoomOut, &QToolButton::clicked, this, [this] { m_lanes->zoomBy(1.0 / 1.5); });
    auto *zoomIn = new QToolButton(bar);
    zoomIn->setObjectName(u"zoomIn"_s);
    zoomIn->setText(u"+"_s);
    zoomIn->setToolTip(tr("Zoom in (Ctrl+wheel)"));
    connect(zoomIn, &QToolButton::clicked, this, [this] { m_lanes->zoomBy(1.5); });
    m_follow = new QToolButton(bar);
    m_follow->setObjectName(u"followLive"_s);
    m_follow->setText(tr("Follow live"));
    m_follow->setCheckable(true);
    m_follow->setChecked(m_lanes->followLive());
    connect(m_follow, &QToolButton::toggled, m_lanes, &TimelineLanes::setFollowLive);
    connect(m_lanes, &TimelineLanes::followLiveChanged, m_follow, &QToolButton::setChecked);
    row->addWidget(zoomOut);
    row->addWidget(zoomIn);
    row->addWidget(m_follow);
    return bar;
}

void TimelineWidget::setClock(std::function<qint64()> clock)
{
    m_lanes->setClock(std::move(clock));
}

void TimelineWidget::refreshStreams()
{
    const QString current = m_stream->currentData().toString();
    const QSignalBlocker block(m_stream);
    m_stream->clear();
    m_stream->addItem(tr("All streams"), QString());
    for (const QString &stream : m_model->streams())
        m_stream->addItem(stream, stream);
    m_stream->setCurrentIndex(std::max(0, m_stream->findData(current)));
    m_lanes->updateGeometry();
    m_lanes->update();
}

void TimelineWidget::applyFilters()
{
    const QString stream = m_stream->currentData().toString();
    m_proxy->setStreams(stream.isEmpty() ? QStringList() : QStringList{stream});
    m_proxy->setNamespace(m_namespace->text().trimmed());
    Proxy::Types types;
    for (const QCheckBox *box : std::as_const(m_typeBoxes)) {
        if (box->isChecked())
            types |= Proxy::TypeFlag(box->property("typeFlag").toInt());
    }
    m_proxy->setTypes(types);
    m_proxy->setRecoveredOnly(m_recoveredOnly->isChecked());
    m_lanes->update();
}

void TimelineWidget::activateProxyRow(int proxyRow)
{
    if (proxyRow < 0 || proxyRow >= m_proxy->rowCount())
        return;
    emit entryActivated(m_proxy->entryAt(proxyRow));
}

QList<int> TimelineWidget::exportRows() const
{
    QList<int> rows;
    const QModelIndexList selected = m_table->selectionModel()->selectedRows();
    if (!selected.isEmpty()) {
        for (const QModelIndex &index : selected)
            rows.append(m_proxy->mapToSource(index).row());
        std::sort(rows.begin(), rows.end());
        return rows;
    }
    rows.reserve(m_proxy->rowCount());
    for (int row = 0; row < m_proxy->rowCount(); ++row)
        rows.append(m_proxy->mapToSource(m_proxy->index(row, 0)).row());
    return rows;
}

} // namespace cw::ui
