// SPDX-License-Identifier: Apache-2.0
// The resource table under load, printed as plain figures (not a timed test):
//  (a) 50,000 realistic pods (the sim's pod factory, managedFields stripped as the store does) through
//      ResourceTableModel -> namespace -> labels -> text proxies sorted by NAME: the reset, the first sort,
//      each keystroke typed into and erased from the text filter, selector changes, and one AGE tick.
//  (b) 10,000 pods, then 2,000 changes/s delivered as 20 batches/s for 10 s through the same chain: the time
//      applyBatch takes per batch, and the process CPU per second while it runs (timers and sweeps included).
//  (c) 100,000 watch changes into the event timeline, whose entries then hold no object: the heap each
//      entry costs.
#include "eventtimelinemodel.h"
#include "filterproxies.h"
#include "podfactory.h"
#include "resourcetablemodel.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <malloc.h>
#include <vector>

using namespace cw;
using namespace Qt::StringLiterals;

namespace {

double cpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

double msSince(const QElapsedTimer &t) { return double(t.nsecsElapsed()) / 1e6; }

struct Stats
{
    double median = 0;
    double p99 = 0;
    double max = 0;
};
Stats stats(std::vector<double> v)
{
    if (v.empty())
        return {};
    std::sort(v.begin(), v.end());
    return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)], v.back()};
}

const QStringList Apps{u"web"_s, u"api"_s, u"cart"_s, u"checkout"_s, u"search"_s, u"db"_s, u"cache"_s,
                       u"worker"_s, u"auth"_s, u"billing"_s};

// One workload's pod template: two containers with the ports, env, probes and resources real charts carry.
QJsonObject podTemplate(const QString &app, int index)
{
    const QString tier = app == "db"_L1 || app == "cache"_L1 ? u"data"_s : u"front"_s;
    const auto container = [&](const QString &name, const QString &image, int port) {
        QJsonArray env;
        for (const char *key : {"LOG_LEVEL", "OTEL_EXPORTER_OTLP_ENDPOINT", "FEATURE_FLAGS", "REGION"})
            env.append(QJsonObject{{u"name"_s, QString::fromLatin1(key)}, {u"value"_s, QString(u"value-for-"_s + name)}});
        const QJsonObject probe{{u"httpGet"_s, QJsonObject{{u"path"_s, u"/healthz"_s}, {u"port"_s, port}}},
                                {u"periodSeconds"_s, 10},
                                {u"timeoutSeconds"_s, 1}};
        return QJsonObject{
            {u"name"_s, name},
            {u"image"_s, image},
            {u"imagePullPolicy"_s, u"IfNotPresent"_s},
            {u"ports"_s, QJsonArray{QJsonObject{{u"containerPort"_s, port}, {u"protocol"_s, u"TCP"_s}}}},
            {u"env"_s, env},
            {u"resources"_s, QJsonObject{{u"requests"_s, QJsonObject{{u"cpu"_s, u"100m"_s}, {u"memory"_s, u"128Mi"_s}}},
                                         {u"limits"_s, QJsonObject{{u"cpu"_s, u"500m"_s}, {u"memory"_s, u"512Mi"_s}}}}},
            {u"readinessProbe"_s, probe},
            {u"livenessProbe"_s, probe},
            {u"terminationMessagePath"_s, u"/dev/termination-log"_s},
            {u"terminationMessagePolicy"_s, u"File"_s},
        };
    };
    return QJsonObject{
        {u"metadata"_s,
         QJsonObject{{u"labels"_s, QJsonObject{{u"app"_s, app},
                                               {u"tier"_s, tier},
                                               {u"version"_s, u"v%1"_s.arg(1 + index % 3)},
                                               {u"pod-template-hash"_s, u"5d8f7c%1b"_s.arg(index)}}},
                     {u"annotations"_s, QJsonObject{{u"prometheus.io/scrape"_s, u"true"_s}}}}},
        {u"spec"_s, QJsonObject{{u"containers"_s, QJsonArray{container(app, u"registry.example/"_s + app + u":1.4.2"_s, 8080),
                                                            container(u"envoy"_s, u"envoyproxy/envoy:v1.30"_s, 9901)}},
                                {u"restartPolicy"_s, u"Always"_s},
                                {u"terminationGracePeriodSeconds"_s, 30},
                                {u"dnsPolicy"_s, u"ClusterFirst"_s},
                                {u"schedulerName"_s, u"default-scheduler"_s}}},
    };
}

