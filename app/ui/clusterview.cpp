// SPDX-License-Identifier: Apache-2.0
#include "clusterview.h"

#include "democluster.h"
#include "eventtimelinemodel.h"
#include "filterproxies.h"
#include "healthseries.h"
#include "healthview.h"
#include "networkmonitor.h"
#include "objectview.h"
#include "outputs.h"
#include "palette.h"
#include "resourcetablemodel.h"
#include "resourcetypesmodel.h"
#include "rowdelegate.h"
#include "session.h"
#include "streamhealthmodel.h"
#include "timelineexport.h"
#include "timelinewidget.h"

#include <QComboBox>
#include <QDateTime>
#include <QFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace cw::ui {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString keyOf(const QString &ns, const QString &name)
{
    return ns + u'/' + name;
}

// Opened at start: the table people look at first, and the two every view leans on (the namespace list,
// and the cluster's Events for the Events view and the timeline).
const QStringList DefaultResources = {u"namespaces"_s, u"events"_s, u"pods"_s};
constexpr int HealthLogCapacity = 100'000;

} // namespace


ClusterView::ClusterView(watch::ResolvedContext context, std::unique_ptr<DemoCluster> demo,
                         watch::NetworkMonitor *monitor, const watch::SessionOptions &options, QWidget *parent)
    : QWidget(parent), m_contextName(context.contextName), m_demo(std::move(demo))
{
    m_session = std::make_unique<watch::ClusterSession>(std::move(context), options);
    if (monitor && !m_demo) // the demo cluster is on loopback: no network change reaches it
        watch::attach(monitor, m_session.get());

    m_types = new model::ResourceTypesModel(this);
    m_timelineModel = new model::EventTimelineModel(this);
    m_healthModel = new model::StreamHealthModel(this);
    m_series = new model::HealthSeries(this);

    // Top row: namespace, filter, freshness, verify.
    m_namespaceBox = new QComboBox;
    m_namespaceBox->setMinimumContentsLength(16);
    m_namespaceBox->setToolTip(tr("Namespace"));
    m_namespaceBox->addItem(tr("All namespaces"), QString());
    m_filter = new QLineEdit;
    m_filter->setClearButtonEnabled(true);
    m_filter->setPlaceholderText(tr("Filter: text and label selectors, e.g. web app=web,tier!=db  (Ctrl+F)"));
    m_filterError = new QLabel;
    m_filterError->setVisible(false);
    m_freshness = new QLabel;
    m_freshness->setObjectName(u"freshness"_s);
    m_verify = new QToolButton;
    m_verify->setText(tr("Verify now"));
    m_verify->setToolTip(tr("List the resource afresh and compare it with what is shown"));
    auto *top = new QHBoxLayout;
    top->addWidget(m_namespaceBox);
    top->addWidget(m_filter, 1);
    top->addWidget(m_filterError);
    top->addWidget(m_freshness);
    top->addWidget(m_verify);

    m_banner = new QLabel;
    m_banner->setObjectName(u"banner"_s);
    m_banner->setWordWrap(true);
    m_banner->setVisible(false);
    m_banner->setMargin(6);
    m_banner->setAutoFillBackground(true);
    m_progress = new QProgressBar;
    m_progress->setVisible(false);
    m_progress->setTextVisible(true);

    m_sidebar = new QTreeView;
    m_sidebar->setModel(m_types);
    m_sidebar->setHeaderHidden(true);
    m_sidebar->setUniformRowHeights(true);
    m_table = new QTableView;
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_delegate = new RowDelegate(this);
    m_table->setItemDelegate(m_delegate);
    m_objectView = new ObjectView;
    m_timeline = new TimelineWidget(m_timelineModel);
    m_healthView = new HealthView(m_series, m_healthModel);
    m_bottomTabs = new QTabWidget;
    m_bottomTabs->addTab(m_timeline, tr("Event timeline"));
    m_bottomTabs->addTab(m_healthView, tr("Connection health"));

    m_tableSplitter = new QSplitter(Qt::Horizontal);
    m_tableSplitter->addWidget(m_table);
    m_tableSplitter->addWidget(m_objectView);
    m_tableSplitter->setStretchFactor(0, 3);
    m_tableSplitter->setStretchFactor(1, 2);
    auto *tablePane = new QWidget;
    auto *tableLayout = new QVBoxLayout(tablePane);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addLayout(top);
    tableLayout->addWidget(m_banner);
    tableLayout->addWidget(m_progress);
    tableLayout->addWidget(m_tableSplitter, 1);
    m_centerSplitter = new QSplitter(Qt::Vertical);
    m_centerSplitter->addWidget(tablePane);
    m_centerSplitter->addWidget(m_bottomTabs);
    m_centerSplitter->setStretchFactor(0, 3);
    m_centerSplitter->setStretchFactor(1, 2);
    m_mainSplitter = new QSplitter(Qt::Horizontal);
    m_mainSplitter->addWidget(m_sidebar);
    m_mainSplitter->addWidget(m_centerSplitter);
    m_mainSplitter->setStretchFactor(1, 1);
    m_mainSplitter->setSizes({200, 1000});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_mainSplitter);

    connect(m_session.get(), &watch::ClusterSession::discovered, this, &ClusterView::onDiscovered);
    connect(m_session.get(), &watch::ClusterSession::batchReady, this, &ClusterView::onBatch);
    connect(m_session.get(), &watch::ClusterSession::streamFinished, this, &ClusterView::onFinished);
    connect(m_session.get(), &watch::ClusterSession::verified, this, &ClusterView::onVerified);
    connect(m_session.get(), &watch::ClusterSession::fetched, this, &ClusterView::onFetched);
    connect(m_sidebar, &QTreeView::clicked, this, [this](const QModelIndex &index) {
        const QString gr = index.data(model::ResourceTypesModel::GroupResourceRole).toString();
        if (!gr.isEmpty())
            selectResource(gr);
    });
    connect(m_namespaceBox, &QComboBox::activated, this,
            [this](int i) { setNamespace(m_namespaceBox->itemData(i).toString()); });
    connect(m_filter, &QLineEdit::textChanged, this, &ClusterView::applyFilter);
    connect(m_verify, &QToolButton::clicked, this, &ClusterView::verifyNow);
    connect(m_healthView, &HealthView::verifyRequested, m_session.get(), &watch::ClusterSession::verify);
    connect(m_timeline, &TimelineWidget::entryActivated, this, &ClusterView::onTimelineEntry);
    connect(m_objectView, &ObjectView::fullObjectRequested, this, [this](const QString &ns, const QString &name) {
        m_session->fetch(m_selectedStream, ns, name);
    });

    m_tick = new QTimer(this);
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, &ClusterView::refreshStatus);
    m_tick->start();
    // Changed rows flash for a moment: repaint while any flash runs, not otherwise.
    auto *flash = new QTimer(this);
    flash->setInterval(100);
    connect(flash, &QTimer::timeout, this, [this] {
        if (nowMs() - m_lastChangeMs < RowDelegate::FlashMs + 200)
            m_table->viewport()->update();
    });
    flash->start();
    m_rediscover = new QTimer(this);
    m_rediscover->setSingleShot(true);
    connect(m_rediscover, &QTimer::timeout, this, &ClusterView::discover);
    discover();
    refreshStatus();
}

