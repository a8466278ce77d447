// SPDX-License-Identifier: Apache-2.0
// Ingest benchmark: how fast ClusterWatch's watch engine (ClusterSession) takes a watch stream and a paginated
// LIST into its store, next to real peers on the same events in the same run: kubectl, the Debian
// python3-kubernetes client and `curl -N` (the floor: bytes to /dev/null). Everything talks to the
// in-process sim on 127.0.0.1 over plain HTTP; every peer has a deadline and is stopped after it.
//
// Watch workload: each consumer starts, does its initial list (or opens its watch at the current RV) and is
// caught up; then its stream is stalled, a burst of MODIFIED events is made, and the stall ends. The events
// then replay from the sim's history at full speed, so every consumer receives exactly the same events and
// the time the sim needs to make them counts for nobody. The clock runs from the moment the stream resumes
// to the moment the consumer has the last event (all clocks are CLOCK_MONOTONIC, shared between processes).
//
// The engine runs in a child process (this binary, re-executed with --role=...) so that its peak RSS is its
// own and not the sim's. Peak RSS of every child comes from /usr/bin/time -f %M.
#include "kubeconfig.h"
#include "session.h"
#include "simthread.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace cw;

namespace {

// The JS client's (client-node informer) figures on this workload, measured elsewhere: a reference only.
constexpr double jsWatchLow = 13'000, jsWatchHigh = 16'000, jsWatchMb = 650;
constexpr double jsListLow = 6'000, jsListHigh = 8'000, jsListMb = 800;

constexpr char adminToken[] = "bench-admin";

qint64 monoNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

qint64 peakRssKb()
{
    // VmHWM is the kernel's own high-water mark; ru_maxrss says the same, kept as the fallback.
    QFile status(QStringLiteral("/proc/self/status"));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmHWM:"))
                return line.mid(6).trimmed().split(' ').value(0).toLongLong();
        }
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

void say(const char *format, auto... args)
{
    std::printf(format, args...);
    std::fflush(stdout);
}

// ---------------------------------------------------------------------------------------------------------
// The engine's side: a child process that watches pods in all namespaces and reports on stdout.

watch::ResourceSpec podsSpec()
{
    watch::ResourceSpec spec;
    spec.api.version = QStringLiteral("v1");
    spec.api.resource = QStringLiteral("pods");
    spec.api.singular = QStringLiteral("pod");
    spec.api.kind = QStringLiteral("Pod");
    spec.api.namespaced = true;
    return spec;
}

std::optional<watch::ResolvedContext> loadContext(const QString &kubeconfig)
{
    const auto loaded = watch::Kubeconfig::loadFile(kubeconfig);
    if (const auto *error = std::get_if<watch::KubeconfigError>(&loaded)) {
        say("FAILED %s\n", qPrintable(error->toString()));
        return std::nullopt;
    }
    const auto resolved = std::get<watch::Kubeconfig>(loaded).resolve();
    if (const auto *error = std::get_if<watch::KubeconfigError>(&resolved)) {
        say("FAILED %s\n", qPrintable(error->toString()));
        return std::nullopt;
    }
    return std::get<watch::ResolvedContext>(resolved);
}

// CPU time of the whole process (every thread), user and system.
qint64 processCpuUs()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return qint64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1'000'000 + usage.ru_utime.tv_usec +
           usage.ru_stime.tv_usec;
}

// CPU time (ns) of each of this process's threads, by thread name (threads of one name add up).
std::map<QString, qint64> threadCpuNs()
{
    std::map<QString, qint64> cpu;
    const QDir tasks(QStringLiteral("/proc/self/task"));
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(tasks.filePath(tid + QStringLiteral("/comm")));
        QFile sched(tasks.filePath(tid + QStringLiteral("/schedstat")));
        if (!comm.open(QIODevice::ReadOnly) || !sched.open(QIODevice::ReadOnly))
            continue; // the thread ended meanwhile
        const QString name = QString::fromUtf8(comm.readAll().trimmed()).section(QLatin1Char(' '), 0, 0);
        cpu[name.isEmpty() ? QStringLiteral("?") : name] += sched.readAll().split(' ').value(0).toLongLong();
    }
    return cpu;
}

// " name us name us ..." per item, from a THREADS line.
QByteArray perItem(const QByteArray &threads, qint64 items)
{
    QByteArray split;
    for (const QByteArray &entry : threads.split(' ').mid(1)) {
        const qsizetype eq = entry.lastIndexOf('=');
        split += ' ' + entry.left(eq) + ' ' +
                 QByteArray::number(entry.mid(eq + 1).toDouble() / 1e3 / double(std::max<qint64>(1, items)), 'f', 2);
    }
    return split;
}