// Builds pods the way the store holds them: the sim's JSON without managedFields, identity decoded.
class PodMaker
{
public:
    explicit PodMaker(int namespaces) : m_rng(42)
    {
        for (int n = 0; n < namespaces; ++n) {
            for (int a = 0; a < Apps.size(); ++a) {
                const QString ns = u"team-%1"_s.arg(n);
                const QJsonObject owner{{u"apiVersion"_s, u"apps/v1"_s}, {u"kind"_s, u"ReplicaSet"_s},
                                        {u"name"_s, QString(Apps[a] + u"-5d8f7c"_s)}, {u"uid"_s, QString(u"uid-"_s + ns + Apps[a])},
                                        {u"controller"_s, true}};
                m_factories.emplace_back(ns, podTemplate(Apps[a], a), owner, Apps[a] + u"-5d8f7c-"_s);
            }
        }
    }

    watch::ObjectRef make(int serial, int restarts = 0)
    {
        const sim::PodFactory &factory = m_factories[size_t(serial) % m_factories.size()];
        sim::PodInstance pod;
        pod.name = factory.generateName() + QString::number(serial, 36);
        pod.node = u"node-%1"_s.arg(serial % 200);
        pod.hostIP = u"10.0.%1.%2"_s.arg(serial % 200 / 250).arg(serial % 250);
        pod.podIP = u"10.244.%1.%2"_s.arg(serial / 250 % 250).arg(serial % 250);
        const int kind = serial % 20;
        pod.state = kind == 0 ? sim::PodState::CrashLoop : kind == 1 ? sim::PodState::Unready : sim::PodState::Running;
        pod.createdMs = m_now - qint64(serial % 5000) * 60'000;
        pod.startedMs = pod.createdMs + 5000;
        pod.restarts = restarts + (kind == 0 ? 3 : 0);
        QJsonObject root = factory.build(pod, m_rng);
        QJsonObject meta = root.value("metadata"_L1).toObject();
        meta.remove("managedFields"_L1);
        meta.insert("resourceVersion"_L1, QString::number(++m_rv));
        meta.insert("uid"_L1, u"uid-%1"_s.arg(serial));
        root.insert("metadata"_L1, meta);
        auto record = std::make_shared<watch::ObjectRecord>();
        record->object = QJsonDocument(root).toJson(QJsonDocument::Compact);
        record->ns = meta.value("namespace"_L1).toString();
        record->name = pod.name;
        record->uid = meta.value("uid"_L1).toString();
        record->resourceVersion = QString::number(m_rv);
        record->kind = u"Pod"_s;
        record->apiVersion = u"v1"_s;
        return record;
    }

private:
    std::vector<sim::PodFactory> m_factories;
    QRandomGenerator m_rng;
    qint64 m_now = QDateTime::currentMSecsSinceEpoch();
    qint64 m_rv = 1000;
};

watch::ApiResource podsApi()
{
    watch::ApiResource api;
    api.version = u"v1"_s;
    api.resource = u"pods"_s;
    api.kind = u"Pod"_s;
    api.namespaced = true;
    api.verbs = {u"list"_s, u"watch"_s};
    return api;
}

struct Chain
{
    model::ResourceTableModel table;
    model::NamespaceFilterProxy byNamespace;
    model::LabelSelectorProxy labels;
    model::TextFilterProxy text;
    // As the app builds it: the view sorts the last proxy, which passes sorting down to the first.
    Chain()
    {
        table.setResource(podsApi(), u"pods"_s);
        byNamespace.setSourceModel(&table);
        labels.setSourceModel(&byNamespace);
        text.setSourceModel(&labels);
        text.forwardSortTo(&byNamespace);
    }
};

