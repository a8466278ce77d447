// SPDX-License-Identifier: Apache-2.0
#include "simserver.h"

#include "discovery.h"
#include "watchstream.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSslSocket>

#include <cmath>
#include <cstdio>

namespace cw::sim {

namespace {

QByteArray randomToken()
{
    QByteArray bytes(24, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// Constant-time comparison: tokens are secrets.
bool sameToken(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size() || a.isEmpty())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

bool isDiscoveryPath(const QString &path)
{
    const QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (parts.isEmpty())
        return true;
    if (parts[0] == QLatin1String("api"))
        return parts.size() <= 2;
    if (parts[0] == QLatin1String("apis"))
        return parts.size() <= 3;
    return parts[0] == QLatin1String("version") || parts[0] == QLatin1String("openapi")
           || parts[0] == QLatin1String("healthz") || parts[0] == QLatin1String("livez")
           || parts[0] == QLatin1String("readyz");
}

} // namespace

SimServer::SimServer(SimConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_scheduleRandom(m_config.scheduleSeed)
{
    for (QByteArray *token : {&m_config.adminToken, &m_config.viewerToken, &m_config.noAccessToken, &m_config.controlToken}) {
        if (token->isEmpty())
            *token = randomToken();
    }
    m_store.setHistoryLimits(size_t(m_config.historyCapacity), m_config.historyWindowSec);
    m_store.setCompactionInterval(m_config.compactionIntervalSec);
    m_api = std::make_unique<ResourceApi>(&m_store, m_config.api);
    connect(m_api.get(), &ResourceApi::watchStarted, this, [this](WatchStream *stream) {
        m_streams.removeIf([](const QPointer<WatchStream> &s) { return s.isNull() || !s->isActive(); });
        m_streams.append(stream);
    });
    connect(&m_listener, &Listener::accepted, this, &SimServer::accept);
    m_maintenance.setInterval(1000);
    connect(&m_maintenance, &QTimer::timeout, &m_store, &Store::maintain);
    m_scheduleTimer.setSingleShot(true);
    connect(&m_scheduleTimer, &QTimer::timeout, this, [this] {
        const FaultKind kind = m_config.scheduleKinds.at(int(m_scheduleRandom.bounded(quint32(m_config.scheduleKinds.size()))));
        injectFault(FaultSpec::withDefaults(kind));
        scheduleNextFault();
    });
}

SimServer::~SimServer()
{
    m_churn.reset();
    for (const auto &c : std::as_const(m_connections)) {
        if (c)
            c->disconnect(this);
    }
}

bool SimServer::listen(QString *error)
{
    if (!m_listener.listen(QHostAddress::LocalHost, m_port ? m_port : m_config.port)) {
        *error = QStringLiteral("cannot listen on 127.0.0.1:") + QString::number(m_port ? m_port : m_config.port)
                 + QStringLiteral(": ") + m_listener.errorString();
        return false;
    }
    m_port = m_listener.serverPort();
    return true;
}

bool SimServer::start(QString *error)
{
    if (m_config.tls) {
        const auto pki = m_config.caCertFile.isEmpty() ? pki::generate(error)
                                                       : pki::fromCaFiles(m_config.caCertFile, m_config.caKeyFile, error);
        if (!pki)
            return false;
        m_pki = *pki;
        const auto cert = pki::issueClientCert(m_pki, QStringLiteral("clusterwatch-admin"),
                                               {QStringLiteral("system:masters")}, error);
        if (!cert)
            return false;
        m_adminCert = *cert;
    }
    populate(m_store, m_config.shape);
    if (!listen(error))
        return false;
    m_maintenance.start();
    if (m_config.churn) {
        m_churn = std::make_unique<Churn>(m_store, m_config.churnConfig);
        // A warm-up takes seconds: whoever waits for start() (the app's UI thread, for the demo) does not
        // wait for it; requests arriving meanwhile are answered once it is done.
        if (m_config.churnConfig.warmUpSeconds > 0)
            QTimer::singleShot(0, m_churn.get(), &Churn::start);
        else
            m_churn->start();
    }
    if (!m_config.scheduleKinds.isEmpty())
        scheduleNextFault();
    return true;
}

void SimServer::setChurnEnabled(bool enabled)
{
    if (enabled && !m_churn) {
        m_churn = std::make_unique<Churn>(m_store, m_config.churnConfig);
        m_churn->start();
    } else if (!enabled && m_churn) {
        m_churn->stop();
        m_churn.reset();
    }
}

QUrl SimServer::url() const
{
    QUrl url;
    url.setScheme(m_config.tls ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_port);
    return url;
}

void SimServer::accept(qintptr descriptor)
{
    QTcpSocket *socket = nullptr;
    if (m_config.tls) {
        auto *ssl = new QSslSocket;
        if (!ssl->setSocketDescriptor(descriptor)) {
            delete ssl;
            return;
        }
        ssl->setSslConfiguration(pki::serverConfiguration(m_pki));
        ssl->startServerEncryption();
        socket = ssl;
    } else {
        socket = new QTcpSocket;
        // Unbuffered: writes go straight to the kernel when nothing is queued, saving a copy of every
        // watch byte (the streaming benchmark's hot path).
        if (!socket->setSocketDescriptor(descriptor, QAbstractSocket::ConnectedState,
                                         QIODevice::ReadWrite | QIODevice::Unbuffered)) {
            delete socket;
            return;
        }
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    auto *connection = new HttpConnection(socket, this);
    connection->setHandler([this](HttpConnection *c, const HttpRequest &r) { dispatch(c, r); });
    m_connections.removeIf([](const QPointer<HttpConnection> &c) { return c.isNull(); });
    m_connections.append(connection);
}

std::optional<Identity> SimServer::authenticate(const HttpRequest &request) const
{
    const QByteArray authorization = request.header("authorization");
    if (authorization.startsWith("Bearer ")) {
        const QByteArray token = authorization.mid(7).trimmed();
        if (sameToken(token, m_config.adminToken))
            return Identity{QStringLiteral("clusterwatch-admin"), {QStringLiteral("system:masters")}, Access::Admin};
        if (sameToken(token, m_config.viewerToken))
            return Identity{QStringLiteral("clusterwatch-viewer"), {QStringLiteral("system:authenticated")}, Access::Viewer};
        if (sameToken(token, m_config.noAccessToken))
            return Identity{QStringLiteral("clusterwatch-noaccess"), {QStringLiteral("system:authenticated")}, Access::None};
        return std::nullopt;
    }
    if (!request.peerCertificateDer.isEmpty()) {
        const auto identity = pki::verifyClientCert(m_pki, request.peerCertificateDer);
        if (!identity)
            return std::nullopt;
        const bool admin = identity->groups.contains(QLatin1String("system:masters"));
        return Identity{identity->user, identity->groups, admin ? Access::Admin : Access::Viewer};
    }
    return std::nullopt;
}

void SimServer::dispatch(HttpConnection *c, const HttpRequest &r)
{
    if (m_unavailable) {
        c->resetConnection();
        return;
    }
    if (r.path.startsWith(QLatin1String("/sim/"))) {
        control(c, r);
        return;
    }
    const bool publicInfo = r.path == QLatin1String("/version") || r.path == QLatin1String("/healthz")
                            || r.path == QLatin1String("/livez") || r.path == QLatin1String("/readyz");
    const auto identity = authenticate(r);
    if (!identity && !publicInfo) {
        sendStatus(c, StatusError{401, QStringLiteral("Unauthorized"), QStringLiteral("Unauthorized"), {}, 0});
        return;
    }
    if (isDiscoveryPath(r.path)) {
        if (r.method != "GET") {
            sendStatus(c, StatusError{405, QStringLiteral("MethodNotAllowed"),
                                      QStringLiteral("the server does not allow this method on the requested resource"), {}, 0});
            return;
        }
        const QStringList parts = r.path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        const bool aggregated = r.header("accept").contains("as=APIGroupDiscoveryList")
                                && r.header("accept").contains("v=v2;");
        QByteArray body;
        QByteArray type = "application/json";
        if (publicInfo) {
            body = parts.value(0) == QLatin1String("version") ? versionDocument() : QByteArray("ok");
            type = parts.value(0) == QLatin1String("version") ? QByteArray("application/json")
                                                              : QByteArray("text/plain; charset=utf-8");
        } else if (parts.size() == 1 && (parts[0] == QLatin1String("api") || parts[0] == QLatin1String("apis"))) {
            if (aggregated) {
                body = aggregatedDocument(parts[0] == QLatin1String("api"));
                type = aggregatedContentType;
            } else {
                body = parts[0] == QLatin1String("api") ? coreVersionsDocument() : groupListDocument();
            }
        } else if (parts.size() == 2 && parts[0] == QLatin1String("api")) {
            body = resourceListDocument(QString(), parts[1]);
        } else if (parts.size() == 2 && parts[0] == QLatin1String("apis")) {
            body = groupDocument(parts[1]);
        } else if (parts.size() == 3 && parts[0] == QLatin1String("apis")) {
            body = resourceListDocument(parts[1], parts[2]);
        }
        if (body.isEmpty()) {
            sendStatus(c, StatusError::notFound(QStringLiteral("the server could not find the requested resource")));
            return;
        }
        c->respond(200, type, body);
        return;
    }
    StatusError pathError = StatusError::notFound(QStringLiteral("the server could not find the requested resource"));
    const auto path = ResourceApi::parsePath(r.path, &pathError);
    if (!path) {
        sendStatus(c, pathError);
        return;
    }
    const QString verb = ResourceApi::verbOf(r, *path);
    const bool readOnly = verb == QLatin1String("get") || verb == QLatin1String("list") || verb == QLatin1String("watch");
    const bool allowed = identity->access == Access::Admin
                         || (identity->access == Access::Viewer && readOnly && path->type->plural != QLatin1String("secrets"));
    if (!allowed) {
        const QString scope = path->ns.isEmpty() ? QStringLiteral("at the cluster scope")
                                                 : QStringLiteral("in the namespace \"") + path->ns + QLatin1Char('"');
        StatusError e{403, QStringLiteral("Forbidden"),
                      path->type->groupResource() + (path->name.isEmpty() ? QString() : QStringLiteral(" \"") + path->name + QLatin1Char('"'))
                          + QStringLiteral(" is forbidden: User \"") + identity->user + QStringLiteral("\" cannot ") + verb
                          + QStringLiteral(" resource \"") + path->type->plural + QStringLiteral("\" in API group \"")
                          + path->type->group + QStringLiteral("\" ") + scope,
                      QJsonObject{{QStringLiteral("group"), path->type->group}, {QStringLiteral("kind"), path->type->plural}}, 0};
        if (!path->name.isEmpty())
            e.details.insert(QStringLiteral("name"), path->name);
        sendStatus(c, e);
        return;
    }
    if (applyArmedFault(c, r, *path))
        return;
    m_api->handle(c, r, *path);
}

bool SimServer::applyArmedFault(HttpConnection *c, const HttpRequest &r, const ResourcePath &path)
{
    const bool isWatch = ResourceApi::isWatchRequest(r, path);
    for (qsizetype i = 0; i < m_armed.size(); ++i) {
        FaultRecord &record = m_faultLog[m_armed[i].recordIndex];
        const FaultSpec &spec = record.spec;
        if (!spec.resource.isEmpty() && spec.resource != path.type->plural)
            continue;
        const bool watchOnly = spec.kind == FaultKind::GoneAtConnect || spec.kind == FaultKind::EmptyWatch;
        if (watchOnly && !isWatch)
            continue;
        ++record.affected;
        if (--m_armed[i].remaining <= 0)
            m_armed.removeAt(i);
        switch (spec.kind) {
        case FaultKind::GoneAtConnect:
            sendStatus(c, StatusError::expired(QStringLiteral("too old resource version: %1 (%2)")
                                                   .arg(r.param("resourceVersion"))
                                                   .arg(m_store.currentRv())));
            break;
        case FaultKind::EmptyWatch:
            c->beginStream(200, "application/json");
            c->endStream();
            break;
        case FaultKind::Throttle: {
            const QByteArray seconds = QByteArray::number(std::max(1, int(std::ceil(spec.seconds))));
            // APF rejections are plain text, not a Status (protocol doc §4.1).
            c->respond(429, "text/plain; charset=utf-8", "Too many requests, please try again later.\n",
                       {{"Retry-After", seconds},
                        {"X-Kubernetes-PF-FlowSchema-UID", "clusterwatch-sim-flowschema"},
                        {"X-Kubernetes-PF-PriorityLevel-UID", "clusterwatch-sim-prioritylevel"}});
            break;
        }
        case FaultKind::ErrorStatus: {
            StatusError e;
            e.code = spec.code;
            switch (spec.code) {
            case 401:
                e.reason = QStringLiteral("Unauthorized");
                e.message = QStringLiteral("Unauthorized");
                break;
            case 403:
                e.reason = QStringLiteral("Forbidden");
                e.message = path.type->groupResource() + QStringLiteral(" is forbidden: injected by the simulator");
                break;
            case 500:
                e.reason = QStringLiteral("InternalError");
                e.message = QStringLiteral("Internal error occurred: injected by the simulator");
                e.retryAfterSeconds = 1;
                break;
            case 503:
                e.reason = QStringLiteral("ServiceUnavailable");
                e.message = QStringLiteral("the server is currently unable to handle the request");
                e.retryAfterSeconds = 1;
                break;
            default:
                e = StatusError::tooLargeResourceVersion(m_store.currentRv() + 1000, m_store.currentRv());
                break;
            }
            sendStatus(c, e);
            break;
        }
        default:
            break;
        }
        return true;
    }
    return false;
}

QList<WatchStream *> SimServer::streamsFor(const FaultSpec &spec)
{
    QList<WatchStream *> out;
    m_streams.removeIf([](const QPointer<WatchStream> &s) { return s.isNull() || !s->isActive(); });
    for (const auto &s : std::as_const(m_streams)) {
        if (spec.resource.isEmpty() || s->served()->plural == spec.resource)
            out.append(s.data());
    }
    return out;
}

FaultRecord SimServer::injectFault(const FaultSpec &spec)
{
    FaultRecord record;
    record.id = int(m_faultLog.size()) + 1;
    record.timeMs = QDateTime::currentMSecsSinceEpoch();
    record.spec = spec;
    const int ms = int(spec.seconds * 1000);
    const QList<WatchStream *> streams = streamsFor(spec);
    switch (spec.kind) {
    case FaultKind::Drop:
        for (WatchStream *s : streams)
            s->drop(spec.mode != QLatin1String("fin"));
        record.affected = int(streams.size());
        break;
    case FaultKind::Stall:
        for (WatchStream *s : streams)
            s->stall(ms);
        record.affected = int(streams.size());
        break;
    case FaultKind::Close:
        for (WatchStream *s : streams)
            s->closeEarly();
        record.affected = int(streams.size());
        break;
    case FaultKind::Malformed:
        for (WatchStream *s : streams)
            s->injectMalformedLine();
        record.affected = int(streams.size());
        break;
    case FaultKind::SlowDrip:
        for (WatchStream *s : streams)
            s->slowDrip(spec.amount, ms);
        record.affected = int(streams.size());
        break;
    case FaultKind::Compact:
        m_store.compactNow();
        break;
    case FaultKind::Expire:
        m_store.compactNow();
        for (WatchStream *s : streams)
            s->expire();
        record.affected = int(streams.size());
        break;
    case FaultKind::Rewind:
    case FaultKind::Unavailable: {
        // Refuse first, then cut: a client reconnecting in between must not land in the backlog.
        if (spec.kind == FaultKind::Unavailable) {
            m_unavailable = true;
            m_listener.close();
        } else {
            m_store.rewind(spec.amount);
        }
        // A restored or restarted apiserver drops every connection.
        const QList<QPointer<HttpConnection>> connections = m_connections;
        for (const auto &c : connections) {
            if (c)
                c->resetConnection();
        }
        record.affected = int(connections.size());
        if (spec.kind == FaultKind::Unavailable)
            QTimer::singleShot(std::max(ms, 1), this, &SimServer::relisten);
        break;
    }
    case FaultKind::GoneAtConnect:
    case FaultKind::Throttle:
    case FaultKind::ErrorStatus:
    case FaultKind::EmptyWatch:
        m_armed.append({int(m_faultLog.size()), spec.count});
        break;
    }
    m_faultLog.append(record);
    if (m_config.logFaults) {
        std::fprintf(stderr, "%s fault %d %s %s affected=%d\n",
                     qPrintable(QDateTime::fromMSecsSinceEpoch(record.timeMs, Qt::UTC).toString(Qt::ISODateWithMs)),
                     record.id, qPrintable(faultKindName(spec.kind)),
                     QJsonDocument(spec.toJson()).toJson(QJsonDocument::Compact).constData(), record.affected);
    }
    emit faultInjected(record);
    return record;
}

void SimServer::relisten()
{
    // Overlapping outages: the first one to end has already reopened the port.
    if (m_listener.isListening()) {
        m_unavailable = false;
        return;
    }
    QString error;
    if (listen(&error)) {
        m_unavailable = false;
        return;
    }
    // The port may linger briefly after close(); keep trying rather than stay down for good.
    std::fprintf(stderr, "clusterwatch-sim: %s (retrying)\n", qPrintable(error));
    QTimer::singleShot(100, this, &SimServer::relisten);
}

void SimServer::scheduleNextFault()
{
    // Exponential gaps give a Poisson process: bursts and lulls like real incidents.
    const double u = std::max(1e-9, m_scheduleRandom.generateDouble());
    const double seconds = -std::log(u) * m_config.scheduleMeanIntervalSec;
    m_scheduleTimer.start(int(std::clamp(seconds, 0.5, 3600.0) * 1000));
}

int SimServer::openWatchCount() const
{
    int n = 0;
    for (const auto &s : m_streams)
        n += s && s->isActive() ? 1 : 0;
    return n;
}

qint64 SimServer::maxWatchLag() const
{
    qint64 lag = 0;
    for (const auto &s : m_streams) {
        if (s && s->isActive())
            lag = std::max(lag, s->lag());
    }
    return lag;
}

QJsonObject SimServer::truth(const ResourceType *type) const
{
    QJsonArray items;
    for (const ObjectPtr &o : m_store.list(type, QString())) {
        items.append(QJsonObject{{QStringLiteral("namespace"), o->ns},
                                 {QStringLiteral("name"), o->name},
                                 {QStringLiteral("uid"), o->uid},
                                 {QStringLiteral("resourceVersion"), QString::number(o->rv)}});
    }
    return QJsonObject{{QStringLiteral("resource"), type->groupResource()},
                       {QStringLiteral("resourceVersion"), QString::number(m_store.currentRv())},
                       {QStringLiteral("items"), items}};
}

QByteArray SimServer::kubeconfig() const
{
    const QByteArray server = url().toString().toLatin1();
    QByteArray y = "apiVersion: v1\nkind: Config\nclusters:\n- name: clusterwatch-sim\n  cluster:\n    server: " + server + "\n";
    if (m_config.tls)
        y += "    certificate-authority-data: " + m_pki.caCertPem.toBase64() + "\n";
    y += "contexts:\n";
    const auto context = [&y](const char *name, const char *user) {
        y += QByteArray("- name: ") + name + "\n  context:\n    cluster: clusterwatch-sim\n    user: " + user
             + "\n    namespace: default\n";
    };
    context("clusterwatch-sim", "clusterwatch-admin");
    context("clusterwatch-sim-viewer", "clusterwatch-viewer");
    context("clusterwatch-sim-noaccess", "clusterwatch-noaccess");
    if (m_config.tls)
        context("clusterwatch-sim-cert", "clusterwatch-cert-admin");
    y += "current-context: clusterwatch-sim\nusers:\n";
    y += "- name: clusterwatch-admin\n  user:\n    token: " + m_config.adminToken + "\n";
    y += "- name: clusterwatch-viewer\n  user:\n    token: " + m_config.viewerToken + "\n";
    y += "- name: clusterwatch-noaccess\n  user:\n    token: " + m_config.noAccessToken + "\n";
    if (m_config.tls) {
        y += "- name: clusterwatch-cert-admin\n  user:\n    client-certificate-data: " + m_adminCert.certPem.toBase64()
             + "\n    client-key-data: " + m_adminCert.keyPem.toBase64() + "\n";
    }
    // Not a kubectl identity: the token for the sim's own control API (/sim/v1/...).
    y += "- name: clusterwatch-sim-control\n  user:\n    token: " + m_config.controlToken + "\n";
    return y;
}

bool SimServer::writeKubeconfig(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = path + QStringLiteral(": ") + file.errorString();
        return false;
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(kubeconfig());
    if (!file.commit()) {
        *error = path + QStringLiteral(": ") + file.errorString();
        return false;
    }
    return true;
}

} // namespace cw::sim