// Lines: "LISTED <objects> <startNs> <listedNs>" after the first reset batch; with `expected` > 0 then
// "DONE <modified> <firstNs> <doneNs> <vmHwmKb> <resets> <gaps> <batches> <largestBatch> <cpuUs>" once that
// many MODIFIED are in; cpuUs is the process's CPU time since LISTED (idle until the burst comes). Before
// DONE, "THREADS <name>=<ns> ..." splits that time by thread name.
int runEngine(const QString &kubeconfig, qint64 expected)
{
    const std::optional<watch::ResolvedContext> context = loadContext(kubeconfig);
    if (!context)
        return 1;
    const qint64 startNs = monoNs();
    watch::SessionOptions options;
    options.seed = 1;
    watch::ClusterSession session(*context, options);
    qint64 modified = 0;
    qint64 firstNs = 0;
    int resets = 0;
    qsizetype gaps = 0;
    qint64 batches = 0;
    qsizetype largest = 0;
    qint64 listedCpuUs = 0;
    std::map<QString, qint64> listedThreads;
    bool done = false;
    const auto finish = [&](qint64 count) {
        done = true;
        QByteArray threads = "THREADS";
        for (const auto &[name, ns] : threadCpuNs())
            threads += ' ' + name.toUtf8() + '=' + QByteArray::number(ns - listedThreads[name]);
        say("%s\n", threads.constData());
        say("DONE %lld %lld %lld %lld %d %lld %lld %lld %lld\n", static_cast<long long>(count), static_cast<long long>(firstNs),
            static_cast<long long>(monoNs()), static_cast<long long>(peakRssKb()), resets, static_cast<long long>(gaps),
            static_cast<long long>(batches), static_cast<long long>(largest),
            static_cast<long long>(processCpuUs() - listedCpuUs));
        QCoreApplication::exit(0);
    };
    QObject::connect(&session, &watch::ClusterSession::batchReady, &session, [&](const watch::Batch &batch) {
        if (done)
            return;
        gaps += batch.gaps.size();
        if (batch.reset && ++resets == 1) {
            listedCpuUs = processCpuUs();
            if (expected > 0)
                listedThreads = threadCpuNs(); // the burst's share; a list alone counts from the start
            say("LISTED %lld %lld %lld\n", static_cast<long long>(batch.snapshot.size()),
                static_cast<long long>(startNs), static_cast<long long>(monoNs()));
            if (expected <= 0) {
                finish(0);
                return;
            }
        }
        if (!batch.reset && !batch.changes.isEmpty()) {
            ++batches;
            largest = std::max(largest, batch.changes.size());
        }
        for (const watch::Change &change : batch.changes) {
            if (change.type == watch::ChangeType::Modified && !change.recovered)
                ++modified;
        }
        if (modified > 0 && firstNs == 0)
            firstNs = monoNs();
        if (expected > 0 && modified >= expected)
            finish(modified);
    });
    QObject::connect(&session, &watch::ClusterSession::streamFinished, &session,
                     [&](const QString &, const std::optional<watch::StreamError> &error) {
                         if (done)
                             return;
                         say("FAILED stream finished: %s\n", error ? qPrintable(error->message) : "without error");
                         QCoreApplication::exit(2);
                     });
    session.watch(podsSpec());
    return QCoreApplication::exec();
}

// ---------------------------------------------------------------------------------------------------------
// The benchmark's side.

struct Options
{
    qint64 events = 100'000;
    int watchPods = 10'000;
    int listPods = 50'000;
    int runs = 5;           // engine and curl; kubectl and Python run once (they take long)
    int pythonDivisor = 10; // Python gets a tenth of the events: it is slow
    int peerTimeoutSec = 300;
    bool peers = true;
    bool watchWorkload = true;
    bool listWorkload = true;
    QStringList engineWrapper; // e.g. valgrind --tool=callgrind, for profiling the child
    QString pythonScript;
};

// A child process under /usr/bin/time, so its peak RSS is known however it ends.
class Peer
{
public:
    explicit Peer(QString rssFile) : m_rssFile(std::move(rssFile)) {}
    ~Peer() { stop(); }
    Peer(const Peer &) = delete;
    Peer &operator=(const Peer &) = delete;