void benchFiltering()
{
    constexpr int Count = 50'000;
    PodMaker maker(20);
    QList<watch::ObjectRef> pods;
    pods.reserve(Count);
    qint64 bytes = 0;
    for (int i = 0; i < Count; ++i) {
        pods.append(maker.make(i));
        bytes += pods.back()->object.size();
    }
    std::printf("pods=%d avg_json_bytes=%lld\n", Count, static_cast<long long>(bytes / Count));

    QElapsedTimer t;
    t.start();
    qsizetype keys = 0;
    for (const watch::ObjectRef &p : std::as_const(pods))
        keys += QJsonDocument::fromJson(p->object).object().size();
    std::printf("parse_only_50k_ms=%.1f (QJsonDocument::fromJson alone, %lld keys)\n", msSince(t),
                static_cast<long long>(keys));

    Chain chain;
    watch::Batch relist;
    relist.stream = u"pods"_s;
    relist.reset = true;
    relist.snapshot = pods;
    t.restart();
    chain.table.applyBatch(relist);
    chain.text.rowCount();
    std::printf("reset_50k_ms=%.1f rows=%d\n", msSince(t), chain.text.rowCount());
    t.restart();
    chain.text.sort(1, Qt::AscendingOrder); // NAME
    chain.text.rowCount();
    std::printf("first_sort_50k_ms=%.1f\n", msSince(t));

    const QString typed = u"web-5d8f7c-1a"_s;
    std::vector<double> keystrokes;
    std::vector<double> keystrokesCpu; // the machine is shared: CPU time says what the work costs
    const bool verbose = qEnvironmentVariableIsSet("CW_BENCH_VERBOSE");
    const auto type = [&](const QString &text) {
        // rowCount() makes the proxies finish their work now, as a view asking for its rows would.
        const double cpu = cpuMs();
        t.restart();
        chain.text.setText(text);
        chain.text.rowCount();
        keystrokes.push_back(msSince(t));
        keystrokesCpu.push_back(cpuMs() - cpu);
        if (verbose)
            std::printf("  text \"%s\" %.1f ms, %d rows\n", qPrintable(text), keystrokes.back(), chain.text.rowCount());
    };
    for (int n = 1; n <= typed.size(); ++n)
        type(typed.left(n));
    const int narrowest = chain.text.rowCount();
    for (int n = int(typed.size()) - 1; n >= 0; --n)
        type(typed.left(n));
    type(u"crashloop"_s);
    type(u"crashloop team-3"_s);
    type(QString());
    const Stats k = stats(keystrokes);
    const Stats kc = stats(keystrokesCpu);
    std::printf("keystroke_ms median=%.1f p99=%.1f max=%.1f (%zu keystrokes, narrowest %d rows)\n", k.median, k.p99,
                k.max, keystrokes.size(), narrowest);
    std::printf("keystroke_cpu_ms median=%.1f max=%.1f\n", kc.median, kc.max);

    std::vector<double> selectors;
    for (const QString &s : {u"app=web"_s, u"app in (web,api,cart)"_s, u"tier!=data,version=v2"_s, QString()}) {
        t.restart();
        chain.labels.setSelector(s);
        chain.text.rowCount();
        selectors.push_back(msSince(t));
        if (verbose)
            std::printf("  selector \"%s\" %.1f ms, %d rows\n", qPrintable(s), selectors.back(), chain.text.rowCount());
    }
    const Stats s = stats(selectors);
    std::printf("selector_ms median=%.1f max=%.1f\n", s.median, s.max);

    // The AGE tick over 50,000 rows, through both proxies: the event loop runs nothing else for 3 s.
    const double before = cpuMs();
    QEventLoop idle;
    QTimer::singleShot(3000, &idle, &QEventLoop::quit);
    idle.exec();
    std::printf("tick_cpu_ms_per_s=%.1f (50k rows, idle otherwise)\n", (cpuMs() - before) / 3.0);
}

