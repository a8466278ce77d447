// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "kubeconfig.h"

#include <QHash>
#include <QMap>

// One kubeconfig file as written, before merging: the YAML is checked for shape and types, base64 is
// decoded and relative paths are made absolute, but nothing is read from other files yet. Like kubectl,
// a context's references and files are only checked when that context is used.
namespace cw::watch::detail {

struct Position
{
    int line = 0; // 1-based; 0 = unknown
    int column = 0;
};

// Where an entry was defined, so that errors found after merging still name the right file and line.
struct Origin
{
    QString file;
    Position at;                     // the entry itself
    QHash<QString, Position> fields; // the fields it sets, by kubeconfig key

    Position where(const QString &field) const { return fields.value(field, at); }
};

struct ClusterEntry
{
    Origin origin;
    QString server;
    QString caFile; // absolute
    QByteArray caData;
    bool insecure = false;
    QString tlsServerName;
    QString proxyUrl;
};

struct ExecEntry
{
    QString apiVersion;
    QString command; // absolute when it contained a '/'
    QStringList args;
    QList<QPair<QString, QString>> env;
    bool provideClusterInfo = false;
    QString installHint;
    QString interactiveMode;
};

struct UserEntry
{
    Origin origin;
    QByteArray token;
    QString tokenFile; // absolute
    QString certFile;  // absolute
    QByteArray certData;
    QString keyFile; // absolute
    QByteArray keyData;
    QString username;
    QByteArray password;
    std::optional<ExecEntry> exec;
    QString authProvider;  // legacy auth-provider name; not supported, reported when used
    QString impersonation; // the first impersonation key set; not supported, reported when used
};

struct ContextEntry
{
    Origin origin;
    QString cluster;
    QString user;
    QString namespaceName;
};

struct KubeconfigFile
{
    QString path;
    QMap<QString, ClusterEntry> clusters;
    QMap<QString, UserEntry> users;
    QMap<QString, ContextEntry> contexts;
    QString currentContext;
    Position currentContextAt;
};

// `path` is used for messages and to resolve relative paths; `yaml` is the file's content.
std::variant<KubeconfigFile, KubeconfigError> parseKubeconfig(const QString &path, const QByteArray &yaml);

} // namespace cw::watch::detail
