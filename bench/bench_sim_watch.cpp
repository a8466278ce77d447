// SPDX-License-Identifier: Apache-2.0
// How fast the sim streams watch events of realistic (~4 KB) pods to `curl -N` on loopback.
// The events are made first (a burst into the watch history), then one watch from before the burst
// replays them; the sim closes it once caught up. curl's own timers give the figure.
#include "simthread.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QProcess>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace cw::sim;

namespace {

struct Run
{
    double events = 0;
    double seconds = 0;
    double bytes = 0;
};

Run streamOnce(SimThread &sim, quint16 port, qint64 burst)
{
    qint64 from = 0;
    qint64 generationMs = 0;
    sim.invoke([&](SimServer &s) {
        from = s.store()->currentRv();
        QElapsedTimer timer;
        timer.start();
        const auto *pods = findResource(QString(), QStringLiteral("v1"), QStringLiteral("pods"));
        const QList<ObjectPtr> objects = s.store()->list(pods, QString());
        for (qint64 i = 0; i < burst; ++i)
            s.store()->touch(s.store()->get(pods, objects[i % objects.size()]->ns, objects[i % objects.size()]->name));
        generationMs = timer.elapsed();
    });
    std::printf("  burst: %lld events made in %lld ms (%.0f events/s)\n", static_cast<long long>(burst),
                static_cast<long long>(generationMs), burst * 1000.0 / std::max<qint64>(generationMs, 1));

    QProcess curl;
    curl.start(QStringLiteral("curl"),
               {QStringLiteral("-sN"), QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"),
                QStringLiteral("%{time_starttransfer} %{time_total} %{size_download}"), QStringLiteral("-H"),
                QStringLiteral("Authorization: Bearer bench-admin"),
                QStringLiteral("http://127.0.0.1:%1/api/v1/pods?watch=1&resourceVersion=%2").arg(port).arg(from)});
    curl.waitForStarted();
    // Close the watch the moment it has delivered everything.
    bool closed = false;
    while (!closed && curl.state() == QProcess::Running) {
        sim.invoke([&](SimServer &s) {
            if (s.openWatchCount() > 0 && s.maxWatchLag() == 0) {
                FaultSpec close;
                close.kind = FaultKind::Close;
                s.injectFault(close);
                closed = true;
            }
        });
        QThread::msleep(2);
    }
    curl.waitForFinished(60'000);
    const QList<QByteArray> figures = curl.readAllStandardOutput().split(' ');
    Run run;
    run.seconds = figures.value(1).toDouble() - figures.value(0).toDouble();
    run.bytes = figures.value(2).toDouble();
    run.events = double(burst);
    return run;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const qint64 burst = argc > 1 ? QByteArray(argv[1]).toLongLong() : 200'000;
    SimConfig config;
    config.tls = false;
    config.adminToken = "bench-admin";
    config.shape.pods = 10'000;
    config.shape.namespaces = 10;
    config.shape.nodes = 20;
    config.churn = false;
    config.logFaults = false;
    config.historyCapacity = int(burst) + 1000;
    config.historyWindowSec = 3600;
    SimThread sim(config);
    QString error;
    QElapsedTimer startup;
    startup.start();
    if (!sim.start(&error)) {
        std::fprintf(stderr, "bench: sim did not start: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("sim watch streaming benchmark (10,000 pods, burst of %lld MODIFIED events)\n", static_cast<long long>(burst));
    std::printf("  cluster generated and serving in %lld ms\n", static_cast<long long>(startup.elapsed()));
    const quint16 port = quint16(sim.url().port());
    std::vector<double> rates;
    for (int i = 0; i < 5; ++i) {
        const Run run = streamOnce(sim, port, burst);
        const double rate = run.events / std::max(run.seconds, 1e-6);
        rates.push_back(rate);
        std::printf("  run %d: %.0f events in %.3f s = %.0f events/s, %.0f MB/s, %.0f bytes/event\n", i + 1, run.events,
                    run.seconds, rate, run.bytes / run.seconds / 1e6, run.bytes / std::max(run.events, 1.0));
    }
    std::sort(rates.begin(), rates.end());
    std::printf("RESULT sim_watch_events_per_second median %.0f best %.0f (target >= 300000; client target 150000)\n",
                rates[rates.size() / 2], rates.back());
    return 0;
}
