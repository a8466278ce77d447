// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>

// Finding credential plugins (aws, gke-gcloud-auth-plugin, kubelogin...) when the app was started from a
// desktop menu: such a session often has a minimal PATH without the folders the user's shell adds.
namespace cw::watch {

// Where to look, in order: PATH, then the login shell's PATH (asked lazily, since it costs a process),
// then well-known install folders under `home` and the system.
struct ExecSearchSources
{
    QString path;                            // like $PATH: ':'-separated
    std::function<QString()> loginShellPath; // may be empty; called at most once per lookup
    QString home;

    // $PATH, the cached answer of loginShellPath() and the user's home directory.
    static ExecSearchSources fromEnvironment();
};

// The absolute path of `command`, or an empty string when it is nowhere to be found. A command that
// contains a '/' is taken as a path and only checked.
QString findExecutable(const QString &command, const ExecSearchSources &sources);
QString findExecutable(const QString &command); // with ExecSearchSources::fromEnvironment()

// `command` looked up in a ':'-separated PATH only; empty when it is not there or contains a '/'.
QString findOnPath(const QString &command, const QString &path);

// Every existing folder of the search, in order, without repeats: the PATH to give a plugin that was
// found outside PATH, so that the tools it runs itself (gcloud, az...) are found too.
QStringList execSearchDirs(const ExecSearchSources &sources);

// Folders plugins are commonly installed into that a desktop session's PATH tends to miss.
QStringList wellKnownExecDirs(const QString &home);

// Runs `shell -l -c 'printf %s "$PATH"'` with no input and returns the PATH it prints (the last line,
// since profile scripts may print banners), or an empty string on failure or after `timeout`.
QString queryLoginShellPath(const QString &shell, std::chrono::milliseconds timeout);

// queryLoginShellPath($SHELL) run once per process and remembered: it costs a shell start-up.
QString loginShellPath();

} // namespace cw::watch
