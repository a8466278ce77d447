// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "kubeconfig.h"
#include "session.h"
#include "watchtypes.h"

#include <QHash>
#include <QPointer>
#include <QSet>
#include <QWidget>

#include <functional>
#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QSettings;
class QSplitter;
class QTabWidget;
class QTableView;
class QTimer;
class QToolButton;
class QTreeView;

namespace cw::watch {
class NetworkMonitor;
}

namespace cw::model {
class EventTimelineModel;
class HealthSeries;
class ResourceTableModel;
class ResourceTypesModel;
class StreamHealthModel;
class TextFilterProxy;
class NamespaceFilterProxy;
class LabelSelectorProxy;
class TimelineEntry;
} // namespace cw::model

namespace cw::ui {

class DemoCluster;
class HealthView;
class ObjectView;
class RowDelegate;
class TimelineWidget;

// One open cluster: its session (and watch thread), the models fed by its batches, and the widgets that show
// them. Every resource type the user opens keeps being watched, so switching back is instant and the
// timeline and health charts cover all of them.
class ClusterView : public QWidget
{
    Q_OBJECT
public:
    ClusterView(watch::ResolvedContext context, std::unique_ptr<DemoCluster> demo, watch::NetworkMonitor *monitor,
                const watch::SessionOptions &options = {}, QWidget *parent = nullptr);
    ~ClusterView() override;

    QString contextName() const { return m_contextName; }
    bool isDemo() const { return m_demo != nullptr; }
    DemoCluster *demo() const { return m_demo.get(); }

    // "pods", "deployments.apps": opens the type's table, watching it from now on. False when the cluster
    // does not serve it (or discovery has not answered yet).
    bool selectResource(const QString &groupResource);
    QString currentResource() const;
    QString currentStream() const;
    void setNamespace(const QString &ns); // empty: all namespaces
    void setFilterText(const QString &text);
    void focusFilter();
    void verifyNow();

    // What the status bar says about this view: "Pods 312 · 20 shown · 3 streams · 2 reconnects · 1 gap".
    QString statusText() const;
    QString bannerText() const;
    QString freshnessText() const;
    QString progressText() const; // empty when no list is running for the current view

    bool exportEventLog(const QString &path, bool filteredOnly, QString *error) const;
    bool exportHealthLog(const QString &path, QString *error) const;
    bool exportChart(const QString &path, QString *error) const;

    void saveState(QSettings &settings) const;
    void restoreState(QSettings &settings);

    // For tests and the main window.
    QTreeView *sidebar() const { return m_sidebar; }
    QComboBox *namespaceBox() const { return m_namespaceBox; }
    QLineEdit *filterEdit() const { return m_filter; }
    QTableView *table() const { return m_table; }
    ObjectView *objectView() const { return m_objectView; }
    TimelineWidget *timeline() const { return m_timeline; }
    HealthView *healthView() const { return m_healthView; }
    QTabWidget *bottomTabs() const { return m_bottomTabs; }
    model::ResourceTableModel *currentModel() const;
    model::EventTimelineModel *timelineModel() const { return m_timelineModel; }
    model::StreamHealthModel *healthModel() const { return m_healthModel; }
    watch::ClusterSession *session() const { return m_session.get(); }

signals:
    void statusChanged();
    // A stream's content was replaced by a (re)list.
    void relisted();
    void discoveredResources(int count);

private:
    static constexpr int RediscoverMs = 5000; // an unreachable cluster is asked again this often
    struct Resource;
    void discover();
    void onDiscovered(const QList<watch::ApiResource> &resources, const std::optional<watch::StreamError> &error);
    Resource *open(const watch::ApiResource &api);
    void onBatch(const watch::Batch &batch);
    void onFinished(const QString &stream, const std::optional<watch::StreamError> &error);
    void onVerified(const watch::VerifyResult &result);
    void onFetched(const watch::FetchResult &result);
    void onCurrentRowChanged();
    void onTimelineEntry(const model::TimelineEntry &entry);
    void applyFilter();
    void refreshNamespaces();
    void refreshStatus();
    void followSelection();
    Resource *current() const;
    void saveHeader();
    void restoreHeader();

    QString m_contextName;
    std::unique_ptr<DemoCluster> m_demo; // before the session: the server outlives its client
    std::unique_ptr<watch::ClusterSession> m_session;
    QList<watch::ApiResource> m_served;
    std::optional<watch::StreamError> m_discoveryError;
    QHash<QString, Resource *> m_byStream;
    QHash<QString, Resource *> m_byGroupResource;
    QString m_current; // stream of the table on screen
    QString m_namespace;
    QString m_selectedKey;    // "ns/name" of the object in the object view
    QString m_selectedStream; // the stream it belongs to
    QList<watch::HealthEvent> m_healthLog;
    QList<watch::Gap> m_gapLog;
    QHash<QString, QByteArray> m_headerStates; // per resource, as the user left the columns
    QSet<QString> m_sized;                     // streams whose columns were fitted to their first list

    model::ResourceTypesModel *m_types = nullptr;
    model::EventTimelineModel *m_timelineModel = nullptr;
    model::StreamHealthModel *m_healthModel = nullptr;
    model::HealthSeries *m_series = nullptr;

    QTreeView *m_sidebar = nullptr;
    QComboBox *m_namespaceBox = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_filterError = nullptr;
    QLabel *m_freshness = nullptr;
    QToolButton *m_verify = nullptr;
    QLabel *m_banner = nullptr;
    QProgressBar *m_progress = nullptr;
    QTableView *m_table = nullptr;
    RowDelegate *m_delegate = nullptr;
    ObjectView *m_objectView = nullptr;
    QTabWidget *m_bottomTabs = nullptr;
    TimelineWidget *m_timeline = nullptr;
    HealthView *m_healthView = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_centerSplitter = nullptr;
    QSplitter *m_tableSplitter = nullptr;
    QTimer *m_tick = nullptr;
    QTimer *m_rediscover = nullptr;
    QString m_verifyText;
    qint64 m_lastChangeMs = 0;
};

// One resource type the view has opened: its stream, its table and the filter chain the table view shows.
struct ClusterView::Resource
{
    watch::ApiResource api;
    QString stream;
    model::ResourceTableModel *model = nullptr;
    model::NamespaceFilterProxy *byNamespace = nullptr;
    model::LabelSelectorProxy *byLabels = nullptr;
    model::TextFilterProxy *byText = nullptr; // the view's model; sorts
    std::optional<watch::StreamError> error;
    bool finished = false;
};

// The words a person reads for a stream's error: "Not allowed to watch pods (403 Forbidden): …".
QString describeError(const QString &what, const watch::StreamError &error);

} // namespace cw::ui
