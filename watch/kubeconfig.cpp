// SPDX-License-Identifier: Apache-2.0
#include "kubeconfig.h"

#include "kubeconfigfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace cw::watch {

using namespace Qt::StringLiterals;
using detail::ClusterEntry;
using detail::ContextEntry;
using detail::Origin;
using detail::UserEntry;

struct Kubeconfig::Data
{
    QStringList requested; // what we were asked to read, for "nothing found" messages
    QStringList files;     // what existed and was read, in precedence order
    QMap<QString, ClusterEntry> clusters;
    QMap<QString, UserEntry> users;
    QMap<QString, ContextEntry> contexts;
    QString currentContext;
    QString currentContextFile;
    detail::Position currentContextAt;
};

namespace {

constexpr auto execV1 = "client.authentication.k8s.io/v1"_L1;
constexpr auto execV1beta1 = "client.authentication.k8s.io/v1beta1"_L1;

QString quoted(const QString &name)
{
    return u'"' % name % u'"';
}

// Users recognise their files by the short form they typed.
QString displayPath(const QString &path)
{
    const QString home = QDir::homePath();
    if (!home.isEmpty() && home != "/"_L1 && path.startsWith(home % u'/'))
        return u'~' % path.mid(home.size());
    return path;
}

KubeconfigError errorAt(const Origin &origin, const QString &entry, const QString &field,
                        const QString &message)
{
    const detail::Position at = origin.where(field);
    return KubeconfigError{origin.file, at.line, at.column, entry, field, message};
}

std::variant<QByteArray, QString> readWhole(const QString &path)
{
    if (QFileInfo(path).isDir())
        return u"it is a directory"_s;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return file.errorString();
    return file.readAll();
}

bool looksLikePem(const QByteArray &data)
{
    return data.contains("-----BEGIN ");
}

// Same rule kubectl applies to a context's namespace (DNS-1123 label).
bool isDnsLabel(const QString &name)
{
    if (name.isEmpty() || name.size() > 63)
        return false;
    for (const QChar c : name) {
        if (!(c.isDigit() || (c >= u'a' && c <= u'z') || c == u'-'))
            return false;
    }
    return name.front() != u'-' && name.back() != u'-';
}

struct PemSource
{
    QString dataField;
    QString fileField;
    QByteArray data;
    QString file;
};

// Reads PEM either inline (already decoded) or from a file; kubectl refuses when both are set.
std::variant<QByteArray, KubeconfigError> loadPem(const PemSource &source, const Origin &origin,
                                                  const QString &entry, const QString &what)
{
    if (!source.data.isEmpty() && !source.file.isEmpty()) {
        return errorAt(origin, entry, source.dataField,
                       source.dataField % u" and "_s % source.fileField % u" are both set; keep one"_s);
    }
    QByteArray pem = source.data;
    QString field = source.dataField;
    if (!source.file.isEmpty()) {
        field = source.fileField;
        auto read = readWhole(source.file);
        if (auto *reason = std::get_if<QString>(&read)) {
            return errorAt(origin, entry, field,
                           field % u' ' % quoted(displayPath(source.file)) % u" cannot be read: "_s %
                               *reason);
        }
        pem = std::get<QByteArray>(std::move(read));
    }
    if (!pem.isEmpty() && !looksLikePem(pem))
        return errorAt(origin, entry, field, field % u" does not contain a PEM "_s % what);
    return pem;
}

} // namespace

QString KubeconfigError::toString() const
{
    QString where = displayPath(file);
    if (line > 0) {
        where += u':' % QString::number(line);
        if (column > 0)
            where += u':' % QString::number(column);
    }
    return where % u": "_s % (entry.isEmpty() ? message : entry % u": "_s % message);
}

Kubeconfig::Kubeconfig(std::shared_ptr<const Data> data) : m_data(std::move(data)) {}

QStringList Kubeconfig::defaultFiles()
{
    const QString env = qEnvironmentVariable("KUBECONFIG");
    if (env.isEmpty())
        return {QDir::homePath() % u"/.kube/config"_s};
    QStringList files;
    for (const QString &part : env.split(QDir::listSeparator(), Qt::SkipEmptyParts)) {
        if (!files.contains(part))
            files.append(part);
    }
    return files;
}