    bool start(const QString &program, const QStringList &args,
               const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        QFile::remove(m_rssFile);
        m_proc.setProcessEnvironment(env);
        m_proc.start(QStringLiteral("/usr/bin/time"),
                     QStringList{QStringLiteral("-f"), QStringLiteral("%M"), QStringLiteral("-o"), m_rssFile, program} + args);
        m_startNs = monoNs();
        return m_proc.waitForStarted(10'000);
    }
    bool running() const { return m_proc.state() != QProcess::NotRunning; }
    qint64 startNs() const { return m_startNs; }
    qint64 lineCount() const { return m_lineCount; }
    // Waits up to ms for output (or the end of the process) and takes what arrived.
    void poll(int ms)
    {
        if (m_proc.state() == QProcess::Running && m_proc.bytesAvailable() == 0) {
            if (!m_proc.waitForReadyRead(ms) && m_proc.state() != QProcess::Running)
                m_proc.waitForFinished(0);
        }
        const QByteArray data = m_proc.readAllStandardOutput();
        m_lineCount += data.count('\n');
        if (m_keepLines) {
            m_partial += data;
            const qsizetype end = m_partial.lastIndexOf('\n');
            if (end >= 0) {
                m_lines += m_partial.left(end).split('\n');
                m_partial.remove(0, end + 1);
            }
        }
        if (!running() && m_endNs == 0) {
            m_endNs = monoNs();
            // curl's -w figures end without a newline.
            if (m_keepLines && !m_partial.isEmpty())
                m_lines.append(std::exchange(m_partial, QByteArray()));
        }
    }
    void keepLines(bool keep) { m_keepLines = keep; }
    // The first line starting with `prefix`, if one arrived.
    std::optional<QByteArray> line(const QByteArray &prefix) const
    {
        for (const QByteArray &l : m_lines) {
            if (l.startsWith(prefix))
                return l;
        }
        return std::nullopt;
    }
    QByteArray allOutput() const { return m_lines.join('\n'); }
    qint64 endNs() const { return m_endNs; }
    // Waits for the process to end by itself.
    bool waitEnd(int ms)
    {
        const qint64 deadline = monoNs() + qint64(ms) * 1'000'000;
        while (running() && monoNs() < deadline)
            poll(5);
        return !running();
    }
    // Ends the measured program (the child of /usr/bin/time, by its pid) so that time still reports.
    void stop()
    {
        if (!running())
            return;
        const auto target = [this] {
            QFile children(QStringLiteral("/proc/%1/task/%1/children").arg(m_proc.processId()));
            if (children.open(QIODevice::ReadOnly))
                return children.readAll().trimmed().split(' ').value(0).toInt();
            return 0;
        }();
        if (target > 0) {
            ::kill(target, SIGTERM);
            if (!waitEnd(3000))
                ::kill(target, SIGKILL);
        }
        if (!waitEnd(3000)) {
            m_proc.kill();
            m_proc.waitForFinished(3000);
        }
    }
    double peakMb() const
    {
        QFile file(m_rssFile);
        if (!file.open(QIODevice::ReadOnly))
            return 0;
        // "Command exited with non-zero status 1" may come first; the figure is on the last line.
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        return lines.isEmpty() ? 0 : lines.last().trimmed().toDouble() / 1024.0;
    }
    QByteArray errorTail()
    {
        const QByteArray err = m_proc.readAllStandardError().trimmed();
        return err.right(300).replace('\n', " | ");
    }

private:
    QString m_rssFile;
    QProcess m_proc;
    qint64 m_startNs = 0;
    qint64 m_endNs = 0;
    qint64 m_lineCount = 0;
    bool m_keepLines = true;
    QByteArray m_partial;
    QList<QByteArray> m_lines;
};

struct Figure
{
    QString workload; // "watch" / "list"
    QString consumer;
    double items = 0;
    double seconds = 0;
    double peakMb = 0;
    QString note;     // why there is no figure, or something worth knowing about it
    bool ok = false;
    double rate() const { return ok && seconds > 0 ? items / seconds : 0; }
};

Figure failed(const QString &workload, const QString &consumer, const QString &why, double peakMb = 0)
{
    Figure f;
    f.workload = workload;
    f.consumer = consumer;
    f.note = why;
    f.peakMb = peakMb;
    return f;
}

// The median run by rate (failed runs count as zero; of an even count, the lower middle one); the peak RSS
// reported is the highest of all runs.
Figure median(std::vector<Figure> runs)
{
    std::sort(runs.begin(), runs.end(), [](const Figure &a, const Figure &b) { return a.rate() < b.rate(); });
    Figure m = runs[(runs.size() - 1) / 2];
    for (const Figure &f : runs)
        m.peakMb = std::max(m.peakMb, f.peakMb);
    if (runs.size() > 1) {
        QStringList rates;
        for (const Figure &f : runs)
            rates << QString::number(f.rate(), 'f', 0);
        m.note = (m.note.isEmpty() ? QString() : m.note + QStringLiteral("; ")) + QStringLiteral("median of ")
                 + rates.join(QLatin1Char('/'));
    }
    return m;
}

struct SimStats
{
    int watches = 0;
    qint64 lag = 0;
    qint64 rv = 0;
};

class Bench
{
public:
    Bench(Options options, QString dir) : m_opt(std::move(options)), m_dir(std::move(dir)) {}

    void run()
    {
        say("ingest benchmark: ClusterWatch watch engine vs kubectl, python3-kubernetes and curl, on loopback\n");
        say("  %d CPUs; every consumer receives the same events from the sim's history after a stall\n",
            QThread::idealThreadCount());
        if (m_opt.watchWorkload)
            watchWorkload();
        if (m_opt.listWorkload)
            listWorkload();
        report();
    }

private:
    // ---- the sim ----------------------------------------------------------------------------------------

    // Plain HTTP, except for kubectl: client-go sends no credentials over plain HTTP (kubernetes/kubectl#744).
    bool startSim(int pods, int namespaces, int nodes, qint64 history, bool tls = false)
    {
        m_sim.reset(); // one sim at a time: the previous one's memory goes first
        sim::SimConfig config;
        config.tls = tls;
        config.adminToken = adminToken;
        config.shape.pods = pods;
        config.shape.namespaces = namespaces;
        config.shape.nodes = nodes;
        config.churn = false;
        config.logFaults = false;
        config.historyCapacity = int(std::min<qint64>(history, 50'000'000));
        config.historyWindowSec = 24 * 3600;
        config.compactionIntervalSec = 24 * 3600; // compacted by hand between runs, when no watch is open
        m_sim = std::make_unique<sim::SimThread>(config);
        QString error;
        const qint64 start = monoNs();
        if (!m_sim->start(&error)) {
            say("bench: the sim did not start: %s\n", qPrintable(error));
            m_sim.reset();
            return false;
        }
        m_port = quint16(m_sim->url().port());
        m_kubeconfig = QDir(m_dir).filePath(QStringLiteral("kubeconfig"));
        QFile file(m_kubeconfig);
        if (!file.open(QIODevice::WriteOnly) || file.write(m_sim->kubeconfig()) < 0) {
            say("bench: cannot write %s\n", qPrintable(m_kubeconfig));
            return false;
        }
        file.close();
        m_caFile.clear();
        if (tls) {
            m_caFile = QDir(m_dir).filePath(QStringLiteral("ca.pem"));
            QByteArray ca;
            m_sim->invoke([&ca](sim::SimServer &s) { ca = s.pki().caCertPem; });
            QFile caFile(m_caFile);
            if (!caFile.open(QIODevice::WriteOnly) || caFile.write(ca) < 0)
                return false;
        }
        m_pods = 0;
        m_sim->invoke([this](sim::SimServer &s) { m_pods = s.store()->count(podType()); });
        say("  sim: %d pods, serving %s on 127.0.0.1:%d after %.1f s\n", m_pods, tls ? "HTTPS" : "HTTP", int(m_port),
            (monoNs() - start) / 1e9);
        return true;
    }

    static const sim::ResourceType *podType()
    {
        return sim::findResource(QString(), QStringLiteral("v1"), QStringLiteral("pods"));
    }

    SimStats stats()
    {
        SimStats st;
        m_sim->invoke([&st](sim::SimServer &s) {
            st.watches = s.openWatchCount();
            st.lag = s.maxWatchLag();
            st.rv = s.store()->currentRv();
        });
        return st;
    }