ClusterView::~ClusterView()
{
    // The session stops its streams and joins its thread before the models and the demo server go.
    m_session.reset();
    qDeleteAll(m_byStream);
}

void ClusterView::discover()
{
    m_session->discover();
}

void ClusterView::onDiscovered(const QList<watch::ApiResource> &resources,
                               const std::optional<watch::StreamError> &error)
{
    if (error) {
        // Unreachable or refused: say so where the user looks, and keep trying.
        m_discoveryError = error;
        m_rediscover->start(RediscoverMs);
        refreshStatus();
        return;
    }
    const bool first = m_served.isEmpty();
    m_discoveryError.reset();
    m_served = resources;
    m_types->setResources(resources);
    m_sidebar->expandAll();
    emit discoveredResources(int(resources.size()));
    if (!first)
        return;
    for (const QString &gr : DefaultResources) {
        for (const watch::ApiResource &api : std::as_const(m_served)) {
            if (api.groupResource() == gr)
                open(api);
        }
    }
    if (m_current.isEmpty())
        selectResource(u"pods"_s);
    refreshStatus();
}

ClusterView::Resource *ClusterView::open(const watch::ApiResource &api)
{
    if (Resource *known = m_byGroupResource.value(api.groupResource()))
        return known;
    watch::ResourceSpec spec;
    spec.api = api;
    auto *r = new Resource;
    r->api = api;
    r->stream = spec.id();
    r->model = new model::ResourceTableModel(this);
    r->model->setResource(api, r->stream);
    r->byNamespace = new model::NamespaceFilterProxy(this);
    r->byNamespace->setSourceModel(r->model);
    r->byLabels = new model::LabelSelectorProxy(this);
    r->byLabels->setSourceModel(r->byNamespace);
    r->byText = new model::TextFilterProxy(this);
    r->byText->setSourceModel(r->byLabels);
    r->byText->forwardSortTo(r->byNamespace);
    connect(r->model, &model::ResourceTableModel::countsChanged, this, &ClusterView::statusChanged);
    m_byStream.insert(r->stream, r);
    m_byGroupResource.insert(api.groupResource(), r);
    m_session->watch(spec);
    return r;
}

