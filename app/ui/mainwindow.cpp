// SPDX-License-Identifier: Apache-2.0
#include "mainwindow.h"

#include "clusterview.h"
#include "democluster.h"
#include "exportdialog.h"
#include "kubeconfig.h"
#include "networkmonitor.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#ifdef __GLIBC__
#include <malloc.h>
#endif

using namespace Qt::StringLiterals;

namespace cw::ui {

namespace {

QString settingsGroup(const QString &context)
{
    // QSettings keys must not hold '/', which context names (ARNs) often do.
    QString key = context;
    key.replace(u'/', u'_');
    return u"clusters/"_s + key;
}

} // namespace

MainWindow::MainWindow(const StartOptions &options, QWidget *parent) : QMainWindow(parent), m_options(options)
{
    m_monitor = std::make_unique<watch::NetworkMonitor>();
    m_tabs = new QTabWidget;
    m_tabs->setTabsClosable(true);
    m_tabs->setDocumentMode(true);
    m_tabs->setMovable(true);
    setCentralWidget(m_tabs);
    m_status = new QLabel;
    m_message = new QLabel;
    m_message->setObjectName(u"message"_s);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_message);
    createMenus();
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        updateTitle();
        updateStatus();
    });
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int index) {
        auto *view = qobject_cast<ClusterView *>(m_tabs->widget(index));
        m_tabs->removeTab(index);
        delete view;
        updateTitle();
    });

#ifdef __GLIBC__
    // A relist briefly holds two copies of a resource, in buffers of megabytes. glibc raises its mmap
    // threshold to the largest buffer freed, so later big buffers land in the heap, and freed pages stay
    // mapped unless asked: a long session's RSS would ratchet up with every relist while the live heap stays
    // flat. A fixed threshold keeps big buffers in their own mappings; the trim returns what the heap freed.
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    // Each thread that allocates under contention gets an arena of its own, whose free pages no other
    // thread reuses; the watch, decode and demo threads each pinned megabytes that way.
    mallopt(M_ARENA_MAX, 2);
    auto *trim = new QTimer(this);
    connect(trim, &QTimer::timeout, this, [] { malloc_trim(0); });
    trim->start(30'000);
    // A relist's spike is returned soon after it, not up to half a minute later.
    m_trimSoon = new QTimer(this);
    m_trimSoon->setSingleShot(true);
    m_trimSoon->setInterval(2000);
    connect(m_trimSoon, &QTimer::timeout, this, [] { malloc_trim(0); });
#endif

    resize(1400, 900);
    QSettings settings;
    if (m_options.restore) {
        restoreGeometry(settings.value(u"window/geometry"_s).toByteArray());
        restoreState(settings.value(u"window/state"_s).toByteArray());
    }
    loadKubeconfig();
    // The demo when asked for, or when there is no kubeconfig to open at all.
    const bool noKubeconfig = m_contexts.isEmpty() && m_kubeconfigError.isEmpty();
    if (m_options.demo || noKubeconfig) {
        openDemo();
    } else if (!m_kubeconfigError.isEmpty()) {
        openDemo();
        showMessage(m_kubeconfigError + tr(" — showing the demo cluster"));
    } else {
        QString context = m_options.context;
        if (context.isEmpty())
            context = m_currentContext;
        if (context.isEmpty())
            context = settings.value(u"lastContext"_s).toString();
        if (context.isEmpty() || !openContext(context))
            openDemo();
    }
    updateTitle();
}