    // Stalls the open pods watches, then makes `count` MODIFIED events; returns how long making them took.
    qint64 burst(qint64 count, int stallMs)
    {
        qint64 ms = 0;
        m_sim->invoke([&](sim::SimServer &s) {
            if (stallMs > 0) {
                sim::FaultSpec stall;
                stall.kind = sim::FaultKind::Stall;
                stall.seconds = stallMs / 1000.0;
                stall.resource = QStringLiteral("pods");
                s.injectFault(stall);
            }
            const qint64 start = monoNs();
            const QList<sim::ObjectPtr> objects = s.store()->list(podType(), QString());
            for (qint64 i = 0; i < count; ++i) {
                const sim::ObjectPtr &o = objects[i % objects.size()];
                s.store()->touch(s.store()->get(podType(), o->ns, o->name));
            }
            ms = (monoNs() - start) / 1'000'000;
        });
        return ms;
    }

    // After a consumer is gone: drop the burst's versions so the next burst is made as fast as this one.
    void settle()
    {
        const qint64 deadline = monoNs() + 5'000'000'000LL;
        while (stats().watches > 0 && monoNs() < deadline)
            QThread::msleep(5);
        m_sim->invoke([](sim::SimServer &s) { s.store()->compactNow(); });
    }

    void closeWatches()
    {
        m_sim->invoke([](sim::SimServer &s) {
            sim::FaultSpec close;
            close.kind = sim::FaultKind::Close;
            s.injectFault(close);
        });
    }

    // ---- running consumers ------------------------------------------------------------------------------

    QString rssFile() { return QDir(m_dir).filePath(QStringLiteral("rss-%1").arg(++m_rssCounter)); }

    QProcessEnvironment peerEnv() const
    {
        // A private HOME: no discovery cache from another run, no user configuration.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), m_dir);
        env.remove(QStringLiteral("KUBECONFIG"));
        return env;
    }

    bool startEngine(Peer &peer, const QString &role, qint64 events)
    {
        QStringList args = m_opt.engineWrapper.mid(1);
        args << QCoreApplication::applicationFilePath() << role << m_kubeconfig << QString::number(events);
        const QString program = m_opt.engineWrapper.isEmpty() ? args.takeFirst() : m_opt.engineWrapper.first();
        return peer.start(program, args);
    }

    QStringList curlArgs(const QString &target) const
    {
        QStringList tls;
        if (!m_caFile.isEmpty())
            tls << QStringLiteral("--cacert") << m_caFile;
        return tls + QStringList{QStringLiteral("-sN"), QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"),
                QStringLiteral("%{http_code} %{time_total} %{size_download}"), QStringLiteral("-H"),
                QStringLiteral("Authorization: Bearer ") + QLatin1StringView(adminToken),
                m_sim->url().toString(QUrl::StripTrailingSlash) + target};
    }

    int timeoutMs() const { return m_opt.peerTimeoutSec * 1000; }

    // Until the consumer's watch is open and caught up and `ready` says its initial list is in.
    bool waitWatching(Peer &peer, const std::function<bool()> &ready, QString *why)
    {
        const qint64 deadline = monoNs() + qint64(timeoutMs()) * 1'000'000;
        while (monoNs() < deadline) {
            peer.poll(5);
            if (!peer.running()) {
                *why = QStringLiteral("ended before watching: ") + QString::fromUtf8(peer.errorTail() + peer.allOutput().right(200));
                return false;
            }
            const SimStats st = stats();
            if (st.watches >= 1 && st.lag == 0 && ready())
                return true;
        }
        *why = QStringLiteral("timed out before watching");
        return false;
    }

    // The moment the stalled stream started replaying the burst (its lag dropped below the burst size).
    qint64 waitResumed(Peer &peer, qint64 count)
    {
        const qint64 deadline = monoNs() + 60'000'000'000LL;
        while (monoNs() < deadline) {
            const SimStats st = stats();
            if (st.lag < count || st.watches == 0)
                return monoNs();
            peer.poll(0);
            ::usleep(100);
        }
        return 0;
    }

    // One watch run: start, wait until watching, stall + burst, then `done` says when the consumer has all.
    // `done` returns the consumer's finishing time (monotonic ns), 0 while not finished, -1 on failure.
    Figure watchRun(const QString &consumer, qint64 count, Peer &peer, const std::function<bool()> &ready,
                    const std::function<qint64()> &done)
    {
        const QString workload = QStringLiteral("watch");
        QString why;
        if (!waitWatching(peer, ready, &why)) {
            peer.stop();
            settle();
            return failed(workload, consumer, why, peer.peakMb());
        }
        const qint64 genMs = burst(count, m_stallMs);
        if (genMs >= m_stallMs)
            say("  note: the burst took %lld ms, longer than the %d ms stall\n", static_cast<long long>(genMs), m_stallMs);
        const qint64 resumedNs = waitResumed(peer, count);
        const qint64 deadline = monoNs() + qint64(timeoutMs()) * 1'000'000;
        qint64 endNs = 0;
        while (endNs == 0 && monoNs() < deadline) {
            peer.poll(1);
            endNs = done();
        }
        peer.stop();
        const double mb = peer.peakMb();
        settle();
        if (endNs == 0)
            return failed(workload, consumer, QStringLiteral("timed out after %1 s").arg(m_opt.peerTimeoutSec), mb);
        if (endNs < 0 || resumedNs == 0)
            return failed(workload, consumer, QStringLiteral("failed: ") + QString::fromUtf8(peer.errorTail()), mb);
        Figure f;
        f.workload = workload;
        f.consumer = consumer;
        f.items = double(count);
        f.seconds = (endNs - resumedNs) / 1e9;
        f.peakMb = mb;
        f.ok = true;
        return f;
    }

