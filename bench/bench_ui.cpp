// SPDX-License-Identifier: Apache-2.0
// The desktop app under load: the real main window (offscreen) on 10,000 pods while the sim modifies 2,000 of
// them a second. Prints the UI thread's event-loop latency (how late a message posted from another thread
// every 10 ms is handled) and how many batches per second reach the pods table. Not a test: it prints.
// With --object-mb N instead: the object view showing one object of N MB (how long showObject blocks, how long
// until the text is complete, and the longest event-loop stall meanwhile).
#include "clusterview.h"
#include "mainwindow.h"
#include "objectview.h"
#include "resourcetablemodel.h"
#include "simthread.h"
#include "store.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>

using namespace Qt::StringLiterals;

namespace {

qint64 peakRssKb()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, size_t(p * double(values.size() - 1) + 0.5))];
}

// One object of about `megabytes` MB, in long lines (a ConfigMap-like data map) and many short ones (a list of
// small items), as the object view meets it.
cw::watch::ObjectRef hugeObject(int megabytes)
{
    QJsonObject data;
    const QString chunk(1000, u'x');
    for (int i = 0; i < megabytes * 500; ++i)
        data.insert(u"key-%1"_s.arg(i, 7, 10, QChar(u'0')), chunk);
    QJsonArray items;
    for (int i = 0; i < megabytes * 14000; ++i)
        items.append(QJsonObject{{u"name"_s, u"item-%1"_s.arg(i)}, {u"port"_s, 8000 + i % 1000}});
    const QJsonObject object{
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"ConfigMap"_s},
        {u"metadata"_s, QJsonObject{{u"name"_s, u"huge"_s}, {u"namespace"_s, u"demo"_s},
                                    {u"uid"_s, u"0d6c2b1e-1111-4222-8333-944445555666"_s},
                                    {u"resourceVersion"_s, u"1"_s}}},
        {u"data"_s, data},
        {u"items"_s, items}};
    auto record = std::make_shared<cw::watch::ObjectRecord>();
    record->object = QJsonDocument(object).toJson(QJsonDocument::Compact);
    record->kind = u"ConfigMap"_s;
    record->apiVersion = u"v1"_s;
    record->ns = u"demo"_s;
    record->name = u"huge"_s;
    record->resourceVersion = u"1"_s;
    return record;
}