bool ClusterView::selectResource(const QString &groupResource)
{
    const auto it = std::find_if(m_served.cbegin(), m_served.cend(),
                                 [&](const watch::ApiResource &a) { return a.groupResource() == groupResource; });
    if (it == m_served.cend())
        return false;
    saveHeader();
    Resource *r = open(*it);
    m_current = r->stream;
    r->byNamespace->setNamespace(m_namespace);
    m_table->setModel(r->byText);
    const int nsColumn = r->model->namespaceColumn();
    if (nsColumn >= 0)
        m_table->setColumnHidden(nsColumn, !m_namespace.isEmpty());
    restoreHeader();
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ClusterView::onCurrentRowChanged, Qt::UniqueConnection);
    applyFilter();
    m_sidebar->setCurrentIndex(m_types->indexOf(groupResource));
    m_healthView->setSelectedStream(r->stream);
    refreshStatus();
    emit statusChanged();
    return true;
}

QString ClusterView::currentResource() const
{
    const Resource *r = current();
    return r ? r->api.groupResource() : QString();
}

QString ClusterView::currentStream() const
{
    return m_current;
}

ClusterView::Resource *ClusterView::current() const
{
    return m_byStream.value(m_current);
}

model::ResourceTableModel *ClusterView::currentModel() const
{
    const Resource *r = current();
    return r ? r->model : nullptr;
}

void ClusterView::setNamespace(const QString &ns)
{
    m_namespace = ns;
    const int index = m_namespaceBox->findData(ns);
    if (index >= 0)
        m_namespaceBox->setCurrentIndex(index);
    if (Resource *r = current()) {
        r->byNamespace->setNamespace(ns);
        const int nsColumn = r->model->namespaceColumn();
        if (nsColumn >= 0)
            m_table->setColumnHidden(nsColumn, !ns.isEmpty());
    }
    emit statusChanged();
}

void ClusterView::setFilterText(const QString &text)
{
    m_filter->setText(text); // applyFilter runs from textChanged
}

void ClusterView::focusFilter()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void ClusterView::applyFilter()
{
    Resource *r = current();
    if (!r)
        return;
    const model::FilterQuery query = model::splitFilterQuery(m_filter->text());
    QString error;
    if (r->byLabels->setSelector(query.selector, &error)) {
        m_filterError->setVisible(false);
        m_filter->setToolTip(QString());
    } else {
        // The last good selector stays in force while the user types on.
        m_filterError->setText(u"⚠ "_s + error);
        m_filterError->setVisible(true);
    }
    r->byText->setText(query.text);
    emit statusChanged();
}

void ClusterView::onBatch(const watch::Batch &batch)
{
    if (Resource *r = m_byStream.value(batch.stream)) {
        r->model->applyBatch(batch);
        if (!batch.changes.isEmpty())
            m_lastChangeMs = nowMs();
    }
    m_timelineModel->applyBatch(batch);
    m_healthModel->applyBatch(batch);
    if (batch.reset)
        emit relisted();
    m_series->applyBatch(batch);
    if (!batch.health.isEmpty() || !batch.gaps.isEmpty()) {
        m_healthLog.append(batch.health);
        m_gapLog.append(batch.gaps);
        if (m_healthLog.size() > HealthLogCapacity)
            m_healthLog.remove(0, m_healthLog.size() - HealthLogCapacity);
        if (m_gapLog.size() > HealthLogCapacity)
            m_gapLog.remove(0, m_gapLog.size() - HealthLogCapacity);
    }
    const Resource *r = m_byStream.value(batch.stream);
    if (r && r->api.groupResource() == u"namespaces"_s && (batch.reset || !batch.changes.isEmpty()))
        refreshNamespaces();
    if (batch.stream == m_selectedStream)
        followSelection();
    if (batch.stream == m_current) {
        // Columns fit the first content a type shows, unless the user already arranged them.
        if (batch.reset && !m_sized.contains(batch.stream) && !m_headerStates.contains(currentResource())) {
            m_sized.insert(batch.stream);
            m_table->resizeColumnsToContents();
        }
        refreshStatus();
    }
}

void ClusterView::onFinished(const QString &stream, const std::optional<watch::StreamError> &error)
{
    Resource *r = m_byStream.value(stream);
    if (!r)
        return;
    r->finished = true;
    r->error = error;
    refreshStatus();
}