MainWindow::~MainWindow()
{
    // Every view (and its session) goes before the network monitor its session listens to.
    while (m_tabs->count() > 0) {
        QWidget *w = m_tabs->widget(0);
        m_tabs->removeTab(0);
        delete w;
    }
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("Open &context…"), this, &MainWindow::pickContext);
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    file->addAction(tr("Open &demo cluster"), this, &MainWindow::openDemo);
    QAction *close = file->addAction(tr("Close cluster"), this, [this] {
        if (m_tabs->count() > 0)
            emit m_tabs->tabCloseRequested(m_tabs->currentIndex());
    });
    close->setShortcut(QKeySequence::Close);
    file->addSeparator();
    QAction *exportEvents = file->addAction(tr("&Export event log…"), this, &MainWindow::exportEventLog);
    exportEvents->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addAction(tr("Export &health log…"), this, &MainWindow::exportHealthLog);
    file->addAction(tr("Export chart as &PNG…"), this, &MainWindow::exportChart);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *filter = view->addAction(tr("&Filter"), this, [this] {
        if (ClusterView *v = currentView())
            v->focusFilter();
    });
    filter->setShortcut(QKeySequence::Find);
    QAction *verify = view->addAction(tr("&Verify now"), this, [this] {
        if (ClusterView *v = currentView())
            v->verifyNow();
    });
    verify->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V));
    QAction *timeline = view->addAction(tr("Event &timeline"), this, [this] {
        if (ClusterView *v = currentView())
            v->bottomTabs()->setCurrentIndex(0);
    });
    timeline->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    QAction *health = view->addAction(tr("Connection &health"), this, [this] {
        if (ClusterView *v = currentView())
            v->bottomTabs()->setCurrentIndex(1);
    });
    health->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About ClusterWatch"), this, [this] {
        QMessageBox::about(this, tr("About ClusterWatch"),
                           tr("<b>ClusterWatch %1</b><p>Kubernetes resources, live — and an honest account of "
                              "every reconnect, relist and gap in what you see.</p>")
                               .arg(QCoreApplication::applicationVersion()));
    });
}

void MainWindow::loadKubeconfig()
{
    m_contexts.clear();
    m_kubeconfigError.clear();
    const QStringList files =
        m_options.kubeconfig.isEmpty() ? watch::Kubeconfig::defaultFiles() : QStringList{m_options.kubeconfig};
    const bool any = std::any_of(files.cbegin(), files.cend(), [](const QString &f) { return QFileInfo::exists(f); });
    if (!any && m_options.kubeconfig.isEmpty())
        return; // no kubeconfig at all: the demo is the whole list
    const auto loaded = watch::Kubeconfig::loadDefault(m_options.kubeconfig);
    if (const auto *error = std::get_if<watch::KubeconfigError>(&loaded)) {
        m_kubeconfigError = error->toString();
        return;
    }
    const auto &config = std::get<watch::Kubeconfig>(loaded);
    m_contexts = config.contextNames();
    m_currentContext = config.currentContext();
}

QStringList MainWindow::availableContexts() const
{
    return m_contexts + QStringList{DemoCluster::contextName()};
}

bool MainWindow::openContext(const QString &name)
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (auto *view = qobject_cast<ClusterView *>(m_tabs->widget(i)); view && view->contextName() == name) {
            m_tabs->setCurrentIndex(i);
            return true;
        }
    }
    if (name == DemoCluster::contextName())
        return openDemo();
    const auto loaded = watch::Kubeconfig::loadDefault(m_options.kubeconfig);
    if (const auto *error = std::get_if<watch::KubeconfigError>(&loaded)) {
        showMessage(error->toString());
        return false;
    }
    auto resolved = std::get<watch::Kubeconfig>(loaded).resolve(name);
    if (const auto *error = std::get_if<watch::KubeconfigError>(&resolved)) {
        showMessage(tr("Cannot open %1: %2").arg(name, error->toString()));
        return false;
    }
    auto context = std::get<watch::ResolvedContext>(std::move(resolved));
    if (context.cluster.insecureSkipTlsVerify)
        showMessage(tr("%1 skips TLS verification (insecure-skip-tls-verify): the server is not authenticated")
                        .arg(name));
    addView(new ClusterView(std::move(context), nullptr, m_monitor.get(), m_options.session));
    return true;
}

bool MainWindow::openDemo()
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (auto *view = qobject_cast<ClusterView *>(m_tabs->widget(i)); view && view->isDemo()) {
            m_tabs->setCurrentIndex(i);
            return true;
        }
    }
    auto demo = std::make_unique<DemoCluster>(m_options.demoOptions);
    QString error;
    if (!demo->start(&error)) {
        showMessage(tr("The demo cluster cannot start: %1").arg(error));
        return false;
    }
    auto context = demo->context(&error);
    if (!context) {
        showMessage(tr("The demo cluster cannot start: %1").arg(error));
        return false;
    }
    const watch::SessionOptions session = demo->sessionOptions(m_options.session);
    addView(new ClusterView(std::move(*context), std::move(demo), m_monitor.get(), session));
    return true;
}

