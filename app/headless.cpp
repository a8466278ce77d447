// SPDX-License-Identifier: Apache-2.0
#include "headless.h"

#include "apiclient.h"
#include "kubeconfig.h"
#include "outputs.h"
#include "session.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSocketNotifier>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace cw::app {

namespace {

// Whether a live status line (tty mode) is on screen and must be cleared before other output. Atomic:
// Qt's and the engine's log messages reach printError() from the watch thread too.
std::atomic<bool> g_statusShown = false;
// Write end of the self-pipe; the signal handler does nothing but write one byte to it.
int g_signalWriteFd = -1;

extern "C" void onTerminationSignal(int signal)
{
    const int savedErrno = errno;
    const char byte = char(signal);
    [[maybe_unused]] const ssize_t written = ::write(g_signalWriteFd, &byte, 1);
    errno = savedErrno;
}

void writeStderr(const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

// Words for a typed engine error, on one line; `message` never holds a credential (watch/'s contract).
QString describe(const watch::StreamError &e)
{
    QString text = e.message.isEmpty() ? e.reason : e.message;
    if (e.httpCode > 0) {
        const QString status = e.reason.isEmpty() ? QString::number(e.httpCode)
                                                  : QString::number(e.httpCode) + u' ' + e.reason;
        text = u"HTTP "_s + status + (text.isEmpty() || text == e.reason ? QString() : u": "_s + text);
    }
    return text.isEmpty() ? u"unknown error"_s : text;
}

int exitCodeFor(const watch::StreamError &e)
{
    using Kind = watch::StreamError::Kind;
    // Config at run time means credentials could not be had (exec plugin, token file): an auth failure.
    if (e.kind == Kind::Auth || e.kind == Kind::Forbidden || e.kind == Kind::Config || e.httpCode == 401
        || e.httpCode == 403)
        return ExitAuth;
    if (e.kind == Kind::Invalid) // a selector the server rejects is a usage error
        return ExitUsage;
    return ExitFailure;
}

QString authWords(const watch::StreamError &e)
{
    if (e.kind == watch::StreamError::Kind::Forbidden || e.httpCode == 403)
        return u"not authorized"_s;
    if (e.kind == watch::StreamError::Kind::Config)
        return u"no credentials"_s;
    return u"authentication failed"_s;
}

// QTimer counts in int milliseconds: 2,000,000 s (23 days) stays well inside.
bool validSeconds(const QString &text, double *seconds)
{
    bool ok = false;
    *seconds = text.toDouble(&ok);
    return ok && std::isfinite(*seconds) && *seconds > 0 && *seconds <= 2'000'000;
}

int toMs(double seconds)
{
    return int(std::ceil(seconds * 1000));
}

} // namespace

HeadlessRun::HeadlessRun(const WatchOptions &options, watch::ResolvedContext context)
    : m_options(options)
    , m_context(std::move(context))
    , m_tty(::isatty(STDERR_FILENO) == 1)
{
}

HeadlessRun::~HeadlessRun() = default;

int HeadlessRun::exec()
{
    if (!openOutputs())
        return ExitUsage;
    watch::SessionOptions sessionOptions;
    sessionOptions.keepManagedFields = m_options.keepManagedFields;
    m_session = std::make_unique<watch::ClusterSession>(m_context, sessionOptions);
    QObject::connect(m_session.get(), &watch::ClusterSession::discovered, &m_guard,
                     [this](const QList<watch::ApiResource> &resources,
                            const std::optional<watch::StreamError> &error) { onDiscovered(resources, error); });
    QObject::connect(m_session.get(), &watch::ClusterSession::batchReady, &m_guard,
                     [this](const watch::Batch &batch) { onBatch(batch); });
    QObject::connect(m_session.get(), &watch::ClusterSession::streamFinished, &m_guard,
                     [this](const QString &stream, const std::optional<watch::StreamError> &error) {
                         onStreamFinished(stream, error);
                     });
    for (QTimer *timer : {&m_connectTimer, &m_durationTimer, &m_retryTimer, &m_graceTimer}) {
        timer->setSingleShot(true);
        timer->setTimerType(Qt::PreciseTimer);
    }
    QObject::connect(&m_connectTimer, &QTimer::timeout, &m_guard, [this] { onConnectTimeout(); });
    QObject::connect(&m_durationTimer, &QTimer::timeout, &m_guard, [this] { shutdown(ExitOk); });
    QObject::connect(&m_retryTimer, &QTimer::timeout, &m_guard, [this] { m_session->discover(); });
    QObject::connect(&m_graceTimer, &QTimer::timeout, &m_guard, [this] { finish(); });
    QObject::connect(&m_statusTimer, &QTimer::timeout, &m_guard, [this] { showStatus(); });
    installSignalHandlers();

    // Start inside the event loop, so that every exit path can end it.
    QTimer::singleShot(0, &m_guard, [this] {
        m_connectTimer.start(toMs(m_options.connectTimeoutSec));
        m_rateClock.start();
        m_statusTimer.start(m_tty ? 1000 : 5000);
        m_session->discover();
    });
    QCoreApplication::exec();
    QObject::disconnect(m_session.get(), nullptr, &m_guard, nullptr); // the outputs are closed
    m_session.reset(); // stops whatever is left and joins the watch thread
    return m_exitCode;
}

bool HeadlessRun::openOutputs()
{
    QString error;
    if (!m_options.eventsOut.isEmpty() && !m_events.open(m_options.eventsOut, &error)) {
        printError(u"cannot write --events-out "_s + m_options.eventsOut + u": "_s + error);
        return false;
    }
    if (!m_options.healthOut.isEmpty() && !m_health.open(m_options.healthOut, &error)) {
        printError(u"cannot write --health-out "_s + m_options.healthOut + u": "_s + error);
        return false;
    }
    if (!m_options.storeOut.isEmpty()) {
        // Written only at exit: find out now, not after an hour of watching, that it cannot be.
        const QFileInfo dir(QFileInfo(m_options.storeOut).absolutePath());
        if (!dir.isDir() || !dir.isWritable()) {
            printError(u"cannot write --store-out "_s + m_options.storeOut + u": directory "_s
                       + QDir::toNativeSeparators(dir.filePath()) + u" is not writable"_s);
            return false;
        }
    }
    return true;
}

void HeadlessRun::installSignalHandlers()
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        printError(u"cannot create the signal pipe; SIGINT/SIGTERM will end the process without flushing"_s);
        return;
    }
    g_signalWriteFd = fds[1];
    m_signalNotifier = std::make_unique<QSocketNotifier>(fds[0], QSocketNotifier::Read);
    QObject::connect(m_signalNotifier.get(), &QSocketNotifier::activated, &m_guard, [this, fd = fds[0]] {
        char bytes[16];
        while (::read(fd, bytes, sizeof bytes) > 0) {
        }
        // A second signal while draining means "now".
        if (m_shuttingDown)
            finish();
        else
            shutdown(ExitOk);
    });
    struct sigaction action = {};
    action.sa_handler = onTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    // A reader of our stderr going away must not kill the process before it flushes its files.
    std::signal(SIGPIPE, SIG_IGN);
}