std::variant<Kubeconfig, KubeconfigError> Kubeconfig::load(const QStringList &files)
{
    auto data = std::make_shared<Data>();
    data->requested = files;
    for (const QString &path : files) {
        if (path.isEmpty() || !QFileInfo::exists(path))
            continue; // KUBECONFIG may list files that do not exist yet; kubectl skips them too
        auto content = readWhole(path);
        if (auto *reason = std::get_if<QString>(&content))
            return KubeconfigError{path, 0, 0, {}, {}, u"cannot be read: "_s % *reason};
        auto parsed = detail::parseKubeconfig(path, std::get<QByteArray>(content));
        if (auto *error = std::get_if<KubeconfigError>(&parsed))
            return *error;
        const auto &file = std::get<detail::KubeconfigFile>(parsed);
        data->files.append(path);
        // The first file to define a name keeps the whole entry; later files never patch fields into it.
        for (auto it = file.clusters.cbegin(); it != file.clusters.cend(); ++it) {
            if (!data->clusters.contains(it.key()))
                data->clusters.insert(it.key(), it.value());
        }
        for (auto it = file.users.cbegin(); it != file.users.cend(); ++it) {
            if (!data->users.contains(it.key()))
                data->users.insert(it.key(), it.value());
        }
        for (auto it = file.contexts.cbegin(); it != file.contexts.cend(); ++it) {
            if (!data->contexts.contains(it.key()))
                data->contexts.insert(it.key(), it.value());
        }
        if (data->currentContext.isEmpty() && !file.currentContext.isEmpty()) {
            data->currentContext = file.currentContext;
            data->currentContextFile = path;
            data->currentContextAt = file.currentContextAt;
        }
    }
    return Kubeconfig(std::move(data));
}

std::variant<Kubeconfig, KubeconfigError> Kubeconfig::loadFile(const QString &file)
{
    if (!QFileInfo::exists(file))
        return KubeconfigError{file, 0, 0, {}, {}, u"does not exist"_s};
    return load({file});
}

std::variant<Kubeconfig, KubeconfigError> Kubeconfig::loadDefault(const QString &explicitFile)
{
    return explicitFile.isEmpty() ? load(defaultFiles()) : loadFile(explicitFile);
}

QStringList Kubeconfig::files() const
{
    return m_data->files;
}

QStringList Kubeconfig::contextNames() const
{
    return m_data->contexts.keys();
}

QString Kubeconfig::currentContext() const
{
    return m_data->currentContext;
}

