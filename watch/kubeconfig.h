// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <optional>
#include <variant>

namespace cw::watch {

// What is wrong with a kubeconfig, precise enough to fix it without reading code. Never carries a
// credential: messages name fields, entries and files, never their values.
struct KubeconfigError
{
    QString file;    // the file to blame; several files joined with ':' when none is to blame alone
    int line = 0;    // 1-based, 0 when not known (e.g. a problem only visible after merging)
    int column = 0;  // 1-based, 0 when not known
    QString entry;   // e.g. `user "dev"`, `clusters[2]`; empty for file-level problems
    QString field;   // e.g. "client-key-data"; empty when no single field is to blame
    QString message; // e.g. `client-key-data is not valid base64`

    // `~/.kube/config:12:7: user "dev": client-key-data is not valid base64`
    QString toString() const;
};

// The server half of a context, ready for a TLS connection.
struct ClusterInfo
{
    QString name;
    QUrl server;                        // scheme, host, port and an optional path prefix
    QByteArray caPem;                   // empty: trust the system store
    bool insecureSkipTlsVerify = false; // honoured; the UI should warn whenever it is set
    QString tlsServerName;              // SNI and verification name when it differs from the host
    QUrl proxyUrl;                      // http, https or socks5; may carry proxy credentials
};

// kubectl refuses plugins that insist on a terminal when there is none, which is always the case here.
enum class ExecInteractiveMode
{
    Never,
    IfAvailable,
    Always
};

// A client-go credential plugin as configured under users[].user.exec.
struct ExecConfig
{
    QString apiVersion; // client.authentication.k8s.io/v1 or /v1beta1
    QString command;    // a bare name is searched for; a path was made absolute like kubectl does
    QStringList args;
    QList<QPair<QString, QString>> env; // added to the app's environment; values may be secrets
    bool provideClusterInfo = false;    // put the cluster into KUBERNETES_EXEC_INFO
    QString installHint;                // shown when the command cannot be found
    ExecInteractiveMode interactiveMode = ExecInteractiveMode::IfAvailable;
};

// The credentials of a context. Like kubectl, a static token, username/password or client certificate
// takes precedence over the exec plugin when both are configured.
struct UserInfo
{
    QString name;      // empty when the context names no user: anonymous, as kubectl allows
    QByteArray token;  // from `token`, or read (trimmed) from tokenFile
    QString tokenFile; // absolute; re-read it when the token is rejected (projected tokens rotate)
    QByteArray clientCertPem, clientKeyPem;
    QString username;
    QByteArray password;
    std::optional<ExecConfig> exec;
};

struct ResolvedContext
{
    QString contextName;
    QString namespaceName; // "default" when the context does not set one
    ClusterInfo cluster;
    UserInfo user;
};

// One or more kubeconfig files merged the way kubectl merges them. Cheap to copy; immutable.
class Kubeconfig
{
public:
    // Files in KUBECONFIG order: missing files are skipped, the first file to define a cluster, user or
    // context name wins it whole, and current-context comes from the first file that sets it.
    static std::variant<Kubeconfig, KubeconfigError> load(const QStringList &files);
    // A file named with --kubeconfig: it must exist.
    static std::variant<Kubeconfig, KubeconfigError> loadFile(const QString &file);
    // --kubeconfig when given, else $KUBECONFIG, else ~/.kube/config.
    static std::variant<Kubeconfig, KubeconfigError> loadDefault(const QString &explicitFile = {});
    // $KUBECONFIG split on ':' (empty parts and repeats dropped), or ~/.kube/config when it is unset.
    static QStringList defaultFiles();

    QStringList files() const;        // the files that were read, in precedence order
    QStringList contextNames() const; // sorted
    QString currentContext() const;

    // The context named by contextOverride (--context) or else current-context, with its cluster and
    // user checked and every referenced file read.
    std::variant<ResolvedContext, KubeconfigError> resolve(const QString &contextOverride = {}) const;

private:
    struct Data;
    explicit Kubeconfig(std::shared_ptr<const Data> data);
    std::shared_ptr<const Data> m_data;
};

} // namespace cw::watch