    Figure engineWatch()
    {
        Peer peer(rssFile());
        const QString name = QStringLiteral("engine (ClusterSession)");
        if (!startEngine(peer, QStringLiteral("--role=engine"), m_opt.events))
            return failed(QStringLiteral("watch"), name, QStringLiteral("did not start"));
        QString extra;
        Figure f = watchRun(
            name, m_opt.events, peer, [&] { return peer.line("LISTED").has_value(); },
            [&]() -> qint64 {
                if (peer.line("FAILED"))
                    return -1;
                const std::optional<QByteArray> line = peer.line("DONE");
                if (!line)
                    return peer.running() ? 0 : -1;
                const QList<QByteArray> v = line->split(' ');
                extra = QStringLiteral("child VmHWM %1 MB, resets %2, gaps %3, %4 batches (largest %5 changes), "
                                       "first-to-last MODIFIED %6 s, engine CPU %7 us/event")
                            .arg(v.value(4).toDouble() / 1024.0, 0, 'f', 1)
                            .arg(QString::fromLatin1(v.value(5)), QString::fromLatin1(v.value(6)),
                                 QString::fromLatin1(v.value(7)), QString::fromLatin1(v.value(8)))
                            .arg((v.value(3).toLongLong() - v.value(2).toLongLong()) / 1e9, 0, 'f', 3)
                            .arg(v.value(9).toDouble() / double(std::max<qint64>(1, m_opt.events)), 0, 'f', 2);
                // Time on a shared machine depends on the neighbours; the CPU an event costs much less so.
                say("  .. engine CPU %.2f us/event\n", v.value(9).toDouble() / double(std::max<qint64>(1, m_opt.events)));
                if (const std::optional<QByteArray> threads = peer.line("THREADS"))
                    say("  .. by thread (us/event):%s\n", perItem(*threads, m_opt.events).constData());
                return v.value(3).toLongLong();
            });
        if (!f.ok && peer.line("FAILED"))
            f.note += QStringLiteral(" ") + QString::fromUtf8(*peer.line("FAILED"));
        if (f.ok)
            f.note = extra;
        return f;
    }

    Figure curlWatch(const QString &name = QStringLiteral("curl -N (floor)"))
    {
        Peer peer(rssFile());
        const SimStats before = stats();
        if (!peer.start(QStringLiteral("curl"), curlArgs(QStringLiteral("/api/v1/pods?watch=1&resourceVersion=%1").arg(before.rv))))
            return failed(QStringLiteral("watch"), name, QStringLiteral("did not start"));
        bool closed = false;
        Figure f = watchRun(
            name, m_opt.events, peer, [] { return true; },
            [&]() -> qint64 {
                if (!closed) {
                    // Everything written: end the watch the way a server timeout does; curl then exits.
                    const SimStats st = stats();
                    if (st.lag == 0) {
                        closeWatches();
                        closed = true;
                    }
                    return 0;
                }
                return peer.running() ? 0 : peer.endNs();
            });
        const QList<QByteArray> w = peer.allOutput().split(' ');
        if (f.ok && w.value(0) != "200")
            return failed(QStringLiteral("watch"), name, QStringLiteral("HTTP ") + QString::fromLatin1(w.value(0)), f.peakMb);
        if (f.ok)
            f.note = QStringLiteral("%1 bytes/event").arg(w.value(2).toDouble() / double(m_opt.events), 0, 'f', 0);
        return f;
    }

    Figure kubectlWatch()
    {
        Peer peer(rssFile());
        peer.keepLines(false);
        const QString name = QStringLiteral("kubectl get -A -w -o name (HTTPS)");
        if (!peer.start(QStringLiteral("kubectl"),
                        {QStringLiteral("--kubeconfig"), m_kubeconfig, QStringLiteral("get"), QStringLiteral("pods"),
                         QStringLiteral("-A"), QStringLiteral("-w"), QStringLiteral("-o"), QStringLiteral("name")},
                        peerEnv()))
            return failed(QStringLiteral("watch"), name, QStringLiteral("did not start"));
        const qint64 want = m_pods + m_opt.events;
        return watchRun(
            name, m_opt.events, peer, [&] { return peer.lineCount() >= m_pods; },
            [&]() -> qint64 {
                if (peer.lineCount() >= want)
                    return monoNs();
                return peer.running() ? 0 : -1;
            });
    }

    Figure pythonWatch()
    {
        Peer peer(rssFile());
        const QString name = QStringLiteral("python3-kubernetes watch");
        const qint64 count = std::max<qint64>(1, m_opt.events / m_opt.pythonDivisor);
        const SimStats before = stats();
        if (!peer.start(QStringLiteral("/usr/bin/python3"),
                        {m_opt.pythonScript, QStringLiteral("watch"), m_kubeconfig, QString::number(before.rv),
                         QString::number(count)},
                        peerEnv()))
            return failed(QStringLiteral("watch"), name, QStringLiteral("did not start"));
        Figure f = watchRun(
            name, count, peer, [] { return true; },
            [&]() -> qint64 {
                const std::optional<QByteArray> line = peer.line("{");
                if (!line)
                    return peer.running() ? 0 : -1;
                const QJsonObject o = QJsonDocument::fromJson(*line).object();
                if (o.value(QStringLiteral("modified")).toInteger() < count)
                    return -1;
                return qint64(o.value(QStringLiteral("done")).toDouble() * 1e9);
            });
        if (f.ok)
            f.note = QStringLiteral("%1 events (1/%2 of the others)").arg(count).arg(m_opt.pythonDivisor);
        return f;
    }

