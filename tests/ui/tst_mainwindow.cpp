// SPDX-License-Identifier: Apache-2.0
// The real main window, offscreen, against the sim over real sockets on 127.0.0.1: what a person does first
// (pick pods, filter, open an object), what they must notice (a fault: banner and timeline), and what they take
// away (the exported event log).
#include "clusterview.h"
#include "eventtimelinemodel.h"
#include "mainwindow.h"
#include "objectview.h"
#include <QPlainTextEdit>
#include "resourcetablemodel.h"
#include "resourcetypesmodel.h"
#include "simfixture.h"
#include "streamhealthmodel.h"
#include "testmain.h"

#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>
#include <QTreeView>

#include <KSyntaxHighlighting/SyntaxHighlighter>

using namespace Qt::StringLiterals;
using cw::test::SimFixture;
using cw::ui::ClusterView;
using cw::ui::MainWindow;
using cw::model::ResourceTableModel;

namespace {

cw::ui::StartOptions optionsFor(const SimFixture &sim, const QString &context = {})
{
    cw::ui::StartOptions options;
    options.kubeconfig = sim.kubeconfigPath();
    options.context = context;
    options.restore = false;
    // Recoveries in tens of milliseconds instead of client-go's 0.8 s and up; a stall noticed in 2 s.
    options.session.backoff.initialMs = 20;
    options.session.backoff.capMs = 300;
    options.session.stallTimeoutMs = 2000;
    return options;
}

int visibleRows(const ClusterView *view)
{
    return view->table()->model() ? view->table()->model()->rowCount() : 0;
}

// Distinct foreground colours the highlighter gave the first lines of the document.
int highlightColours(const QTextDocument *document)
{
    QSet<QRgb> colours;
    for (QTextBlock block = document->begin(); block.isValid() && block.blockNumber() < 60; block = block.next()) {
        for (const QTextLayout::FormatRange &range : block.layout()->formats())
            colours.insert(range.format.foreground().color().rgb());
    }
    return int(colours.size());
}

} // namespace

class MainWindowTest : public QObject
{
    Q_OBJECT

    std::unique_ptr<SimFixture> sim;

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init()
    {
        cw::sim::SimConfig config = SimFixture::defaultConfig();
        config.api.bookmarkIntervalMs = 500;
        sim = std::make_unique<SimFixture>(config);
        QVERIFY(sim->start());
    }

    void cleanup() { sim.reset(); }