namespace {

std::variant<ClusterInfo, KubeconfigError> resolveCluster(const QString &name, const ClusterEntry &c,
                                                          bool userHasCert)
{
    const QString entry = u"cluster "_s % quoted(name);
    ClusterInfo info;
    info.name = name;
    info.insecureSkipTlsVerify = c.insecure;
    info.tlsServerName = c.tlsServerName;

    auto ca = loadPem({u"certificate-authority-data"_s, u"certificate-authority"_s, c.caData, c.caFile},
                      c.origin, entry, u"certificate"_s);
    if (auto *error = std::get_if<KubeconfigError>(&ca))
        return *error;
    info.caPem = std::get<QByteArray>(std::move(ca));
    if (c.insecure && !info.caPem.isEmpty()) {
        return errorAt(c.origin, entry, u"insecure-skip-tls-verify"_s,
                       u"insecure-skip-tls-verify cannot be combined with a certificate authority "
                       "(kubectl refuses this too); remove one of them"_s);
    }

    if (c.server.isEmpty())
        return errorAt(c.origin, entry, u"server"_s, u"server is not set"_s);
    QString server = c.server;
    // A bare host:port gets https when anything TLS is configured, else http (client-go's rule).
    if (!server.contains("://"_L1))
        server.prepend(!info.caPem.isEmpty() || c.insecure || userHasCert ? u"https://"_s : u"http://"_s);
    info.server = QUrl(server, QUrl::StrictMode);
    if (!info.server.isValid() || info.server.host().isEmpty())
        return errorAt(c.origin, entry, u"server"_s, u"server is not a valid URL"_s);
    if (info.server.scheme() != "https"_L1 && info.server.scheme() != "http"_L1)
        return errorAt(c.origin, entry, u"server"_s, u"server must be an https:// or http:// URL"_s);

    if (!c.proxyUrl.isEmpty()) {
        info.proxyUrl = QUrl(c.proxyUrl, QUrl::StrictMode);
        const QString scheme = info.proxyUrl.scheme();
        if (!info.proxyUrl.isValid() || info.proxyUrl.host().isEmpty())
            return errorAt(c.origin, entry, u"proxy-url"_s, u"proxy-url is not a valid URL"_s);
        if (scheme != "http"_L1 && scheme != "https"_L1 && scheme != "socks5"_L1)
            return errorAt(c.origin, entry, u"proxy-url"_s, u"proxy-url must use http, https or socks5"_s);
    }
    return info;
}

std::variant<ExecConfig, KubeconfigError> resolveExec(const detail::ExecEntry &e, const Origin &origin,
                                                      const QString &entry)
{
    const QString field = u"exec"_s;
    ExecConfig exec;
    if (e.command.isEmpty())
        return errorAt(origin, entry, field, u"exec.command is not set"_s);
    if (e.apiVersion.isEmpty())
        return errorAt(origin, entry, field, u"exec.apiVersion is not set"_s);
    if (e.apiVersion != execV1 && e.apiVersion != execV1beta1) {
        return errorAt(origin, entry, field,
                       u"exec.apiVersion "_s % quoted(e.apiVersion) % u" is not supported; use "_s % execV1 %
                           u" or "_s % execV1beta1);
    }
    if (e.interactiveMode == "Never"_L1) {
        exec.interactiveMode = ExecInteractiveMode::Never;
    } else if (e.interactiveMode == "IfAvailable"_L1) {
        exec.interactiveMode = ExecInteractiveMode::IfAvailable;
    } else if (e.interactiveMode == "Always"_L1) {
        exec.interactiveMode = ExecInteractiveMode::Always;
    } else if (!e.interactiveMode.isEmpty()) {
        return errorAt(origin, entry, field,
                       u"exec.interactiveMode "_s % quoted(e.interactiveMode) %
                           u" is not one of Never, IfAvailable or Always"_s);
    } else if (e.apiVersion == execV1) {
        // v1beta1 defaults it to IfAvailable; v1 makes it mandatory, and kubectl rejects the user.
        return errorAt(origin, entry, field,
                       u"exec.interactiveMode must be set (Never, IfAvailable or Always) for "_s % execV1);
    }
    exec.apiVersion = e.apiVersion;
    exec.command = e.command;
    exec.args = e.args;
    exec.env = e.env;
    exec.provideClusterInfo = e.provideClusterInfo;
    exec.installHint = e.installHint;
    return exec;
}

std::variant<UserInfo, KubeconfigError> resolveUser(const QString &name, const UserEntry &u)
{
    const QString entry = u"user "_s % quoted(name);
    UserInfo info;
    info.name = name;

    if (!u.authProvider.isEmpty()) {
        QString advice = u"use an exec credential plugin instead"_s;
        if (u.authProvider == "gcp"_L1)
            advice = u"use the gke-gcloud-auth-plugin exec plugin instead"_s;
        else if (u.authProvider == "azure"_L1)
            advice = u"use kubelogin (convert-kubeconfig) instead"_s;
        return errorAt(u.origin, entry, u"auth-provider"_s,
                       u"auth-provider "_s % quoted(u.authProvider) % u" is not supported; "_s % advice);
    }
    if (!u.impersonation.isEmpty()) {
        return errorAt(u.origin, entry, u.impersonation,
                       u.impersonation % u" (impersonation) is not supported yet"_s);
    }
    if (!u.token.isEmpty() && (!u.username.isEmpty() || !u.password.isEmpty())) {
        return errorAt(u.origin, entry, u"token"_s,
                       u"token and username/password are both set; kubectl allows only one"_s);
    }

    const bool hasCert = !u.certData.isEmpty() || !u.certFile.isEmpty();
    const bool hasKey = !u.keyData.isEmpty() || !u.keyFile.isEmpty();
    if (hasCert && !hasKey) {
        return errorAt(u.origin, entry,
                       u.certFile.isEmpty() ? u"client-certificate-data"_s : u"client-certificate"_s,
                       u"a client certificate is set but client-key-data or client-key is not"_s);
    }
    if (hasKey && !hasCert) {
        return errorAt(u.origin, entry, u.keyFile.isEmpty() ? u"client-key-data"_s : u"client-key"_s,
                       u"a client key is set but client-certificate-data or client-certificate is not"_s);
    }
    auto cert = loadPem({u"client-certificate-data"_s, u"client-certificate"_s, u.certData, u.certFile},
                        u.origin, entry, u"certificate"_s);
    if (auto *error = std::get_if<KubeconfigError>(&cert))
        return *error;
    info.clientCertPem = std::get<QByteArray>(std::move(cert));
    auto key = loadPem({u"client-key-data"_s, u"client-key"_s, u.keyData, u.keyFile}, u.origin, entry,
                       u"private key"_s);
    if (auto *error = std::get_if<KubeconfigError>(&key))
        return *error;
    info.clientKeyPem = std::get<QByteArray>(std::move(key));

    info.token = u.token;
    info.tokenFile = u.tokenFile;
    // Like kubectl, an inline token wins and the file is only read when there is none.
    if (info.token.isEmpty() && !u.tokenFile.isEmpty()) {
        auto read = readWhole(u.tokenFile);
        if (auto *reason = std::get_if<QString>(&read)) {
            return errorAt(u.origin, entry, u"tokenFile"_s,
                           u"tokenFile "_s % quoted(displayPath(u.tokenFile)) % u" cannot be read: "_s %
                               *reason);
        }
        info.token = std::get<QByteArray>(read).trimmed();
        if (info.token.isEmpty()) {
            return errorAt(u.origin, entry, u"tokenFile"_s,
                           u"tokenFile "_s % quoted(displayPath(u.tokenFile)) % u" is empty"_s);
        }
    }
    info.username = u.username;
    info.password = u.password;

    if (u.exec) {
        auto exec = resolveExec(*u.exec, u.origin, entry);
        if (auto *error = std::get_if<KubeconfigError>(&exec))
            return *error;
        info.exec = std::get<ExecConfig>(std::move(exec));
    }
    return info;
}

} // namespace