void HeadlessRun::onDiscovered(const QList<watch::ApiResource> &resources, const std::optional<watch::StreamError> &error)
{
    if (m_shuttingDown || m_connected)
        return;
    if (error) {
        if (exitCodeFor(*error) == ExitAuth) {
            printError(authWords(*error) + u" for context \""_s + m_context.contextName
                       + u"\" during discovery: "_s + describe(*error));
            shutdown(ExitAuth);
            return;
        }
        // Anything else may pass (a server starting, a network coming up) until --connect-timeout.
        m_lastConnectError = describe(*error);
        m_retryTimer.start(1000);
        return;
    }
    m_connected = true;
    m_connectTimer.stop();
    QList<watch::ApiResource> chosen;
    bool bad = false;
    for (const QString &name : std::as_const(m_options.resources)) {
        QString why;
        const std::optional<watch::ApiResource> api = watch::resolveResource(resources, name, &why);
        if (!api) {
            printError(u"resource \""_s + name + u"\": "_s
                       + (why.isEmpty() ? u"the server doesn't have a resource type \""_s + name + u'"' : why));
            bad = true;
        } else if (!api->verbs.isEmpty()
                   && (!api->verbs.contains("list"_L1) || !api->verbs.contains("watch"_L1))) {
            printError(u"resource \""_s + name + u"\" ("_s + api->groupResource()
                       + u") cannot be listed and watched"_s);
            bad = true;
        } else {
            chosen.append(*api);
        }
    }
    if (bad) {
        shutdown(ExitUsage);
        return;
    }
    for (const watch::ApiResource &api : std::as_const(chosen)) {
        watch::ResourceSpec spec;
        spec.api = api;
        // Like kubectl: the context's namespace unless -n or -A; cluster-scoped resources have none.
        if (api.namespaced && !m_options.allNamespaces)
            spec.ns = m_options.ns.isEmpty() ? m_context.namespaceName : m_options.ns;
        spec.labelSelector = m_options.labelSelector;
        spec.fieldSelector = m_options.fieldSelector;
        const QString id = m_session->watch(spec);
        if (!m_streams.contains(id))
            m_streams.insert(id, StreamInfo{api.groupResource()});
    }
    if (m_options.durationSec)
        m_durationTimer.start(toMs(*m_options.durationSec));
}

