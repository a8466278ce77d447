// SPDX-License-Identifier: Apache-2.0
#include "execcredential.h"

#include "redact.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QProcessEnvironment>

namespace cw::watch {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

// Refresh a little before the plugin's expiry so a request never leaves with a token that dies in
// flight, and so small clock differences between the plugin and us do not matter.
constexpr auto refreshMargin = 10s;
// How long a killed plugin gets to go away before we stop waiting for it.
constexpr int killGraceMs = 2000;

// Env values whose names say they are secret are cut out of anything the plugin prints on stderr.
bool nameLooksSecret(const QString &name)
{
    const QString upper = name.toUpper();
    for (const auto word : {"TOKEN"_L1, "SECRET"_L1, "PASSWORD"_L1, "PASSWD"_L1, "KEY"_L1, "CREDENTIAL"_L1,
                            "AUTH"_L1, "SESSION"_L1}) {
        if (upper.contains(word))
            return true;
    }
    return false;
}

} // namespace

ExecCredentialProvider::ExecCredentialProvider(ExecConfig config, ClusterInfo cluster, ExecRunOptions options)
    : m_config(std::move(config)), m_cluster(std::move(cluster)), m_options(std::move(options)),
      m_search(m_options.search ? *m_options.search : ExecSearchSources::fromEnvironment())
{}

QDateTime ExecCredentialProvider::now() const
{
    return m_options.clock ? m_options.clock() : QDateTime::currentDateTimeUtc();
}

std::variant<ExecCredential, ExecError> ExecCredentialProvider::get()
{
    const QMutexLocker lock(&m_mutex);
    if (m_cached) {
        const QDateTime &expiry = m_cached->expiry;
        if (!expiry.isValid() || now() < expiry.addSecs(-std::chrono::seconds(refreshMargin).count()))
            return *m_cached;
        m_cached.reset();
    }
    auto result = run();
    if (const auto *credential = std::get_if<ExecCredential>(&result))
        m_cached = *credential;
    return result;
}

void ExecCredentialProvider::invalidate()
{
    const QMutexLocker lock(&m_mutex);
    m_cached.reset();
}

ExecError ExecCredentialProvider::error(ExecError::Kind kind, const QString &what) const
{
    ExecError e;
    e.kind = kind;
    e.message = u"exec plugin \""_s % m_config.command % u"\" "_s % what;
    return e;
}

std::variant<ExecCredential, ExecError> ExecCredentialProvider::run() const
{
    if (m_config.interactiveMode == ExecInteractiveMode::Always) {
        return error(ExecError::Kind::NeedsTerminal,
                     u"needs a terminal (interactiveMode: Always), which a desktop app cannot give it; "
                     "set interactiveMode to IfAvailable or log in from a terminal first"_s);
    }

    const QString program = findExecutable(m_config.command, m_search);
    if (program.isEmpty()) {
        QString what = m_config.command.contains(u'/')
                           ? u"does not exist or is not executable"_s
                           : u"was not found on PATH, on your login shell's PATH or in the usual install "
                             "folders"_s;
        if (!m_config.installHint.isEmpty())
            what += u"\n\n"_s % m_config.installHint.trimmed();
        ExecError e = error(ExecError::Kind::NotFound, what);
        e.installHint = m_config.installHint.trimmed();
        return e;
    }

    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    QList<QByteArray> secrets;
    for (const auto &[name, value] : m_config.env) {
        environment.insert(name, value);
        if (nameLooksSecret(name))
            secrets.append(value.toUtf8());
    }
    environment.insert(u"KUBERNETES_EXEC_INFO"_s, QString::fromUtf8(execInfoJson(m_config, m_cluster)));
    // A plugin found outside PATH usually runs tools from the same places (gcloud, az, aws).
    if (!m_config.command.contains(u'/') && findOnPath(m_config.command, m_search.path).isEmpty())
        environment.insert(u"PATH"_s, execSearchDirs(m_search).join(QDir::listSeparator()));

    QProcess process;
    process.setProcessEnvironment(environment);
    process.setStandardInputFile(QProcess::nullDevice()); // never interactive: there is no terminal
    QElapsedTimer elapsed;
    elapsed.start();
    process.start(program, m_config.args);
    const auto timeoutMs = m_options.timeout.count();
    if (!process.waitForStarted(int(timeoutMs)))
        return error(ExecError::Kind::StartFailed, u"could not be started: "_s % process.errorString());
    if (!process.waitForFinished(int(std::max<qint64>(1, timeoutMs - elapsed.elapsed())))) {
        process.kill();
        process.waitForFinished(killGraceMs);
        return error(ExecError::Kind::TimedOut, u"did not finish within "_s %
                                                    QString::number(double(timeoutMs) / 1000.0) %
                                                    u" s and was stopped"_s);
    }

    const QByteArray output = process.readAllStandardOutput();
    const QByteArray errors = process.readAllStandardError();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        secrets += secretsInExecOutput(output);
        const QString detail = summarizeStderr(errors, secrets);
        const bool crashed = process.exitStatus() != QProcess::NormalExit;
        ExecError e =
            error(ExecError::Kind::Failed,
                  (crashed ? u"crashed"_s : u"exited with code "_s % QString::number(process.exitCode())) %
                      (detail.isEmpty() ? u" without saying why"_s : u": "_s % detail));
        e.exitCode = crashed ? -1 : process.exitCode();
        return e;
    }

    auto parsed = parseExecCredential(output, m_config.apiVersion);
    if (const auto *problem = std::get_if<QString>(&parsed))
        return error(ExecError::Kind::BadOutput, *problem);
    return std::get<ExecCredential>(std::move(parsed));
}

} // namespace cw::watch
