// SPDX-License-Identifier: Apache-2.0
// PNGs of the main views against the built-in demo cluster, for the README. Runs only as the `screenshots`
// CTest entry, which names the folder to write to.
#include "clusterview.h"
#include "eventtimelinemodel.h"
#include "mainwindow.h"
#include "objectview.h"
#include "timelinelanes.h"
#include "timelinewidget.h"
#include "testmain.h"

#include <QDateTime>
#include <QDir>
#include <QImage>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;

class Screenshots : public QObject
{
    Q_OBJECT

    QString dir;

    void save(QWidget *widget, const QString &name)
    {
        QApplication::processEvents();
        const QImage image = widget->grab().toImage();
        QVERIFY(!image.isNull());
        // Not blank: a view that failed to paint would be one colour.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 20, qPrintable(name));
        QVERIFY(image.save(QDir(dir).filePath(name)));
    }

private slots:
    void main_views_of_the_demo_cluster()
    {
        // Skipped in the function, not in initTestCase: a skipped initTestCase leaves Qt Test skipping the
        // classes that run after this one in the same binary.
        dir = qEnvironmentVariable("CW_SCREENSHOTS_DIR");
        if (dir.isEmpty())
            QSKIP("CW_SCREENSHOTS_DIR is not set: the screenshots run as their own CTest entry");
        QVERIFY(QDir().mkpath(dir));
        QStandardPaths::setTestModeEnabled(true);
        cw::ui::StartOptions options;
        options.demo = true;
        options.restore = false;
        options.demoOptions.firstFaultMs = 4000;
        options.demoOptions.faultMeanIntervalSec = 6;
        options.demoOptions.podChangesPerSecond = 8;
        cw::ui::MainWindow window(options);
        window.resize(1440, 900);
        window.show();
        cw::ui::ClusterView *view = window.currentView();
        QVERIFY(view && view->isDemo());
        QTRY_VERIFY_WITH_TIMEOUT(view->table()->model() && view->table()->model()->rowCount() > 100, 20'000);
        // Long enough for churn, the early 410 Expired with its relist and gap, and a scheduled fault or two.
        const auto hasGap = [view] {
            for (int row = 0; row < view->timelineModel()->rowCount(); ++row) {
                if (view->timelineModel()->entry(row).kind == cw::model::TimelineEntry::Kind::Gap)
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(hasGap(), 40'000);
        QTest::qWait(8000);

        view->table()->setCurrentIndex(view->table()->model()->index(3, 1));
        QTRY_VERIFY_WITH_TIMEOUT(!view->objectView()->text().isEmpty(), 5000);
        view->bottomTabs()->setCurrentIndex(0);
        save(&window, u"resources.png"_s);
        save(view->objectView(), u"yaml.png"_s);
        view->timeline()->lanes()->setView(QDateTime::currentMSecsSinceEpoch(), 45'000);
        save(view->bottomTabs(), u"timeline.png"_s);
        view->bottomTabs()->setCurrentIndex(1);
        QTest::qWait(600);
        save(&window, u"health.png"_s);
    }
};

CW_TEST(Screenshots)
#include "tst_screenshots.moc"
