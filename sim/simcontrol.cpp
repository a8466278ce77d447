// SPDX-License-Identifier: Apache-2.0
// The sim's control API: fault injection, fault log, truth, churn switch, bursts. Bearer control token only.
#include "simserver.h"

#include <QElapsedTimer>
#include <QJsonDocument>

namespace cw::sim {

namespace {
QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}
} // namespace

void SimServer::control(HttpConnection *c, const HttpRequest &r)
{
    const QByteArray authorization = r.header("authorization");
    const QByteArray token = authorization.startsWith("Bearer ") ? authorization.mid(7).trimmed() : QByteArray();
    bool authorized = token.size() == m_config.controlToken.size() && !token.isEmpty();
    if (authorized) {
        unsigned char diff = 0;
        for (qsizetype i = 0; i < token.size(); ++i)
            diff |= static_cast<unsigned char>(token[i] ^ m_config.controlToken[i]);
        authorized = diff == 0;
    }
    if (!authorized) {
        sendStatus(c, StatusError{token.isEmpty() ? 401 : 403,
                                  token.isEmpty() ? QStringLiteral("Unauthorized") : QStringLiteral("Forbidden"),
                                  QStringLiteral("the simulator control API needs the control token"), {}, 0});
        return;
    }
    const QJsonObject body = QJsonDocument::fromJson(r.body).object();
    if (r.path == QLatin1String("/sim/v1/faults") && r.method == "POST") {
        QString error;
        const auto spec = FaultSpec::fromJson(body, &error);
        if (!spec) {
            sendStatus(c, StatusError::badRequest(error));
            return;
        }
        const FaultRecord record = injectFault(*spec);
        // The response goes out on this connection, which a connection-cutting fault may have closed.
        c->respond(201, "application/json", json(record.toJson()));
        return;
    }
    if (r.path == QLatin1String("/sim/v1/faults") && r.method == "GET") {
        QJsonArray items;
        for (const FaultRecord &record : std::as_const(m_faultLog))
            items.append(record.toJson());
        c->respond(200, "application/json", json(QJsonObject{{QStringLiteral("items"), items}}));
        return;
    }
    if (r.path == QLatin1String("/sim/v1/truth") && r.method == "GET") {
        const QString resource = r.param("resource").isEmpty() ? QStringLiteral("pods") : r.param("resource");
        const ResourceType *type = nullptr;
        for (const ResourceType *t : servedResources()) {
            if (!t->isAlias() && (t->plural == resource || t->groupResource() == resource))
                type = t;
        }
        if (!type) {
            sendStatus(c, StatusError::notFound(QStringLiteral("unknown resource \"") + resource + QLatin1Char('"')));
            return;
        }
        c->respond(200, "application/json", json(truth(type)));
        return;
    }
    if (r.path == QLatin1String("/sim/v1/churn") && r.method == "POST") {
        setChurnEnabled(body.value(QStringLiteral("enabled")).toBool(true));
        c->respond(200, "application/json", json(QJsonObject{{QStringLiteral("enabled"), m_churn != nullptr}}));
        return;
    }
    if (r.path == QLatin1String("/sim/v1/burst") && r.method == "POST") {
        // Benchmarks: `count` MODIFIED events as fast as the store can make them, round-robin over objects.
        const QString resource = body.value(QStringLiteral("resource")).toString(QStringLiteral("pods"));
        const qint64 count = body.value(QStringLiteral("count")).toInteger(1000);
        const ResourceType *type = findResource(QString(), QStringLiteral("v1"), resource);
        const QList<ObjectPtr> objects = type ? m_store.list(type, QString()) : QList<ObjectPtr>();
        if (objects.isEmpty() || count <= 0) {
            sendStatus(c, StatusError::badRequest(QStringLiteral("burst needs a core resource with objects and a positive count")));
            return;
        }
        QElapsedTimer timer;
        timer.start();
        const qint64 first = m_store.currentRv() + 1;
        for (qint64 i = 0; i < count; ++i) {
            const ObjectPtr &o = objects[i % objects.size()];
            if (const ObjectPtr current = m_store.get(type, o->ns, o->name))
                m_store.touch(current);
        }
        c->respond(200, "application/json",
                   json(QJsonObject{{QStringLiteral("firstResourceVersion"), QString::number(first)},
                                    {QStringLiteral("lastResourceVersion"), QString::number(m_store.currentRv())},
                                    {QStringLiteral("milliseconds"), timer.elapsed()}}));
        return;
    }
    if (r.path == QLatin1String("/sim/v1/stats") && r.method == "GET") {
        QJsonObject counts;
        for (const ResourceType *t : servedResources()) {
            if (!t->isAlias())
                counts.insert(t->groupResource(), m_store.count(t));
        }
        c->respond(200, "application/json",
                   json(QJsonObject{{QStringLiteral("resourceVersion"), QString::number(m_store.currentRv())},
                                    {QStringLiteral("openWatches"), openWatchCount()},
                                    {QStringLiteral("maxWatchLag"), maxWatchLag()},
                                    {QStringLiteral("faults"), int(m_faultLog.size())},
                                    {QStringLiteral("historyEvents"), qint64(m_store.historySize())},
                                    {QStringLiteral("versions"), qint64(m_store.versionCount())},
                                    {QStringLiteral("objects"), counts}}));
        return;
    }
    sendStatus(c, StatusError::notFound(QStringLiteral("unknown control endpoint ") + r.path));
}

} // namespace cw::sim
