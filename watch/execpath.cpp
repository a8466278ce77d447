// SPDX-License-Identifier: Apache-2.0
#include "execpath.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>

namespace cw::watch {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

// Long enough for a heavy zsh/fish profile, short enough that a shell waiting on something never
// holds up the first connection for long.
constexpr auto loginShellTimeout = 3s;

QStringList splitPath(const QString &path)
{
    QStringList dirs;
    for (const QString &dir : path.split(QDir::listSeparator(), Qt::SkipEmptyParts)) {
        // Relative PATH entries would depend on the app's working directory; skip them like Go 1.19+ does.
        if (QDir::isAbsolutePath(dir))
            dirs.append(dir);
    }
    return dirs;
}

bool isExecutableFile(const QString &path)
{
    const QFileInfo info(path);
    return info.isFile() && info.isExecutable();
}

QString findIn(const QString &command, const QStringList &dirs)
{
    for (const QString &dir : dirs) {
        const QString candidate = QDir(dir).filePath(command);
        if (isExecutableFile(candidate))
            return QDir::cleanPath(candidate);
    }
    return {};
}

} // namespace

ExecSearchSources ExecSearchSources::fromEnvironment()
{
    return {qEnvironmentVariable("PATH"), &cw::watch::loginShellPath, QDir::homePath()};
}

QStringList wellKnownExecDirs(const QString &home)
{
    QStringList dirs;
    if (!home.isEmpty()) {
        for (const auto sub :
             {"/.local/bin"_L1, "/bin"_L1, "/google-cloud-sdk/bin"_L1, "/.krew/bin"_L1, "/go/bin"_L1,
              "/.asdf/shims"_L1, "/.local/share/mise/shims"_L1, "/.nix-profile/bin"_L1, "/.pyenv/shims"_L1,
              "/.linkerd2/bin"_L1, "/.cargo/bin"_L1})
            dirs.append(home % sub);
    }
    dirs << u"/usr/local/bin"_s << u"/opt/homebrew/bin"_s << u"/home/linuxbrew/.linuxbrew/bin"_s
         << u"/usr/lib/google-cloud-sdk/bin"_s << u"/snap/bin"_s << u"/nix/var/nix/profiles/default/bin"_s
         << u"/usr/bin"_s << u"/bin"_s;
    return dirs;
}

QString findOnPath(const QString &command, const QString &path)
{
    return command.isEmpty() || command.contains(u'/') ? QString() : findIn(command, splitPath(path));
}

QString findExecutable(const QString &command, const ExecSearchSources &sources)
{
    if (command.isEmpty())
        return {};
    if (command.contains(u'/')) {
        const QString absolute = QFileInfo(command).absoluteFilePath();
        return isExecutableFile(absolute) ? QDir::cleanPath(absolute) : QString();
    }
    if (QString found = findOnPath(command, sources.path); !found.isEmpty())
        return found;
    if (sources.loginShellPath) {
        if (QString found = findIn(command, splitPath(sources.loginShellPath())); !found.isEmpty())
            return found;
    }
    return findIn(command, wellKnownExecDirs(sources.home));
}

QString findExecutable(const QString &command)
{
    return findExecutable(command, ExecSearchSources::fromEnvironment());
}

QStringList execSearchDirs(const ExecSearchSources &sources)
{
    QStringList all = splitPath(sources.path);
    if (sources.loginShellPath)
        all += splitPath(sources.loginShellPath());
    all += wellKnownExecDirs(sources.home);
    QStringList dirs;
    for (const QString &dir : std::as_const(all)) {
        const QString clean = QDir::cleanPath(dir);
        if (!dirs.contains(clean) && QFileInfo(clean).isDir())
            dirs.append(clean);
    }
    return dirs;
}

QString queryLoginShellPath(const QString &shell, std::chrono::milliseconds timeout)
{
    if (shell.isEmpty() || !QDir::isAbsolutePath(shell) || !isExecutableFile(shell))
        return {};
    QProcess process;
    process.setStandardInputFile(QProcess::nullDevice()); // a profile that prompts must not hang us
    process.setStandardErrorFile(QProcess::nullDevice());
    process.start(shell, {u"-l"_s, u"-c"_s, u"printf %s \"$PATH\""_s});
    if (!process.waitForStarted(int(timeout.count())))
        return {};
    if (!process.waitForFinished(int(timeout.count()))) {
        process.kill();
        process.waitForFinished(1000);
        return {};
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return {};
    const QString output = QString::fromLocal8Bit(process.readAllStandardOutput());
    const QString path = output.mid(output.lastIndexOf(u'\n') + 1).trimmed();
    return path.contains(u'/') ? path : QString();
}

QString loginShellPath()
{
    // Thread-safe one-time initialisation; later callers wait for the first query to finish.
    static const QString path = queryLoginShellPath(qEnvironmentVariable("SHELL"), loginShellTimeout);
    return path;
}

} // namespace cw::watch