    void opens_the_current_context_and_lists_every_pod()
    {
        MainWindow window(optionsFor(*sim));
        window.show();
        ClusterView *view = window.currentView();
        QVERIFY(view);
        QSignalSpy relisted(view, &ClusterView::relisted); // every stream's first list replaces its content
        QCOMPARE(view->contextName(), u"clusterwatch-sim"_s);
        QVERIFY(window.windowTitle().contains(u"clusterwatch-sim"_s));
        QTRY_COMPARE_WITH_TIMEOUT(view->currentResource(), u"pods"_s, 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(visibleRows(view), sim->podCount(), 10'000);
        QTRY_VERIFY_WITH_TIMEOUT(view->freshnessText().startsWith(u"live"_s), 10'000);
        QVERIFY(view->bannerText().isEmpty());
        QVERIFY(relisted.count() >= 1);
        QVERIFY(window.availableContexts().contains(u"clusterwatch-sim-viewer"_s));
        QVERIFY(window.availableContexts().contains(cw::ui::DemoCluster::contextName()));
        // The namespace selector fills from the namespaces stream; picking one narrows the table.
        QTRY_VERIFY_WITH_TIMEOUT(view->namespaceBox()->count() > 2, 10'000);
        const QString ns = view->currentModel()->objectAt(0)->ns;
        view->setNamespace(ns);
        int inNamespace = 0;
        for (int row = 0; row < view->currentModel()->rowCount(); ++row)
            inNamespace += view->currentModel()->objectAt(row)->ns == ns ? 1 : 0;
        QCOMPARE(visibleRows(view), inNamespace);
        QVERIFY(visibleRows(view) < sim->podCount());
    }

    void picking_a_type_in_the_sidebar_shows_its_table()
    {
        MainWindow window(optionsFor(*sim));
        window.show();
        ClusterView *view = window.currentView();
        QTRY_COMPARE_WITH_TIMEOUT(view->currentResource(), u"pods"_s, 10'000);
        auto *types = static_cast<cw::model::ResourceTypesModel *>(view->sidebar()->model());
        const QModelIndex deployments = types->indexOf(u"deployments.apps"_s);
        QVERIFY(deployments.isValid());
        const QRect rect = view->sidebar()->visualRect(deployments);
        QTest::mouseClick(view->sidebar()->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(view->currentResource(), u"deployments.apps"_s);
        QTRY_VERIFY_WITH_TIMEOUT(visibleRows(view) > 0, 10'000);
        const QAbstractItemModel *m = view->table()->model();
        QStringList headers;
        for (int c = 0; c < m->columnCount(); ++c)
            headers << m->headerData(c, Qt::Horizontal).toString();
        QCOMPARE(headers, (QStringList{u"NAMESPACE"_s, u"NAME"_s, u"READY"_s, u"UP-TO-DATE"_s, u"AVAILABLE"_s, u"AGE"_s}));

        // Events are a view of their own, with kubectl's columns.
        QVERIFY(view->selectResource(u"events"_s));
        headers.clear();
        for (int c = 0; c < view->table()->model()->columnCount(); ++c)
            headers << view->table()->model()->headerData(c, Qt::Horizontal).toString();
        QCOMPARE(headers, (QStringList{u"NAMESPACE"_s, u"LAST SEEN"_s, u"TYPE"_s, u"REASON"_s, u"OBJECT"_s, u"MESSAGE"_s}));
    }

    void a_dead_cluster_is_said_in_the_banner_and_the_window_stays_usable()
    {
        // The sim's kubeconfig, then no sim: the port refuses connections.
        QTemporaryDir dir;
        const QString kubeconfig = dir.filePath(u"config"_s);
        QVERIFY(QFile::copy(sim->kubeconfigPath(), kubeconfig));
        sim.reset();
        cw::ui::StartOptions options;
        options.kubeconfig = kubeconfig;
        options.restore = false;
        MainWindow window(options);
        window.show();
        ClusterView *view = window.currentView();
        QVERIFY(view && !view->isDemo());
        QTRY_VERIFY_WITH_TIMEOUT(view->bannerText().startsWith(u"Cannot reach the cluster"_s), 15'000);
        QVERIFY2(view->bannerText().contains(u"retrying"_s), qPrintable(view->bannerText()));
        // The rest still works: the demo opens in a second tab.
        QVERIFY(window.openDemo());
        QCOMPARE(window.tabs()->count(), 2);
        QVERIFY(window.currentView()->isDemo());
    }

    void the_demo_notices_a_stall_within_seconds()
    {
        // Its server sends a bookmark every few seconds, so a silent stream is stalled long before 90 s.
        const cw::ui::DemoCluster demo;
        cw::watch::SessionOptions options;
        QCOMPARE(demo.sessionOptions(options).stallTimeoutMs, 15'000);
        options.stallTimeoutMs = 2000; // a shorter one (the tests') stays
        QCOMPARE(demo.sessionOptions(options).stallTimeoutMs, 2000);
    }

    void a_label_selector_in_the_filter_bar_narrows_the_table()
    {
        MainWindow window(optionsFor(*sim));
        window.show();
        ClusterView *view = window.currentView();
        QTRY_COMPARE_WITH_TIMEOUT(visibleRows(view), sim->podCount(), 10'000);
        const ResourceTableModel *pods = view->currentModel();
        QString app; // of the first pod that has one (system pods have "component" instead)
        for (int row = 0; row < pods->rowCount() && app.isEmpty(); ++row)
            app = pods->index(row, 0).data(ResourceTableModel::LabelsRole).toMap().value(u"app"_s).toString();
        QVERIFY(!app.isEmpty());
        int expected = 0;
        for (int row = 0; row < pods->rowCount(); ++row)
            expected += pods->index(row, 0).data(ResourceTableModel::LabelsRole).toMap().value(u"app"_s) == app;
        QTest::keyClicks(view->filterEdit(), u"app="_s + app);
        QCOMPARE(visibleRows(view), expected);
        QVERIFY(expected < sim->podCount());
        // Free text and a selector together: a name that no pod of that app has leaves nothing.
        view->setFilterText(u"no-such-pod-name app="_s + app);
        QCOMPARE(visibleRows(view), 0);
        // A broken selector says why, and the last good one stays in force.
        view->setFilterText(u"app in (web"_s);
        QVERIFY(window.findChildren<QLabel *>().size() > 0);
        view->setFilterText(QString());
        QCOMPARE(visibleRows(view), sim->podCount());
    }

    void selecting_a_pod_shows_its_highlighted_yaml_and_keeps_it_live()
    {
        MainWindow window(optionsFor(*sim));
        window.show();
        ClusterView *view = window.currentView();
        QTRY_COMPARE_WITH_TIMEOUT(visibleRows(view), sim->podCount(), 10'000);
        const QModelIndex first = view->table()->model()->index(0, 0);
        view->table()->setCurrentIndex(first);
        const auto pod = first.data(ResourceTableModel::ObjectRole).value<cw::watch::ObjectRef>();
        cw::ui::ObjectView *yaml = view->objectView();
        QCOMPARE(yaml->object(), pod);
        QVERIFY(yaml->text().contains(u"kind: Pod"_s));
        QVERIFY(yaml->text().contains(u"name: "_s + pod->name));
        QTRY_VERIFY_WITH_TIMEOUT(highlightColours(yaml->editor()->document()) >= 3, 5000);

        // A change to that pod on the server reaches the open view.
        const QByteArray patch = R"({"metadata":{"labels":{"touched":"yes"}}})";
        const auto response = sim->request("PATCH", "/api/v1/namespaces/" + pod->ns.toUtf8() + "/pods/" +
                                                        pod->name.toUtf8(),
                                           patch, {{"Content-Type", "application/merge-patch+json"}});
        QCOMPARE(response.code, 200);
        QTRY_VERIFY_WITH_TIMEOUT(yaml->text().contains(u"touched: \"yes\""_s), 10'000);
        QVERIFY(!yaml->changeMark().isEmpty());
    }

    void an_injected_fault_raises_the_banner_and_lands_on_the_timeline()
    {
        MainWindow window(optionsFor(*sim));
        window.show();
        ClusterView *view = window.currentView();
        QTRY_VERIFY_WITH_TIMEOUT(view->freshnessText().startsWith(u"live"_s), 10'000);
        const int mark = view->timelineModel()->rowCount();
        sim->inject(QJsonObject{{u"kind"_s, u"unavailable"_s}, {u"seconds"_s, 3}});
        QTRY_VERIFY_WITH_TIMEOUT(!view->bannerText().isEmpty(), 10'000);
        QVERIFY2(view->bannerText().contains(u"stale since"_s), qPrintable(view->bannerText()));
        const auto banner = view->findChild<QLabel *>(u"banner"_s);
        QVERIFY(banner && banner->isVisible());
        const auto hasConnectionEntry = [view, mark] {
            for (int row = mark; row < view->timelineModel()->rowCount(); ++row) {
                if (view->timelineModel()->entry(row).kind == cw::model::TimelineEntry::Kind::Connection &&
                    view->timelineModel()->entry(row).stream() == view->currentStream())
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(hasConnectionEntry(), 5000);
        // Back: the banner goes, and the span is on the timeline as a gap.
        QTRY_VERIFY_WITH_TIMEOUT(view->bannerText().isEmpty(), 30'000);
        QVERIFY(!banner->isVisible());
        const auto hasGap = [view, mark] {
            for (int row = mark; row < view->timelineModel()->rowCount(); ++row) {
                if (view->timelineModel()->entry(row).kind == cw::model::TimelineEntry::Kind::Gap)
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(hasGap(), 5000);
    }

    void a_forbidden_type_says_so_where_the_user_looks_and_the_rest_keeps_working()
    {
        MainWindow window(optionsFor(*sim, u"clusterwatch-sim-viewer"_s));
        window.show();
        ClusterView *view = window.currentView();
        QTRY_COMPARE_WITH_TIMEOUT(visibleRows(view), sim->podCount(), 10'000);
        QVERIFY(view->selectResource(u"secrets"_s));
        QTRY_VERIFY_WITH_TIMEOUT(view->bannerText().startsWith(u"Not allowed to watch secrets"_s), 10'000);
        QVERIFY(view->bannerText().contains(u"403"_s));
        QVERIFY(view->selectResource(u"pods"_s));
        QCOMPARE(visibleRows(view), sim->podCount());
        QVERIFY(view->bannerText().isEmpty());
    }

    void the_exported_event_log_holds_every_timeline_entry()
    {
        MainWindow window(optionsFor(*sim));
        window.show();
        ClusterView *view = window.currentView();
        QTRY_COMPARE_WITH_TIMEOUT(visibleRows(view), sim->podCount(), 10'000);
        const auto pod = view->currentModel()->objectAt(0);
        const auto response = sim->request("DELETE", "/api/v1/namespaces/" + pod->ns.toUtf8() + "/pods/" +
                                                          pod->name.toUtf8() + "?gracePeriodSeconds=0");
        QCOMPARE(response.code, 200);
        const auto sawDelete = [view, &pod] {
            for (int row = 0; row < view->timelineModel()->rowCount(); ++row) {
                const auto &e = view->timelineModel()->entry(row);
                if (e.type() == u"DELETED"_s && e.name() == pod->name)
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(sawDelete(), 10'000);
        QTemporaryDir dir;
        QString error;
        const QString jsonl = dir.filePath(u"events.jsonl"_s);
        QVERIFY2(view->exportEventLog(jsonl, false, &error), qPrintable(error));
        QFile file(jsonl);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        int parsed = 0;
        bool deleted = false;
        for (const QByteArray &line : lines) {
            if (line.isEmpty())
                continue;
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            QVERIFY2(!o.isEmpty(), line.constData());
            QCOMPARE(o.value(u"cluster"_s).toString(), u"clusterwatch-sim"_s);
            ++parsed;
            if (o.value(u"type"_s) == u"DELETED"_s && o.value(u"name"_s) == pod->name) {
                deleted = true;
                QCOMPARE(o.value(u"uid"_s).toString(), pod->uid);
                QCOMPARE(o.value(u"namespace"_s).toString(), pod->ns);
                QCOMPARE(o.value(u"recovered"_s).toBool(), false);
            }
        }
        QVERIFY(deleted);
        QCOMPARE(parsed, view->timelineModel()->rowCount());

        const QString csv = dir.filePath(u"events.csv"_s);
        QVERIFY2(view->exportEventLog(csv, false, &error), qPrintable(error));
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QByteArray header = csvFile.readLine();
        QVERIFY2(header.startsWith("time,cluster,resource,type,namespace,name,uid,resourceVersion,recovered"),
                 header.constData());
        QVERIFY(csvFile.readAll().contains(pod->uid.toUtf8()));

        const QString health = dir.filePath(u"health.jsonl"_s);
        QVERIFY2(view->exportHealthLog(health, &error), qPrintable(error));
        QFile healthFile(health);
        QVERIFY(healthFile.open(QIODevice::ReadOnly));
        QVERIFY(healthFile.readAll().contains("\"connected\""));
    }

    void a_broken_kubeconfig_is_named_and_the_demo_opens_instead()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"config"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("apiVersion: v1\nclusters: [this is: not: valid\n");
        file.close();
        cw::ui::StartOptions options;
        options.kubeconfig = path;
        options.restore = false;
        options.demoOptions.faults = false;
        options.demoOptions.pods = 40;
        MainWindow window(options);
        QVERIFY(window.kubeconfigError().contains(path));
        const auto message = window.findChild<QLabel *>(u"message"_s);
        QVERIFY(message && message->text().contains(path));
        QVERIFY(window.currentView() && window.currentView()->isDemo());
        QTRY_VERIFY_WITH_TIMEOUT(visibleRows(window.currentView()) > 0, 15'000);
    }
};

CW_TEST(MainWindowTest)
#include "tst_mainwindow.moc"