void benchChurn()
{
    constexpr int Count = 10'000;
    constexpr int PerSecond = 2'000;
    constexpr int BatchesPerSecond = 20;
    constexpr int Seconds = 10;
    constexpr int PerBatch = PerSecond / BatchesPerSecond;
    PodMaker maker(10);
    QList<watch::ObjectRef> pods;
    for (int i = 0; i < Count; ++i)
        pods.append(maker.make(i));

    // Pre-built batches: 70 % modified, 15 % added, 15 % deleted, so the table stays near 10,000 rows.
    std::vector<watch::Batch> batches(size_t(BatchesPerSecond * Seconds));
    std::vector<int> live(static_cast<size_t>(Count));
    for (int i = 0; i < Count; ++i)
        live[size_t(i)] = i;
    int next = Count;
    QRandomGenerator rng(7);
    for (auto &b : batches) {
        b.stream = u"pods"_s;
        for (int c = 0; c < PerBatch; ++c) {
            watch::Change change;
            const int roll = int(rng.bounded(100));
            const size_t pick = rng.bounded(quint32(live.size()));
            if (roll < 15) {
                change.type = watch::ChangeType::Added;
                change.object = maker.make(next);
                live.push_back(next++);
            } else if (roll < 30) {
                change.type = watch::ChangeType::Deleted;
                change.object = maker.make(live[pick]);
                live[pick] = live.back();
                live.pop_back();
            } else {
                change.type = watch::ChangeType::Modified;
                change.object = maker.make(live[pick], int(rng.bounded(5)));
            }
            b.changes.append(change);
        }
    }

    Chain chain;
    chain.text.sort(3, Qt::DescendingOrder); // STATUS
    chain.labels.setSelector(u"tier=front"_s);
    chain.text.setText(u"team"_s);
    watch::Batch relist;
    relist.stream = u"pods"_s;
    relist.reset = true;
    relist.snapshot = pods;
    chain.table.applyBatch(relist);

    std::vector<double> applyMs;
    size_t sent = 0;
    QTimer feed;
    QElapsedTimer t;
    feed.setTimerType(Qt::PreciseTimer);
    QObject::connect(&feed, &QTimer::timeout, [&] {
        if (sent >= batches.size()) {
            feed.stop();
            QCoreApplication::quit();
            return;
        }
        t.restart();
        chain.table.applyBatch(batches[sent++]);
        applyMs.push_back(msSince(t));
    });
    const double cpuBefore = cpuMs();
    QElapsedTimer wall;
    wall.start();
    feed.start(1000 / BatchesPerSecond);
    QCoreApplication::exec();
    const double seconds = double(wall.elapsed()) / 1000.0;
    const double cpu = cpuMs() - cpuBefore;
    double applied = 0;
    for (const double ms : applyMs)
        applied += ms;
    const Stats a = stats(applyMs);
    std::printf("churn rows=%d changes_per_s=%d batches=%zu\n", Count, PerSecond, applyMs.size());
    std::printf("apply_batch_ms median=%.2f p99=%.2f max=%.2f (100 changes, through 2 proxies)\n", a.median, a.p99,
                a.max);
    std::printf("model_cpu_ms_per_s=%.1f apply_only_ms_per_s=%.1f (over %.1f s; rows at end %d, live %d)\n",
                cpu / seconds, applied / seconds, seconds, chain.table.rowCount(), chain.table.liveCount());
}

// Versions of objects as the watch thread decodes them: name, uid and resourceVersion are new strings in each
// version, namespace, kind and apiVersion are shared (the decoder shares values that repeat).
class VersionMaker
{
public:
    watch::ObjectRef make(int serial)
    {
        auto o = std::make_shared<watch::ObjectRecord>();
        o->kind = m_kind;
        o->apiVersion = m_apiVersion;
        o->ns = m_namespaces[size_t(serial) % m_namespaces.size()];
        const QByteArray name = Apps[serial % Apps.size()].toUtf8() + "-5d8f7c9b4-"
                                + QByteArray::number(serial, 36).rightJustified(5, '0');
        o->name = QString::fromUtf8(name);
        o->uid = QString::fromUtf8(uuidOf(serial));
        o->resourceVersion = QString::fromUtf8(QByteArray::number(++m_rv));
        o->object = "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"}}";
        return o;
    }

