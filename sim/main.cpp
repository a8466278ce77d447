// SPDX-License-Identifier: Apache-2.0
// clusterwatch-sim: a simulated Kubernetes API server with churn and fault injection.
#include "simserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <csignal>
#include <cstdio>

using namespace cw::sim;

namespace {

void quitOnSignal(int)
{
    QCoreApplication::quit();
}

int intOption(const QCommandLineParser &parser, const QString &name, int fallback, bool *ok)
{
    if (!parser.isSet(name))
        return fallback;
    bool valid = false;
    const int value = parser.value(name).toInt(&valid);
    if (!valid || value < 0) {
        std::fprintf(stderr, "clusterwatch-sim: --%s needs a whole number, not \"%s\"\n", qPrintable(name),
                     qPrintable(parser.value(name)));
        *ok = false;
    }
    return value;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("clusterwatch-sim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CLUSTERWATCH_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "A simulated Kubernetes API server on 127.0.0.1: a lively demo cluster with churn, and every fault real "
        "clusters inflict on watchers, on demand or on a seeded schedule."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("port"), QStringLiteral("Port on 127.0.0.1 (default: ephemeral)."), QStringLiteral("PORT")},
        {QStringLiteral("http"), QStringLiteral("Serve plain HTTP instead of HTTPS.")},
        {QStringLiteral("kubeconfig-out"), QStringLiteral("Write a kubeconfig for this server to PATH."), QStringLiteral("PATH")},
        {QStringLiteral("ca-cert"), QStringLiteral("Issue certificates from this CA certificate (PEM)."), QStringLiteral("PATH")},
        {QStringLiteral("ca-key"), QStringLiteral("Key of --ca-cert (PEM)."), QStringLiteral("PATH")},
        {QStringLiteral("token"), QStringLiteral("Admin bearer token (default: random; see the kubeconfig)."), QStringLiteral("TOKEN")},
        {QStringLiteral("control-token"), QStringLiteral("Token for the control API /sim/v1 (default: $CLUSTERWATCH_SIM_CONTROL_TOKEN or random)."), QStringLiteral("TOKEN")},
        {QStringLiteral("namespaces"), QStringLiteral("Application namespaces (default 4)."), QStringLiteral("N")},
        {QStringLiteral("nodes"), QStringLiteral("Nodes (default 5)."), QStringLiteral("N")},
        {QStringLiteral("pods"), QStringLiteral("Pods (default 200)."), QStringLiteral("N")},
        {QStringLiteral("deployments"), QStringLiteral("Deployments (default: from --pods)."), QStringLiteral("N")},
        {QStringLiteral("services"), QStringLiteral("Services (default: from --pods)."), QStringLiteral("N")},
        {QStringLiteral("configmaps"), QStringLiteral("ConfigMaps (default: from --pods)."), QStringLiteral("N")},
        {QStringLiteral("secrets"), QStringLiteral("Secrets (default: from --pods)."), QStringLiteral("N")},
        {QStringLiteral("seed"), QStringLiteral("Seed for the cluster content and churn (default 1)."), QStringLiteral("N")},
        {QStringLiteral("no-churn"), QStringLiteral("Serve a static cluster.")},
        {QStringLiteral("pod-changes"), QStringLiteral("Pod lifecycle changes per second (default 4)."), QStringLiteral("RATE")},
        {QStringLiteral("event-ttl"), QStringLiteral("Seconds an Event lives after its last occurrence (default 3600)."), QStringLiteral("S")},
        {QStringLiteral("warm-up"), QStringLiteral("Seconds of churn simulated before serving (default 0)."), QStringLiteral("S")},
        {QStringLiteral("bookmark-interval"), QStringLiteral("Seconds between watch bookmarks (default 60)."), QStringLiteral("S")},
        {QStringLiteral("min-request-timeout"), QStringLiteral("Watch deadline without timeoutSeconds: random in [S, 2S) (default 1800)."), QStringLiteral("S")},
        {QStringLiteral("history-window"), QStringLiteral("Seconds of watch history kept (default 75)."), QStringLiteral("S")},
        {QStringLiteral("history-capacity"), QStringLiteral("Most events kept in watch history (default 100000)."), QStringLiteral("N")},
        {QStringLiteral("compaction-interval"), QStringLiteral("Seconds between compactions (default 300)."), QStringLiteral("S")},
        {QStringLiteral("old-server"), QStringLiteral("Behave like a server without WatchList: sendInitialEvents answers 422.")},
        {QStringLiteral("faults"), QStringLiteral("Inject faults on a schedule: comma-separated kinds, or \"all\". Kinds: ")
                                       + [] { QStringList n; for (FaultKind k : allFaultKinds()) n << faultKindName(k); return n.join(QStringLiteral(", ")); }(),
         QStringLiteral("KINDS")},
        {QStringLiteral("fault-interval"), QStringLiteral("Mean seconds between scheduled faults (default 30)."), QStringLiteral("S")},
        {QStringLiteral("fault-seed"), QStringLiteral("Seed of the fault schedule (default 1)."), QStringLiteral("N")},
    });
    parser.process(app);

    SimConfig config;
    bool ok = true;
    config.port = quint16(intOption(parser, QStringLiteral("port"), 0, &ok));
    config.tls = !parser.isSet(QStringLiteral("http"));
    config.caCertFile = parser.value(QStringLiteral("ca-cert"));
    config.caKeyFile = parser.value(QStringLiteral("ca-key"));
    if (config.caCertFile.isEmpty() != config.caKeyFile.isEmpty()) {
        std::fprintf(stderr, "clusterwatch-sim: --ca-cert and --ca-key go together\n");
        return 2;
    }
    config.adminToken = parser.value(QStringLiteral("token")).toUtf8();
    config.controlToken = parser.isSet(QStringLiteral("control-token")) ? parser.value(QStringLiteral("control-token")).toUtf8()
                                                                         : qgetenv("CLUSTERWATCH_SIM_CONTROL_TOKEN");
    config.shape.namespaces = intOption(parser, QStringLiteral("namespaces"), config.shape.namespaces, &ok);
    config.shape.nodes = intOption(parser, QStringLiteral("nodes"), config.shape.nodes, &ok);
    config.shape.pods = intOption(parser, QStringLiteral("pods"), config.shape.pods, &ok);
    config.shape.deployments = intOption(parser, QStringLiteral("deployments"), config.shape.deployments, &ok);
    config.shape.services = intOption(parser, QStringLiteral("services"), config.shape.services, &ok);
    config.shape.configmaps = intOption(parser, QStringLiteral("configmaps"), config.shape.configmaps, &ok);
    config.shape.secrets = intOption(parser, QStringLiteral("secrets"), config.shape.secrets, &ok);
    const int seed = intOption(parser, QStringLiteral("seed"), 1, &ok);
    config.shape.seed = quint32(seed);
    config.churnConfig.seed = quint32(seed);
    config.churn = !parser.isSet(QStringLiteral("no-churn"));
    if (parser.isSet(QStringLiteral("pod-changes")))
        config.churnConfig.podChangesPerSecond = parser.value(QStringLiteral("pod-changes")).toDouble();
    config.churnConfig.eventTtlSeconds = intOption(parser, QStringLiteral("event-ttl"), config.churnConfig.eventTtlSeconds, &ok);
    config.churnConfig.warmUpSeconds = intOption(parser, QStringLiteral("warm-up"), 0, &ok);
    config.api.bookmarkIntervalMs = intOption(parser, QStringLiteral("bookmark-interval"), 60, &ok) * 1000;
    config.api.minRequestTimeoutSec = intOption(parser, QStringLiteral("min-request-timeout"), 1800, &ok);
    config.api.watchList = !parser.isSet(QStringLiteral("old-server"));
    config.historyWindowSec = intOption(parser, QStringLiteral("history-window"), config.historyWindowSec, &ok);
    config.historyCapacity = intOption(parser, QStringLiteral("history-capacity"), config.historyCapacity, &ok);
    config.compactionIntervalSec = intOption(parser, QStringLiteral("compaction-interval"), config.compactionIntervalSec, &ok);
    if (parser.isSet(QStringLiteral("faults"))) {
        const QString kinds = parser.value(QStringLiteral("faults"));
        if (kinds == QLatin1String("all")) {
            config.scheduleKinds = allFaultKinds();
        } else {
            for (const QString &name : kinds.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                const auto kind = faultKindFromName(name.trimmed());
                if (!kind) {
                    std::fprintf(stderr, "clusterwatch-sim: unknown fault kind \"%s\"\n", qPrintable(name));
                    return 2;
                }
                config.scheduleKinds << *kind;
            }
        }
    }
    if (parser.isSet(QStringLiteral("fault-interval")))
        config.scheduleMeanIntervalSec = parser.value(QStringLiteral("fault-interval")).toDouble();
    config.scheduleSeed = quint32(intOption(parser, QStringLiteral("fault-seed"), 1, &ok));
    if (!ok)
        return 2;

    SimServer server(config);
    QString error;
    if (!server.start(&error)) {
        std::fprintf(stderr, "clusterwatch-sim: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("clusterwatch-sim listening on %s\n", qPrintable(server.url().toString()));
    if (parser.isSet(QStringLiteral("kubeconfig-out"))) {
        if (!server.writeKubeconfig(parser.value(QStringLiteral("kubeconfig-out")), &error)) {
            std::fprintf(stderr, "clusterwatch-sim: cannot write kubeconfig: %s\n", qPrintable(error));
            return 1;
        }
        std::printf("kubeconfig written to %s\n", qPrintable(parser.value(QStringLiteral("kubeconfig-out"))));
    }
    std::fflush(stdout);
    std::signal(SIGINT, quitOnSignal);
    std::signal(SIGTERM, quitOnSignal);
    return app.exec();
}