void HeadlessRun::onConnectTimeout()
{
    if (m_connected || m_shuttingDown)
        return;
    const QString server = m_context.cluster.server.toDisplayString(QUrl::RemoveUserInfo);
    printError(u"cluster \""_s + m_context.cluster.name + u"\" at "_s + server + u" (context \""_s
               + m_context.contextName + u"\") did not answer within "_s
               + QString::number(m_options.connectTimeoutSec) + u" s"_s
               + (m_lastConnectError.isEmpty() ? QString() : u": "_s + m_lastConnectError));
    shutdown(ExitUnreachable);
}

void HeadlessRun::onBatch(const watch::Batch &batch)
{
    const auto it = m_streams.find(batch.stream);
    const QString resource = it != m_streams.end() ? it->resource : batch.stream;
    m_events.write(m_context.contextName, resource, batch.changes);
    m_health.write(m_context.contextName, batch.health, batch.gaps);
    m_store.apply(resource, batch);
    m_eventsSinceTick += batch.changes.size();
    if (it != m_streams.end()) {
        for (const watch::HealthEvent &event : batch.health) {
            it->state = event.state;
            it->reconnects = event.reconnects;
            it->gaps = event.gaps;
        }
    }
    checkOutput(m_events.file(), u"--events-out"_s);
    checkOutput(m_health.file(), u"--health-out"_s);
}

void HeadlessRun::checkOutput(const LineFile &file, const QString &option)
{
    if (file.error().isEmpty() || m_reportedOutputs.contains(option))
        return;
    m_reportedOutputs.append(option);
    printError(u"cannot write "_s + option + u' ' + file.path() + u": "_s + file.error());
}

void HeadlessRun::onStreamFinished(const QString &stream, const std::optional<watch::StreamError> &error)
{
    const auto it = m_streams.find(stream);
    if (it == m_streams.end() || it->finished)
        return;
    it->finished = true;
    if (!m_shuttingDown && error) {
        const int code = exitCodeFor(*error);
        const QString what = code == ExitAuth ? authWords(*error) : code == ExitUsage ? u"rejected"_s : u"failed"_s;
        printError(it->resource + u" (stream "_s + stream + u", context \""_s + m_context.contextName
                   + u"\"): "_s + what + u": "_s + describe(*error));
        m_failureCode = std::max(m_failureCode, code == ExitAuth ? ExitAuth : code);
        if (code == ExitAuth) { // the other streams would fail the same way
            shutdown(ExitAuth);
            return;
        }
    }
    const bool allDone = std::all_of(m_streams.cbegin(), m_streams.cend(),
                                     [](const StreamInfo &info) { return info.finished; });
    if (!allDone)
        return;
    if (m_shuttingDown)
        finish();
    else
        shutdown(m_failureCode);
}

