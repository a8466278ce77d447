// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "execpath.h"
#include "execprotocol.h"
#include "kubeconfig.h"

#include <QMutex>

#include <chrono>
#include <functional>
#include <optional>
#include <variant>

namespace cw::watch {

// Why no credential came out of the plugin. `message` is meant for the user and never holds a
// credential: the plugin's stdout is never quoted and its stderr is redacted.
struct ExecError
{
    enum class Kind
    {
        NotFound,      // the command is nowhere on the search path; see installHint
        NeedsTerminal, // interactiveMode Always, and a desktop app has no terminal to lend
        StartFailed,   // found but could not be started (permissions, bad interpreter)
        TimedOut,      // still running after the timeout; it was killed
        Failed,        // exited non-zero or crashed; exitCode says which
        BadOutput,     // exited 0 but did not print a usable ExecCredential
    };
    Kind kind = Kind::Failed;
    QString message;     // e.g. `exec plugin "aws" exited with code 255: Error loading SSO Token ...`
    QString installHint; // NotFound: the kubeconfig's installHint, if any
    int exitCode = -1;   // Failed: the exit code, -1 when the plugin crashed
};

struct ExecRunOptions
{
    // Browser-based logins (kubelogin, gcloud) wait for the user; two minutes covers a real login.
    std::chrono::milliseconds timeout = std::chrono::minutes(2);
    std::function<QDateTime()> clock;        // UTC "now"; the system clock when empty
    std::optional<ExecSearchSources> search; // ExecSearchSources::fromEnvironment() when empty
};

// Runs one user's credential plugin and caches what it returns until status.expirationTimestamp (or,
// without one, until invalidate()). get() blocks while the plugin runs, so call it from the watch
// thread, never the GUI thread. Thread-safe: concurrent callers share one plugin run.
class ExecCredentialProvider
{
public:
    ExecCredentialProvider(ExecConfig config, ClusterInfo cluster, ExecRunOptions options = {});
    ExecCredentialProvider(const ExecCredentialProvider &) = delete;
    ExecCredentialProvider &operator=(const ExecCredentialProvider &) = delete;

    // The cached credential while it is fresh, else the result of running the plugin.
    std::variant<ExecCredential, ExecError> get();
    // Forget the cached credential: call once after the server answered 401, then get() again.
    void invalidate();

private:
    std::variant<ExecCredential, ExecError> run() const;
    ExecError error(ExecError::Kind kind, const QString &what) const;
    QDateTime now() const;

    const ExecConfig m_config;
    const ClusterInfo m_cluster;
    const ExecRunOptions m_options;
    const ExecSearchSources m_search;
    QMutex m_mutex; // guards m_cached and serialises plugin runs
    std::optional<ExecCredential> m_cached;
};

} // namespace cw::watch