std::variant<ResolvedContext, KubeconfigError> Kubeconfig::resolve(const QString &contextOverride) const
{
    const Data &d = *m_data;
    const QString allFiles = (d.files.isEmpty() ? d.requested : d.files).join(QDir::listSeparator());
    if (d.files.isEmpty())
        return KubeconfigError{allFiles, 0, 0, {}, {}, u"no kubeconfig file was found"_s};

    const QString name = contextOverride.isEmpty() ? d.currentContext : contextOverride;
    if (name.isEmpty())
        return KubeconfigError{allFiles, 0, 0, {}, {}, u"current-context is not set; choose a context"_s};
    const auto contextIt = d.contexts.constFind(name);
    if (contextIt == d.contexts.cend()) {
        if (!contextOverride.isEmpty())
            return KubeconfigError{allFiles, 0,  0,
                                   {},       {}, u"context "_s % quoted(name) % u" is not defined"_s};
        return KubeconfigError{
            d.currentContextFile,
            d.currentContextAt.line,
            d.currentContextAt.column,
            {},
            u"current-context"_s,
            u"current-context names context "_s % quoted(name) % u" which is not defined"_s};
    }
    const ContextEntry &context = contextIt.value();
    const QString entry = u"context "_s % quoted(name);

    if (context.cluster.isEmpty())
        return errorAt(context.origin, entry, u"cluster"_s, u"cluster is not set"_s);
    const auto clusterIt = d.clusters.constFind(context.cluster);
    if (clusterIt == d.clusters.cend()) {
        return errorAt(context.origin, entry, u"cluster"_s,
                       u"names cluster "_s % quoted(context.cluster) % u" which is not defined"_s);
    }
    // No user at all is anonymous access, as kubectl allows (e.g. a context for `kubectl proxy`); a user
    // that is named but missing is a mistake.
    const auto userIt = d.users.constFind(context.user);
    if (!context.user.isEmpty() && userIt == d.users.cend()) {
        return errorAt(context.origin, entry, u"user"_s,
                       u"names user "_s % quoted(context.user) % u" which is not defined"_s);
    }
    if (!context.namespaceName.isEmpty() && !isDnsLabel(context.namespaceName)) {
        return errorAt(context.origin, entry, u"namespace"_s,
                       u"namespace "_s % quoted(context.namespaceName) %
                           u" is not a valid name (lower-case letters, digits and '-', at most 63)"_s);
    }

    std::variant<UserInfo, KubeconfigError> user;
    if (!context.user.isEmpty())
        user = resolveUser(context.user, userIt.value());
    if (auto *error = std::get_if<KubeconfigError>(&user))
        return *error;
    const UserInfo &userInfo = std::get<UserInfo>(user);
    auto cluster = resolveCluster(context.cluster, clusterIt.value(), !userInfo.clientCertPem.isEmpty());
    if (auto *error = std::get_if<KubeconfigError>(&cluster))
        return *error;

    ResolvedContext resolved;
    resolved.contextName = name;
    resolved.namespaceName = context.namespaceName.isEmpty() ? u"default"_s : context.namespaceName;
    resolved.cluster = std::get<ClusterInfo>(std::move(cluster));
    resolved.user = std::get<UserInfo>(std::move(user));
    return resolved;
}

} // namespace cw::watch