void HeadlessRun::shutdown(int code)
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    m_exitCode = code;
    m_connectTimer.stop();
    m_durationTimer.stop();
    m_retryTimer.stop();
    const bool active = std::any_of(m_streams.cbegin(), m_streams.cend(),
                                    [](const StreamInfo &info) { return !info.finished; });
    if (!active) {
        finish();
        return;
    }
    // Let each stream deliver its last batch (streamFinished comes after it), but never hang on it.
    m_session->stopAll();
    m_graceTimer.start(3000);
}

void HeadlessRun::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_graceTimer.stop();
    m_statusTimer.stop();
    if (!m_options.storeOut.isEmpty()) {
        QString error;
        if (!m_store.save(m_options.storeOut, m_options.showSecrets, &error)) {
            printError(u"cannot write --store-out "_s + m_options.storeOut + u": "_s + error);
            m_reportedOutputs.append(u"--store-out"_s);
        }
    }
    m_events.file().close();
    m_health.file().close();
    // The final counts stay on screen (and in the log) when there were any.
    if (!m_streams.isEmpty())
        showStatus(true);
    if (m_tty && g_statusShown.exchange(false))
        writeStderr("\n");
    if (m_exitCode == ExitOk && !m_reportedOutputs.isEmpty())
        m_exitCode = ExitFailure;
    QCoreApplication::exit(m_exitCode);
}

void HeadlessRun::showStatus(bool final)
{
    const double seconds = std::max<qint64>(1, m_rateClock.restart()) / 1000.0;
    const double rate = double(m_eventsSinceTick) / seconds;
    m_eventsSinceTick = 0;
    QString text;
    if (!m_connected) {
        text = u"connecting to "_s + m_context.cluster.server.toDisplayString(QUrl::RemoveUserInfo)
               + (m_lastConnectError.isEmpty() ? QString() : u" ("_s + m_lastConnectError + u')');
    } else {
        qint64 live = 0, reconnects = 0, gaps = 0;
        for (const StreamInfo &info : std::as_const(m_streams)) {
            live += info.state == watch::StreamState::Live ? 1 : 0;
            reconnects += info.reconnects;
            gaps += info.gaps;
        }
        // At the end every stream is stopped: "0/2 live" would read like a failure.
        const QString streams = final ? QString::number(m_streams.size())
                                      : QString::number(live) + u'/' + QString::number(m_streams.size()) + u" live"_s;
        text = u"streams "_s + streams + u", objects "_s + QString::number(m_store.objectCount()) + u", events/s "_s
               + QString::number(rate, 'f', 1) + u", reconnects "_s + QString::number(reconnects)
               + u", gaps "_s + QString::number(gaps);
    }
    if (m_tty) {
        // Rewritten in place; cut to the terminal's width, since a wrapped line could not be rewritten.
        winsize size{};
        const int columns = ::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1 ? size.ws_col - 1 : 79;
        writeStderr("\r\x1b[K" + text.left(columns).toUtf8());
        g_statusShown = true;
    } else {
        writeStderr(rfc3339(QDateTime::currentMSecsSinceEpoch()).toUtf8() + ' ' + text.toUtf8() + '\n');
    }
}

