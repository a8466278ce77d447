// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "democluster.h"
#include "session.h"

#include <QMainWindow>

#include <memory>

class QLabel;
class QTabWidget;
class QTimer;

namespace cw::watch {
class NetworkMonitor;
}

namespace cw::ui {

class ClusterView;

struct StartOptions
{
    QString kubeconfig; // --kubeconfig; empty: $KUBECONFIG or ~/.kube/config
    QString context;    // --context; empty: current-context
    bool demo = false;  // --demo: the built-in demo cluster, whatever the kubeconfig says
    bool restore = true; // window geometry and view state from the settings
    watch::SessionOptions session;  // tests shorten the engine's delays
    DemoCluster::Options demoOptions;
};

// The main window: one tab per open cluster, the menus, the status bar, and settings that persist.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(const StartOptions &options, QWidget *parent = nullptr);
    ~MainWindow() override;

    // The contexts of the merged kubeconfig plus the demo cluster, as the picker lists them.
    QStringList availableContexts() const;
    // Opens (or switches to) a cluster tab; false with a message in the status bar when it cannot.
    bool openContext(const QString &name);
    bool openDemo();
    ClusterView *currentView() const;
    QTabWidget *tabs() const { return m_tabs; }
    QString kubeconfigError() const { return m_kubeconfigError; }

public slots:
    void pickContext();
    void exportEventLog();
    void exportHealthLog();
    void exportChart();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QTimer *m_trimSoon = nullptr; // returns freed memory to the system shortly after a relist
    void createMenus();
    void loadKubeconfig();
    void addView(ClusterView *view);
    void updateTitle();
    void updateStatus();
    void showMessage(const QString &text);
    void saveSettings();

    StartOptions m_options;
    std::unique_ptr<watch::NetworkMonitor> m_monitor;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_message = nullptr;
    QStringList m_contexts;
    QString m_currentContext;
    QString m_kubeconfigError;
};

} // namespace cw::ui