private:
    static QByteArray uuidOf(int serial)
    {
        QRandomGenerator rng(quint32(serial) + 1);
        quint32 words[4];
        rng.fillRange(words);
        QByteArray bytes(reinterpret_cast<const char *>(words), sizeof words);
        bytes[6] = char((bytes[6] & 0x0f) | 0x40); // version 4, as the API server makes them
        bytes[8] = char((bytes[8] & 0x3f) | 0x80);
        return QUuid::fromRfc4122(bytes).toByteArray(QUuid::WithoutBraces);
    }

    std::vector<QString> m_namespaces{u"shop"_s, u"payments"_s, u"search"_s, u"kube-system"_s, u"monitoring"_s};
    QString m_kind = u"Pod"_s;
    QString m_apiVersion = u"v1"_s;
    qint64 m_rv = 1'000'000;
};

size_t heapBytes()
{
    const struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

// `objects` live objects churned (15 % added, 70 % modified, 15 % deleted), or with 0 every change is a
// MODIFIED of an object seen nowhere else. Batches of 50, the demo's rate per second.
void benchTimelineRun(const char *label, int objects)
{
    constexpr int Count = 100'000;
    constexpr int PerBatch = 50;
    constexpr qint64 T0 = 1'700'000'000'000;
    VersionMaker maker;
    QRandomGenerator rng(3);
    const size_t before = heapBytes();
    model::EventTimelineModel timeline;
    timeline.setObjectRetention(0);
    {
        std::vector<std::pair<int, watch::ObjectRef>> live; // the store: serial and current version
        int serial = 0;
        for (; serial < objects; ++serial)
            live.emplace_back(serial, maker.make(serial));
        for (int i = 0; i < Count; i += PerBatch) {
            watch::Batch b;
            b.stream = u"pods"_s;
            b.sample.timeMs = T0 + i * 20;
            for (int c = 0; c < PerBatch; ++c) {
                watch::Change change;
                change.receivedMs = T0 + (i + c) * 20;
                const int roll = int(rng.bounded(100));
                const size_t pick = live.empty() ? 0 : rng.bounded(quint32(live.size()));
                if (objects == 0) {
                    change.type = watch::ChangeType::Modified;
                    change.previous = maker.make(serial);
                    change.object = maker.make(serial++);
                } else if (roll < 15 || live.empty()) {
                    change.type = watch::ChangeType::Added;
                    change.object = maker.make(serial);
                    live.emplace_back(serial++, change.object);
                } else if (roll < 30) {
                    change.type = watch::ChangeType::Deleted;
                    change.object = live[pick].second;
                    change.previous = live[pick].second;
                    live[pick] = live.back();
                    live.pop_back();
                } else {
                    change.type = watch::ChangeType::Modified;
                    change.previous = live[pick].second;
                    change.object = maker.make(live[pick].first);
                    live[pick].second = change.object;
                }
                b.changes.append(std::move(change));
            }
            timeline.applyBatch(b);
        }
    }
    const size_t after = heapBytes();
    std::printf("timeline_bytes_per_entry=%.1f %s (%d entries, sizeof(TimelineEntry)=%zu)\n",
                double(after - before) / timeline.rowCount(), label, timeline.rowCount(),
                sizeof(model::TimelineEntry));
}

void benchTimeline()
{
    benchTimelineRun("every change a different object", 0);
    benchTimelineRun("2,000 objects churned", 2'000);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // Optional argument: "filter", "churn" or "timeline" runs one part only.
    const QString part = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (part.isEmpty() || part == "filter"_L1)
        benchFiltering();
    if (part.isEmpty() || part == "churn"_L1)
        benchChurn();
    if (part.isEmpty() || part == "timeline"_L1)
        benchTimeline();
    return 0;
}