QString watchHelpText()
{
    return uR"(Usage: clusterwatch watch [options] RESOURCE...

Lists and watches Kubernetes resources without a window, recovering from disconnects and
expired resourceVersions like the desktop app, and writes what it saw to files.
RESOURCE: plural, singular or short name or kind as kubectl accepts them (pods, po,
deployments.apps, ...). Each one is a stream.

Options:
  --kubeconfig FILE        kubeconfig (default: $KUBECONFIG, else ~/.kube/config)
  --context NAME           context (default: the current-context)
  -n, --namespace NS       namespace (default: the context's); cluster-scoped resources ignore it
  -A, --all-namespaces     all namespaces
  -l, --selector SELECTOR  label selector, e.g. app=web,tier!=db
  --field-selector S       field selector, e.g. status.phase=Running
  --duration SECONDS       stop after watching this long (from when the cluster answered);
                           default: until SIGINT or SIGTERM
  --connect-timeout SECONDS  exit 4 if the cluster does not answer at start (default 30)
  --events-out FILE        every watch event received or recovered, one JSON object per line;
                           a FILE ending in .csv gives CSV (RFC 4180, header row)
  --health-out FILE        every stream health event and gap, one JSON object per line
  --store-out FILE         at exit, every watched object as a JSON array
  --keep-managed-fields    keep metadata.managedFields (dropped by default)
  --show-secrets           do not mask Secret values
  -h, --help               this help

Event fields: time (received, RFC 3339 UTC with ms), cluster (context name), resource
(group-resource: pods, deployments.apps), type (ADDED/MODIFIED/DELETED; the initial list is
ADDED), namespace, name, uid, resourceVersion, recovered (true: found by a relist after a gap),
reason (why that relist happened, else empty).
Health lines: {time, cluster, stream, state, reason, detail, counters {bytes, events,
reconnects, relists, gaps, stalls, errors, backoffMs}, lastResourceVersion, httpCode}, and
{"gap": {cluster, stream, start, end, cause, added, modified, deleted}} per possible miss.
Store: each object's full JSON (kind and apiVersion included), sorted by namespace then name,
written whole at exit.
Events and health are written as they arrive: a killed process loses nothing it received.
Secret data/stringData values are "***" unless --show-secrets. Credentials are never output.
Stderr: a status line (streams, objects, events/s, reconnects, gaps), rewritten in place on a
terminal, else every 5 s; errors as single lines starting with "clusterwatch: ".
The engine's own diagnostics are off; QT_LOGGING_RULES='clusterwatch.*=true' turns them on.

Exit codes:
  0  normal end: --duration elapsed, or SIGINT/SIGTERM
  1  a stream stopped for another reason, or an output could not be written
  2  usage error: options, kubeconfig, context, resource name or selector
  3  authentication/authorization failure: HTTP 401/403 from discovery or a stream, or
     the credential (exec) plugin failed
  4  the cluster did not answer within --connect-timeout at start
)"_s;
}