void ClusterView::verifyNow()
{
    if (!m_current.isEmpty()) {
        m_verifyText = tr("verifying…");
        m_session->verify(m_current);
        refreshStatus();
    }
}

void ClusterView::onVerified(const watch::VerifyResult &result)
{
    m_healthView->showVerifyResult(result);
    if (result.stream != m_current)
        return;
    const QString at = QDateTime::currentDateTime().toString(u"HH:mm:ss"_s);
    if (result.error)
        m_verifyText = tr("verify failed: %1").arg(result.error->message);
    else if (result.missing + result.extra + result.stale == 0)
        m_verifyText = tr("verified %1 ✓ no differences").arg(at);
    else
        m_verifyText = tr("verified %1: %2 missing, %3 extra, %4 stale")
                           .arg(at)
                           .arg(result.missing)
                           .arg(result.extra)
                           .arg(result.stale);
    refreshStatus();
}

void ClusterView::onFetched(const watch::FetchResult &result)
{
    if (result.stream != m_selectedStream || keyOf(result.ns, result.name) != m_selectedKey)
        return;
    m_objectView->setFullObject(result.error ? QByteArray() : result.object);
}

void ClusterView::onCurrentRowChanged()
{
    Resource *r = current();
    const QModelIndex index = m_table->selectionModel()->currentIndex();
    if (!r || !index.isValid()) {
        return;
    }
    const watch::ObjectRef object =
        index.data(model::ResourceTableModel::ObjectRole).value<watch::ObjectRef>();
    if (!object)
        return;
    m_selectedKey = keyOf(object->ns, object->name);
    m_selectedStream = r->stream;
    m_objectView->showObject(object);
}

void ClusterView::followSelection()
{
    // The object view stays live: a new version replaces the text, a deletion marks it.
    const Resource *r = m_byStream.value(m_selectedStream);
    if (!r || m_selectedKey.isEmpty() || !m_objectView->object())
        return;
    const watch::ObjectRef shown = m_objectView->object();
    const int row = r->model->rowOf(shown->ns, shown->name);
    const QModelIndex index = row >= 0 ? r->model->index(row, 0) : QModelIndex();
    if (!index.isValid() || index.data(model::ResourceTableModel::FadingRole).toBool()) {
        if (!m_objectView->isDeleted())
            m_objectView->showDeleted();
        return;
    }
    const watch::ObjectRef now = r->model->objectAt(row);
    if (now && now != shown)
        m_objectView->showObject(now);
}

void ClusterView::onTimelineEntry(const model::TimelineEntry &entry)
{
    Resource *r = m_byStream.value(entry.stream());
    if (!r || entry.name().isEmpty())
        return;
    if (m_current != r->stream)
        selectResource(r->api.groupResource());
    const int row = r->model->rowOf(entry.ns(), entry.name());
    if (row < 0) {
        // Gone from the store: show the version the timeline kept.
        if (entry.object) {
            m_selectedKey = keyOf(entry.ns(), entry.name());
            m_selectedStream = r->stream;
            m_objectView->showObject(entry.object);
            m_objectView->showDeleted();
        }
        return;
    }
    QModelIndex index = r->byText->mapFromSource(
        r->byLabels->mapFromSource(r->byNamespace->mapFromSource(r->model->index(row, 0))));
    if (!index.isValid()) {
        // Hidden by the filters: widen them rather than show nothing.
        setNamespace(QString());
        m_filter->clear();
        index = r->byText->mapFromSource(
            r->byLabels->mapFromSource(r->byNamespace->mapFromSource(r->model->index(row, 0))));
    }
    if (index.isValid()) {
        m_table->setCurrentIndex(index);
        m_table->scrollTo(index);
    }
}

void ClusterView::refreshNamespaces()
{
    const Resource *r = m_byGroupResource.value(u"namespaces"_s);
    if (!r)
        return;
    QStringList names;
    for (int row = 0; row < r->model->rowCount(); ++row) {
        if (!r->model->index(row, 0).data(model::ResourceTableModel::FadingRole).toBool())
            names << r->model->objectAt(row)->name;
    }
    names.sort();
    QStringList shown;
    for (int i = 1; i < m_namespaceBox->count(); ++i)
        shown << m_namespaceBox->itemData(i).toString();
    if (shown == names)
        return;
    const QSignalBlocker block(m_namespaceBox);
    while (m_namespaceBox->count() > 1)
        m_namespaceBox->removeItem(1);
    for (const QString &name : std::as_const(names))
        m_namespaceBox->addItem(name, name);
    const int index = m_namespaceBox->findData(m_namespace);
    m_namespaceBox->setCurrentIndex(std::max(0, index));
}

} // namespace cw::ui