    void watchWorkload()
    {
        say("\nA. watch: %lld MODIFIED events of %d pods, all namespaces\n", static_cast<long long>(m_opt.events),
            m_opt.watchPods);
        const auto calibrate = [this] {
            // A burst with nobody watching: warms the sim up and says how long the stall must cover.
            const qint64 genMs = burst(m_opt.events, 0);
            settle();
            m_stallMs = int(std::max<qint64>(1000, 2 * genMs + 500));
            say("  burst made in %lld ms (%.0f events/s); streams stall %d ms around each burst\n",
                static_cast<long long>(genMs), m_opt.events * 1000.0 / std::max<qint64>(genMs, 1), m_stallMs);
        };
        if (!startSim(m_opt.watchPods, 10, 20, 2 * m_opt.events + 10'000))
            return;
        calibrate();
        std::vector<Figure> curl, engine;
        for (int i = 0; i < m_opt.runs && m_opt.peers; ++i)
            curl.push_back(progress(curlWatch()));
        for (int i = 0; i < m_opt.runs; ++i)
            engine.push_back(progress(engineWatch()));
        if (!curl.empty())
            m_figures.push_back(median(curl));
        m_figures.push_back(median(engine));
        if (m_opt.peers) {
            m_figures.push_back(progress(pythonWatch()));
            // The same cluster (same seed) over HTTPS for kubectl, with curl over HTTPS to show what TLS costs.
            if (startSim(m_opt.watchPods, 10, 20, 2 * m_opt.events + 10'000, true)) {
                calibrate();
                m_figures.push_back(progress(kubectlWatch()));
                m_figures.push_back(progress(curlWatch(QStringLiteral("curl -N over HTTPS"))));
            }
        }
        m_sim.reset();
    }

    // ---- the list workload ------------------------------------------------------------------------------

    Figure engineList()
    {
        const QString workload = QStringLiteral("list");
        const QString name = QStringLiteral("engine (ClusterSession)");
        Peer peer(rssFile());
        const std::map<QString, qint64> serverBefore = threadCpuNs();
        if (!startEngine(peer, QStringLiteral("--role=engine"), 0))
            return failed(workload, name, QStringLiteral("did not start"));
        const bool ended = peer.waitEnd(timeoutMs());
        peer.stop();
        if (const std::optional<QByteArray> threads = peer.line("THREADS")) {
            // The sim's side too: a server that cannot keep up sets the pace, whoever the client is.
            QByteArray server = "THREADS";
            for (const auto &[thread, ns] : threadCpuNs())
                server += ' ' + thread.toUtf8() + '=' + QByteArray::number(ns - serverBefore.at(thread));
            say("  .. by thread (us/object): client%s; server%s\n", perItem(*threads, m_pods).constData(),
                perItem(server, m_pods).constData());
        }
        const double mb = peer.peakMb();
        const std::optional<QByteArray> listed = peer.line("LISTED");
        if (!listed)
            return failed(workload, name,
                          ended ? QStringLiteral("failed: ") + QString::fromUtf8(peer.allOutput().right(200) + peer.errorTail())
                                : QStringLiteral("timed out after %1 s").arg(m_opt.peerTimeoutSec),
                          mb);
        const QList<QByteArray> v = listed->split(' ');
        Figure f;
        f.workload = workload;
        f.consumer = name;
        f.items = v.value(1).toDouble();
        f.seconds = (v.value(3).toLongLong() - v.value(2).toLongLong()) / 1e9;
        f.peakMb = mb;
        f.ok = f.items == m_pods;
        if (const std::optional<QByteArray> done = peer.line("DONE"))
            f.note = QStringLiteral("child VmHWM %1 MB").arg(done->split(' ').value(4).toDouble() / 1024.0, 0, 'f', 1);
        if (!f.ok)
            f.note = QStringLiteral("listed %1 of %2 pods").arg(f.items).arg(m_pods);
        return f;
    }

    Figure kubectlList()
    {
        const QString workload = QStringLiteral("list");
        const QString name = QStringLiteral("kubectl get -A -o name (HTTPS)");
        // Discovery first, so that the timed run lists and does nothing else (chunks of 500 by default).
        {
            Peer warm(rssFile());
            warm.keepLines(false);
            warm.start(QStringLiteral("kubectl"),
                       {QStringLiteral("--kubeconfig"), m_kubeconfig, QStringLiteral("api-resources"), QStringLiteral("-o"),
                        QStringLiteral("name")},
                       peerEnv());
            warm.waitEnd(60'000);
        }
        Peer peer(rssFile());
        peer.keepLines(false);
        if (!peer.start(QStringLiteral("kubectl"),
                        {QStringLiteral("--kubeconfig"), m_kubeconfig, QStringLiteral("get"), QStringLiteral("pods"),
                         QStringLiteral("-A"), QStringLiteral("-o"), QStringLiteral("name")},
                        peerEnv()))
            return failed(workload, name, QStringLiteral("did not start"));
        const bool ended = peer.waitEnd(timeoutMs());
        peer.stop();
        if (!ended)
            return failed(workload, name, QStringLiteral("timed out after %1 s").arg(m_opt.peerTimeoutSec), peer.peakMb());
        if (peer.lineCount() != m_pods)
            return failed(workload, name, QStringLiteral("printed %1 of %2 pods: %3").arg(peer.lineCount()).arg(m_pods).arg(QString::fromUtf8(peer.errorTail())), peer.peakMb());
        Figure f;
        f.workload = workload;
        f.consumer = name;
        f.items = double(m_pods);
        f.seconds = (peer.endNs() - peer.startNs()) / 1e9;
        f.peakMb = peer.peakMb();
        f.ok = true;
        f.note = QStringLiteral("process start to exit");
        return f;
    }

    Figure pythonList()
    {
        const QString workload = QStringLiteral("list");
        const QString name = QStringLiteral("python3-kubernetes list");
        Peer peer(rssFile());
        if (!peer.start(QStringLiteral("/usr/bin/python3"),
                        {m_opt.pythonScript, QStringLiteral("list"), m_kubeconfig, QStringLiteral("500")}, peerEnv()))
            return failed(workload, name, QStringLiteral("did not start"));
        const bool ended = peer.waitEnd(timeoutMs());
        peer.stop();
        if (!ended)
            return failed(workload, name, QStringLiteral("timed out after %1 s").arg(m_opt.peerTimeoutSec), peer.peakMb());
        const std::optional<QByteArray> line = peer.line("{");
        if (!line)
            return failed(workload, name, QStringLiteral("failed: ") + QString::fromUtf8(peer.errorTail()), peer.peakMb());
        const QJsonObject o = QJsonDocument::fromJson(*line).object();
        Figure f;
        f.workload = workload;
        f.consumer = name;
        f.items = o.value(QStringLiteral("objects")).toDouble();
        f.seconds = o.value(QStringLiteral("done")).toDouble() - o.value(QStringLiteral("start")).toDouble();
        f.peakMb = peer.peakMb();
        f.ok = f.items == m_pods;
        f.note = QStringLiteral("%1 pages").arg(o.value(QStringLiteral("pages")).toInteger());
        return f;
    }

    Figure curlList(const QString &name = QStringLiteral("curl one unpaginated GET (floor)"))
    {
        const QString workload = QStringLiteral("list");
        Peer peer(rssFile());
        if (!peer.start(QStringLiteral("curl"), curlArgs(QStringLiteral("/api/v1/pods"))))
            return failed(workload, name, QStringLiteral("did not start"));
        const bool ended = peer.waitEnd(timeoutMs());
        peer.stop();
        const QList<QByteArray> w = peer.allOutput().split(' ');
        if (!ended || w.value(0) != "200")
            return failed(workload, name, ended ? QStringLiteral("HTTP ") + QString::fromLatin1(w.value(0)) : QStringLiteral("timed out"),
                          peer.peakMb());
        Figure f;
        f.workload = workload;
        f.consumer = name;
        f.items = double(m_pods);
        f.seconds = w.value(1).toDouble();
        f.peakMb = peer.peakMb();
        f.ok = true;
        f.note = QStringLiteral("%1 MB body").arg(w.value(2).toDouble() / 1e6, 0, 'f', 0);
        return f;
    }

    void listWorkload()
    {
        say("\nB. list: %d pods, paginated LIST (limit 500), all namespaces\n", m_opt.listPods);
        if (!startSim(m_opt.listPods, 20, 100, 10'000))
            return;
        std::vector<Figure> curl, engine;
        for (int i = 0; i < m_opt.runs && m_opt.peers; ++i)
            curl.push_back(progress(curlList()));
        for (int i = 0; i < m_opt.runs; ++i)
            engine.push_back(progress(engineList()));
        if (!curl.empty())
            m_figures.push_back(median(curl));
        m_figures.push_back(median(engine));
        if (m_opt.peers) {
            m_figures.push_back(progress(pythonList()));
            if (startSim(m_opt.listPods, 20, 100, 10'000, true)) {
                m_figures.push_back(progress(kubectlList()));
                m_figures.push_back(progress(curlList(QStringLiteral("curl one GET over HTTPS"))));
            }
        }
        m_sim.reset();
    }

    // ---- output -----------------------------------------------------------------------------------------

    Figure progress(Figure f)
    {
        if (f.ok)
            say("  .. %s %s: %.0f in %.3f s, %.1f MB\n", qPrintable(f.workload), qPrintable(f.consumer), f.items,
                f.seconds, f.peakMb);
        else
            say("  .. %s %s: %s\n", qPrintable(f.workload), qPrintable(f.consumer), qPrintable(f.note));
        return f;
    }

    const Figure *find(const QString &workload, const QString &prefix) const
    {
        for (const Figure &f : m_figures) {
            if (f.workload == workload && f.consumer.contains(prefix))
                return &f;
        }
        return nullptr;
    }

    static QString ratio(double a, double b)
    {
        return a > 0 && b > 0 ? QString::number(a / b, 'f', a / b < 10 ? 2 : 1) + QLatin1Char('x') : QStringLiteral("n/a");
    }

    void report()
    {
        say("\n%-6s %-34s %12s %9s %10s  %-9s %-13s %-8s %s\n", "load", "consumer", "rate", "unit", "peak RSS",
            "vs kubectl", "vs JS", "vs curl", "note");
        for (const QString &workload : {QStringLiteral("watch"), QStringLiteral("list")}) {
            const Figure *kubectl = find(workload, QStringLiteral("kubectl"));
            const Figure *curl = find(workload, QStringLiteral("(floor)"));
            const bool watch = workload == QLatin1String("watch");
            const double jsLow = watch ? jsWatchLow : jsListLow, jsHigh = watch ? jsWatchHigh : jsListHigh;
            for (const Figure &f : m_figures) {
                if (f.workload != workload)
                    continue;
                if (!f.ok) {
                    say("%-6s %-34s %12s %9s %7.1f MB  %s\n", qPrintable(workload), qPrintable(f.consumer), "-", "-",
                        f.peakMb, qPrintable(f.note));
                    continue;
                }
                const QString js = ratio(f.rate(), jsHigh) + QStringLiteral("-") + ratio(f.rate(), jsLow);
                say("%-6s %-34s %12.0f %9s %7.1f MB  %-9s %-13s %-8s %s\n", qPrintable(workload), qPrintable(f.consumer),
                    f.rate(), watch ? "events/s" : "objects/s", f.peakMb,
                    qPrintable(kubectl ? ratio(f.rate(), kubectl->rate()) : QStringLiteral("n/a")), qPrintable(js),
                    qPrintable(curl ? ratio(f.rate(), curl->rate()) : QStringLiteral("n/a")), qPrintable(f.note));
            }
            say("%-6s %-34s %5.0f-%-6.0f %9s %7.0f MB  %-9s %-13s %-8s %s\n", qPrintable(workload),
                "JS client-node informer (reference)", jsLow, jsHigh, watch ? "events/s" : "objects/s",
                watch ? jsWatchMb : jsListMb, "", "1x", "", "given, not measured here");
        }
        say("\n");
        const auto pass = [](bool ok) { return ok ? "PASS" : "FAIL"; };
        if (const Figure *e = find(QStringLiteral("watch"), QStringLiteral("engine"))) {
            const Figure *k = find(QStringLiteral("watch"), QStringLiteral("kubectl"));
            const Figure *c = find(QStringLiteral("watch"), QStringLiteral("(floor)"));
            const double vsKubectl = k && k->rate() > 0 ? e->rate() / k->rate() : 0;
            const double vsJs = e->rate() / jsWatchHigh;
            const double curlOver = c && c->rate() > 0 && e->rate() > 0 ? c->rate() / e->rate() : 0;
            say("RESULT engine_watch_events_per_second %.0f peak_rss_mb %.1f | >= 150000 %s | vs kubectl %.1fx (>= 60) %s"
                " | vs JS %.1fx of 16000 (>= 10) %s | curl/engine %.2f (<= 4) %s | RSS < 150 MB %s\n",
                e->rate(), e->peakMb, pass(e->rate() >= 150'000), vsKubectl, k ? pass(vsKubectl >= 60) : "n/a", vsJs,
                pass(vsJs >= 10), curlOver, c ? pass(curlOver > 0 && curlOver <= 4) : "n/a",
                pass(e->ok && e->peakMb > 0 && e->peakMb < 150));
        }
        if (const Figure *e = find(QStringLiteral("list"), QStringLiteral("engine"))) {
            say("RESULT engine_list_objects_per_second %.0f peak_rss_mb %.1f | >= 100000 %s | RSS < 250 MB %s\n",
                e->rate(), e->peakMb, pass(e->rate() >= 100'000), pass(e->ok && e->peakMb > 0 && e->peakMb < 250));
        }
    }

    Options m_opt;
    QString m_dir;
    std::unique_ptr<sim::SimThread> m_sim;
    quint16 m_port = 0;
    QString m_caFile; // set while the sim serves HTTPS
    QString m_kubeconfig;
    int m_pods = 0;
    int m_stallMs = 2000;
    int m_rssCounter = 0;
    std::vector<Figure> m_figures;
};

void usage()
{
    std::fprintf(stderr,
                 "usage: bench_ingest [--events N] [--watch-pods N] [--list-pods N] [--runs N] [--python-divisor N]\n"
                 "                    [--timeout SECONDS] [--no-peers] [--only watch|list] [--python-script PATH]\n"
                 "                    [--engine-wrapper 'valgrind --tool=callgrind ...']\n");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    // The engine's child process: --role=engine <kubeconfig> <events> (0: the initial list only).
    if (args.value(1) == QLatin1String("--role=engine") && args.size() == 4)
        return runEngine(args.value(2), args.value(3).toLongLong());
    // This process hosts the sim. Its list pages are megabytes each: from glibc's defaults every one would be
    // fresh memory, faulted in page by page and handed back again (a mapping of its own, or a thread arena's
    // heap that empties), and the server, not the client, would set the pace. A real API server's allocator
    // keeps such memory, so this one does too: one arena, grown and never trimmed.
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);

    Options opt;
    // Next to this source file unless told otherwise: the benchmark runs from its build directory.
    opt.pythonScript = QFileInfo(QString::fromUtf8(__FILE__)).dir().filePath(QStringLiteral("python_watch.py"));
    for (int i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        const QString value = args.value(i + 1);
        const auto number = [&](auto &field) {
            bool ok = false;
            const qint64 n = value.toLongLong(&ok);
            if (!ok || n <= 0) {
                usage();
                std::exit(2);
            }
            field = static_cast<std::remove_reference_t<decltype(field)>>(n);
            ++i;
        };
        if (a == QLatin1String("--events"))
            number(opt.events);
        else if (a == QLatin1String("--watch-pods"))
            number(opt.watchPods);
        else if (a == QLatin1String("--list-pods"))
            number(opt.listPods);
        else if (a == QLatin1String("--runs"))
            number(opt.runs);
        else if (a == QLatin1String("--python-divisor"))
            number(opt.pythonDivisor);
        else if (a == QLatin1String("--timeout"))
            number(opt.peerTimeoutSec);
        else if (a == QLatin1String("--no-peers"))
            opt.peers = false;
        else if (a == QLatin1String("--only") && (value == QLatin1String("watch") || value == QLatin1String("list"))) {
            opt.watchWorkload = value == QLatin1String("watch");
            opt.listWorkload = !opt.watchWorkload;
            ++i;
        } else if (a == QLatin1String("--python-script") && !value.isEmpty()) {
            opt.pythonScript = value;
            ++i;
        } else if (a == QLatin1String("--engine-wrapper") && !value.isEmpty()) {
            opt.engineWrapper = value.split(QLatin1Char(' '), Qt::SkipEmptyParts);
            ++i;
        } else {
            usage();
            return 2;
        }
    }
    if (opt.peers && !QFileInfo::exists(opt.pythonScript)) {
        std::fprintf(stderr, "bench: %s not found (use --python-script)\n", qPrintable(opt.pythonScript));
        return 2;
    }
    QTemporaryDir dir;
    if (!dir.isValid()) {
        std::fprintf(stderr, "bench: no temporary directory\n");
        return 1;
    }
    Bench bench(opt, dir.path());
    bench.run();
    return 0;
}