ParseResult parseWatchArguments(const QStringList &args)
{
    ParseResult result;
    const auto usage = [&result](const QString &message) {
        result.exitCode = ExitUsage;
        result.error = message + u" (see clusterwatch watch --help)"_s;
        return result;
    };
    QCommandLineParser parser;
    const QCommandLineOption kubeconfig(u"kubeconfig"_s, {}, u"FILE"_s);
    const QCommandLineOption context(u"context"_s, {}, u"NAME"_s);
    const QCommandLineOption ns({u"n"_s, u"namespace"_s}, {}, u"NS"_s);
    const QCommandLineOption all(QStringList{u"A"_s, u"all-namespaces"_s});
    const QCommandLineOption selector({u"l"_s, u"selector"_s}, {}, u"SELECTOR"_s);
    const QCommandLineOption fieldSelector(u"field-selector"_s, {}, u"S"_s);
    const QCommandLineOption duration(u"duration"_s, {}, u"SECONDS"_s);
    const QCommandLineOption connectTimeout(u"connect-timeout"_s, {}, u"SECONDS"_s);
    const QCommandLineOption eventsOut(u"events-out"_s, {}, u"FILE"_s);
    const QCommandLineOption healthOut(u"health-out"_s, {}, u"FILE"_s);
    const QCommandLineOption storeOut(u"store-out"_s, {}, u"FILE"_s);
    const QCommandLineOption keepManaged(u"keep-managed-fields"_s);
    const QCommandLineOption showSecrets(u"show-secrets"_s);
    const QCommandLineOption help(QStringList{u"h"_s, u"help"_s});
    parser.addOptions({kubeconfig, context, ns, all, selector, fieldSelector, duration, connectTimeout, eventsOut,
                       healthOut, storeOut, keepManaged, showSecrets, help});
    if (!parser.parse(QStringList{u"clusterwatch watch"_s} + args))
        return usage(u"watch: "_s + parser.errorText());
    if (parser.isSet(help)) {
        result.out = watchHelpText();
        return result;
    }
    WatchOptions o;
    o.kubeconfig = parser.value(kubeconfig);
    o.context = parser.value(context);
    o.ns = parser.value(ns);
    o.allNamespaces = parser.isSet(all);
    o.labelSelector = parser.value(selector);
    o.fieldSelector = parser.value(fieldSelector);
    o.eventsOut = parser.value(eventsOut);
    o.healthOut = parser.value(healthOut);
    o.storeOut = parser.value(storeOut);
    o.keepManagedFields = parser.isSet(keepManaged);
    o.showSecrets = parser.isSet(showSecrets);
    o.resources = parser.positionalArguments();
    for (const QCommandLineOption *option : {&kubeconfig, &context, &ns, &eventsOut, &healthOut, &storeOut}) {
        if (parser.isSet(*option) && parser.value(*option).isEmpty())
            return usage(u"watch: --"_s + option->names().constLast() + u" needs a non-empty value"_s);
    }
    if (o.allNamespaces && parser.isSet(ns))
        return usage(u"watch: -n/--namespace and -A/--all-namespaces exclude each other"_s);
    if (parser.isSet(duration)) {
        double seconds = 0;
        if (!validSeconds(parser.value(duration), &seconds))
            return usage(u"watch: --duration must be a number of seconds in (0, 2000000], not \""_s
                         + parser.value(duration) + u'"');
        o.durationSec = seconds;
    }
    if (parser.isSet(connectTimeout) && !validSeconds(parser.value(connectTimeout), &o.connectTimeoutSec))
        return usage(u"watch: --connect-timeout must be a number of seconds in (0, 2000000], not \""_s
                     + parser.value(connectTimeout) + u'"');
    QStringList seen;
    for (const QString &path : {o.eventsOut, o.healthOut, o.storeOut}) {
        if (path.isEmpty())
            continue;
        const QString absolute = QFileInfo(path).absoluteFilePath();
        if (seen.contains(absolute))
            return usage(u"watch: two outputs name the same file "_s + path);
        seen.append(absolute);
    }
    if (o.resources.isEmpty())
        return usage(u"watch: name at least one RESOURCE to watch, e.g. pods"_s);
    result.options = std::move(o);
    return result;
}

void printError(const QString &message)
{
    QString line = message;
    line.replace(u'\n', u' ');
    line.replace(u'\r', u' ');
    // One write, so that lines from two threads never interleave.
    const QByteArray clear = g_statusShown.exchange(false) ? QByteArray("\r\x1b[K") : QByteArray();
    writeStderr(clear + "clusterwatch: " + line.toUtf8() + '\n');
}

int runWatch(const WatchOptions &options)
{
    const auto loaded = watch::Kubeconfig::loadDefault(options.kubeconfig);
    if (const auto *error = std::get_if<watch::KubeconfigError>(&loaded)) {
        printError(error->toString());
        return ExitUsage;
    }
    const auto resolved = std::get<watch::Kubeconfig>(loaded).resolve(options.context);
    if (const auto *error = std::get_if<watch::KubeconfigError>(&resolved)) {
        printError(error->toString());
        return ExitUsage;
    }
    HeadlessRun run(options, std::get<watch::ResolvedContext>(resolved));
    return run.exec();
}

} // namespace cw::app
