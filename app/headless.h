// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "kubeconfig.h"
#include "outputs.h"
#include "watchtypes.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <memory>
#include <optional>

class QSocketNotifier;
namespace cw::watch {
class ClusterSession;
}

// `clusterwatch watch`: the engine without a window, for scripts, CI and soak tests.
namespace cw::app {

// Documented in --help; scripts depend on them.
enum ExitCode : int {
    ExitOk = 0,
    ExitFailure = 1,     // a stream failed for another reason, or an output file could not be written
    ExitUsage = 2,       // bad command line, kubeconfig, context or resource name
    ExitAuth = 3,        // 401/403 from discovery or a stream, or the credential plugin failed
    ExitUnreachable = 4, // no answer from the cluster within --connect-timeout
};

struct WatchOptions
{
    QString kubeconfig;
    QString context;
    QString ns;                 // -n; empty: the context's namespace
    bool allNamespaces = false; // -A
    QString labelSelector;
    QString fieldSelector;
    std::optional<double> durationSec; // none: until a signal
    double connectTimeoutSec = 30;
    QString eventsOut;
    QString healthOut;
    QString storeOut;
    bool keepManagedFields = false;
    bool showSecrets = false;
    QStringList resources;
};

struct ParseResult
{
    std::optional<WatchOptions> options; // set: run it
    int exitCode = ExitOk;               // otherwise: exit with this
    QString out;                         // for stdout (--help)
    QString error;                       // for stderr, without the "clusterwatch: " prefix
};

// `args` are what follows "watch" on the command line.
ParseResult parseWatchArguments(const QStringList &args);
QString watchHelpText();

// Runs the headless mode to its end and returns the exit code. Needs a QCoreApplication.
int runWatch(const WatchOptions &options);

// One run of the headless mode: discovery (retried until --connect-timeout), one stream per resource,
// every batch to the outputs as it arrives, and an orderly end on --duration, a signal or a fatal error.
class HeadlessRun
{
public:
    HeadlessRun(const WatchOptions &options, watch::ResolvedContext context);
    ~HeadlessRun();
    // Runs the event loop until the end; returns the exit code.
    int exec();

private:
    struct StreamInfo
    {
        QString resource; // group-resource, as the outputs name it
        watch::StreamState state = watch::StreamState::Connecting;
        qint64 reconnects = 0;
        qint64 gaps = 0;
        bool finished = false;
    };

    bool openOutputs();
    void installSignalHandlers();
    void onDiscovered(const QList<watch::ApiResource> &resources, const std::optional<watch::StreamError> &error);
    void onConnectTimeout();
    void onBatch(const watch::Batch &batch);
    void checkOutput(const LineFile &file, const QString &option);
    void onStreamFinished(const QString &stream, const std::optional<watch::StreamError> &error);
    // Stops the streams and lets them deliver their last batches; the first exit code wins.
    void shutdown(int code);
    // Flushes and writes the outputs, then ends the event loop.
    void finish();
    void showStatus(bool final = false);

    const WatchOptions m_options;
    const watch::ResolvedContext m_context;
    const bool m_tty;
    QObject m_guard; // context of every connection: nothing fires into a half-destroyed run
    std::unique_ptr<watch::ClusterSession> m_session;
    std::unique_ptr<QSocketNotifier> m_signalNotifier;
    EventWriter m_events;
    HealthWriter m_health;
    StoreWriter m_store;
    QHash<QString, StreamInfo> m_streams;
    QTimer m_connectTimer;  // --connect-timeout, until discovery answers
    QTimer m_durationTimer; // --duration, from when discovery answered
    QTimer m_retryTimer;    // discovery retries until --connect-timeout
    QTimer m_graceTimer;    // bounds the wait for the streams' last batches
    QTimer m_statusTimer;
    QElapsedTimer m_rateClock;
    qint64 m_eventsSinceTick = 0;
    QString m_lastConnectError;
    QStringList m_reportedOutputs; // outputs that failed, reported once each
    bool m_connected = false;
    bool m_shuttingDown = false;
    bool m_finished = false;
    int m_exitCode = ExitOk;
    int m_failureCode = ExitOk;
};

// One error line on stderr, "clusterwatch: <message>", clear of any live status line.
void printError(const QString &message);

} // namespace cw::app