void MainWindow::addView(ClusterView *view)
{
    if (m_options.restore) {
        QSettings settings;
        settings.beginGroup(settingsGroup(view->contextName()));
        view->restoreState(settings);
    }
    connect(view, &ClusterView::statusChanged, this, [this, view] {
        if (view == currentView())
            updateStatus();
    });
    connect(view, &ClusterView::relisted, this, [this] {
        if (m_trimSoon && !m_trimSoon->isActive())
            m_trimSoon->start();
    });
    const int index = m_tabs->addTab(view, view->contextName());
    m_tabs->setCurrentIndex(index);
    updateTitle();
}

ClusterView *MainWindow::currentView() const
{
    return qobject_cast<ClusterView *>(m_tabs->currentWidget());
}

void MainWindow::updateTitle()
{
    const ClusterView *view = currentView();
    setWindowTitle(view ? view->contextName() + u" — ClusterWatch"_s : u"ClusterWatch"_s);
}

void MainWindow::updateStatus()
{
    const ClusterView *view = currentView();
    m_status->setText(view ? view->statusText() : QString());
}

void MainWindow::showMessage(const QString &text)
{
    // One line that stays until the next message: no dialog storm when several things fail at once.
    m_message->setText(text);
    m_message->setToolTip(text);
}

void MainWindow::pickContext()
{
    loadKubeconfig();
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Open context"));
    auto *list = new QListWidget(&dialog);
    for (const QString &name : availableContexts()) {
        auto *item = new QListWidgetItem(name == m_currentContext ? name + tr("  (current)") : name, list);
        item->setData(Qt::UserRole, name);
    }
    list->setCurrentRow(0);
    auto *error = new QLabel(m_kubeconfigError, &dialog);
    error->setWordWrap(true);
    error->setVisible(!m_kubeconfigError.isEmpty());
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, &dialog);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(list);
    layout->addWidget(error);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    connect(list, &QListWidget::itemActivated, &dialog, &QDialog::accept);
    if (dialog.exec() == QDialog::Accepted && list->currentItem())
        openContext(list->currentItem()->data(Qt::UserRole).toString());
}

void MainWindow::exportEventLog()
{
    ClusterView *view = currentView();
    if (!view)
        return;
    ExportDialog dialog(ExportDialog::EventLog, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString error;
    if (view->exportEventLog(dialog.path(), dialog.filteredOnly(), &error))
        showMessage(tr("Event log written to %1").arg(dialog.path()));
    else
        showMessage(error);
}

void MainWindow::exportHealthLog()
{
    ClusterView *view = currentView();
    if (!view)
        return;
    ExportDialog dialog(ExportDialog::HealthLog, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString error;
    if (view->exportHealthLog(dialog.path(), &error))
        showMessage(tr("Health log written to %1").arg(dialog.path()));
    else
        showMessage(error);
}

void MainWindow::exportChart()
{
    ClusterView *view = currentView();
    if (!view)
        return;
    ExportDialog dialog(ExportDialog::Chart, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString error;
    if (view->exportChart(dialog.path(), &error))
        showMessage(tr("Chart written to %1").arg(dialog.path()));
    else
        showMessage(error);
}

void MainWindow::saveSettings()
{
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/state"_s, saveState());
    if (const ClusterView *view = currentView()) {
        if (!view->isDemo())
            settings.setValue(u"lastContext"_s, view->contextName());
    }
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (const auto *view = qobject_cast<ClusterView *>(m_tabs->widget(i))) {
            settings.beginGroup(settingsGroup(view->contextName()));
            view->saveState(settings);
            settings.endGroup();
        }
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_options.restore)
        saveSettings();
    event->accept();
}

} // namespace cw::ui