int objectViewBench(int megabytes)
{
    const cw::watch::ObjectRef object = hugeObject(megabytes);
    cw::ui::ObjectView view;
    view.resize(1000, 800);
    view.show();
    QElapsedTimer sinceTick;
    qint64 longestStall = 0;
    QTimer ticker;
    ticker.setInterval(5);
    QObject::connect(&ticker, &QTimer::timeout, &ticker,
                     [&] { longestStall = std::max(longestStall, sinceTick.restart()); });
    QElapsedTimer total;
    total.start();
    view.showObject(object);
    const qint64 showMs = total.elapsed();
    sinceTick.start();
    ticker.start();
    while (view.isLoading() && total.elapsed() < 300'000)
        QApplication::processEvents(QEventLoop::AllEvents, 5);
    ticker.stop();
    if (view.isLoading()) {
        std::fprintf(stderr, "bench_ui: the object never finished loading\n");
        return 1;
    }
    std::printf("object view, %.1f MB of JSON (%lld lines of YAML): showObject returned after %lld ms, text "
                "complete after %lld ms, longest event-loop stall %lld ms, highlighted %s\n",
                double(object->object.size()) / 1e6, static_cast<long long>(view.text().count(u'\n') + 1),
                static_cast<long long>(showMs), static_cast<long long>(total.elapsed()),
                static_cast<long long>(longestStall), view.isHighlighted() ? "yes" : "no");
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    int pods = 10'000;
    int rate = 2000;
    int seconds = 20;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == "--pods"_L1)
            pods = args[i + 1].toInt();
        else if (args[i] == "--rate"_L1)
            rate = args[i + 1].toInt();
        else if (args[i] == "--seconds"_L1)
            seconds = args[i + 1].toInt();
        else if (args[i] == "--object-mb"_L1)
            return objectViewBench(std::max(1, args[i + 1].toInt()));
    }

    cw::sim::SimConfig config;
    config.tls = false;
    config.churn = false;
    config.shape.pods = pods;
    config.logFaults = false;
    config.historyCapacity = 1'000'000;
    cw::sim::SimThread sim(config);
    QString error;
    if (!sim.start(&error)) {
        std::fprintf(stderr, "bench_ui: sim: %s\n", qPrintable(error));
        return 1;
    }
    QTemporaryDir dir;
    const QString kubeconfig = dir.filePath(u"kubeconfig"_s);
    QFile file(kubeconfig);
    if (!file.open(QIODevice::WriteOnly) || file.write(sim.kubeconfig()) <= 0)
        return 1;
    file.close();

    cw::ui::StartOptions options;
    options.kubeconfig = kubeconfig;
    options.restore = false;
    cw::ui::MainWindow window(options);
    window.resize(1440, 900);
    window.show();
    cw::ui::ClusterView *view = window.currentView();
    QElapsedTimer clock;
    clock.start();
    while (!(view->currentModel() && view->currentModel()->rowCount() >= pods) && clock.elapsed() < 120'000)
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    if (!view->currentModel() || view->currentModel()->rowCount() < pods) {
        std::fprintf(stderr, "bench_ui: the pods table never filled\n");
        return 1;
    }
    std::printf("initial list: %d pods shown after %lld ms\n", view->currentModel()->rowCount(), clock.elapsed());

    // Batches of the pods stream per wall-clock second.
    std::map<qint64, int> batchesPerSecond;
    const QString podsStream = view->currentStream();
    QObject::connect(view->session(), &cw::watch::ClusterSession::batchReady, &app,
                     [&](const cw::watch::Batch &b) {
                         if (b.stream == podsStream && !b.changes.isEmpty())
                             ++batchesPerSecond[clock.elapsed() / 1000];
                     });

    // The churn, on the sim's thread: `rate` MODIFIED pods a second in 10 ms steps.
    QTimer *churn = nullptr;
    sim.invoke([&churn, rate](cw::sim::SimServer &s) {
        churn = new QTimer(&s);
        auto index = std::make_shared<qsizetype>(0);
        const auto *type = cw::sim::findResource(QString(), u"v1"_s, u"pods"_s);
        QObject::connect(churn, &QTimer::timeout, &s, [&s, type, rate, index] {
            const QList<cw::sim::ObjectPtr> all = s.store()->list(type, QString());
            for (int i = 0; i < rate / 100 && !all.isEmpty(); ++i)
                s.store()->touch(all[(*index)++ % all.size()]);
        });
        churn->setTimerType(Qt::PreciseTimer);
        churn->start(10);
    });

    // The probe: another thread posts a timestamped call to the UI thread every 10 ms.
    std::vector<double> latencies;
    std::atomic<bool> probing{true};
    QThread prober;
    QObject probeTarget;
    QTimer probe;
    probe.setInterval(10);
    probe.setTimerType(Qt::PreciseTimer);
    probe.moveToThread(&prober);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 sent = clock.nsecsElapsed();
        QMetaObject::invokeMethod(&probeTarget, [&, sent] {
            if (probing)
                latencies.push_back(double(clock.nsecsElapsed() - sent) / 1e6);
        });
    });
    QObject::connect(&prober, &QThread::started, &probe, qOverload<>(&QTimer::start));
    const qint64 start = clock.elapsed();
    prober.start();
    while (clock.elapsed() - start < qint64(seconds) * 1000)
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    probing = false;
    QMetaObject::invokeMethod(&probe, &QTimer::stop, Qt::BlockingQueuedConnection);
    prober.quit();
    prober.wait();
    sim.invoke([&churn](cw::sim::SimServer &) { delete churn; });

    int maxBatches = 0;
    for (const auto &[second, count] : batchesPerSecond) {
        if (second > start / 1000 && second < clock.elapsed() / 1000 - 1) // whole seconds only
            maxBatches = std::max(maxBatches, count);
    }
    std::printf("load: %d pods, %d MODIFIED/s for %d s\n", pods, rate, seconds);
    std::printf("ui_latency_ms p50=%.1f p99=%.1f max=%.1f samples=%zu (target p99 < 50)\n",
                percentile(latencies, 0.5), percentile(latencies, 0.99), percentile(latencies, 1.0),
                latencies.size());
    std::printf("pods_batches_per_second max=%d (target <= 20)\n", maxBatches);
    std::printf("rows=%d peak_rss_mb=%.0f\n", view->currentModel()->rowCount(), double(peakRssKb()) / 1024);
    return 0;
}
