// SPDX-License-Identifier: Apache-2.0
#include "apiclient.h"

#include "watchevent.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <functional>
#include <memory>

namespace cw::watch {

using namespace Qt::StringLiterals;

namespace {

// Aggregated discovery v2 first, legacy JSON as the fallback a server without it answers with (§5).
constexpr QByteArrayView aggregatedAccept =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
constexpr QByteArrayView aggregatedMarker = "as=APIGroupDiscoveryList";

QStringList strings(const QJsonValue &value)
{
    QStringList out;
    const QJsonArray array = value.toArray();
    for (const QJsonValue &item : array)
        out.append(item.toString());
    return out;
}

QString singularOr(const QString &singular, const QString &kind)
{
    // CRDs may leave singularName empty; client-go's RESTMapper uses the lowercased kind then.
    return singular.isEmpty() ? kind.toLower() : singular;
}

// One APIResourceList (GET /api/v1, /apis/{g}/{v}); subresources ("pods/status") are not watchable lists.
QList<ApiResource> parseResourceList(const QJsonObject &doc, const QString &group, const QString &version)
{
    QList<ApiResource> out;
    const QJsonArray resources = doc.value("resources"_L1).toArray();
    for (const QJsonValue &value : resources) {
        const QJsonObject r = value.toObject();
        const QString name = r.value("name"_L1).toString();
        if (name.isEmpty() || name.contains(u'/'))
            continue;
        ApiResource api;
        api.group = group;
        api.version = version;
        api.resource = name;
        api.kind = r.value("kind"_L1).toString();
        api.singular = singularOr(r.value("singularName"_L1).toString(), api.kind);
        api.namespaced = r.value("namespaced"_L1).toBool();
        api.shortNames = strings(r.value("shortNames"_L1));
        api.verbs = strings(r.value("verbs"_L1));
        api.categories = strings(r.value("categories"_L1));
        out.append(api);
    }
    return out;
}

// An APIGroupDiscoveryList: every group with its versions in preference order. Stale versions belong to
// an aggregated server that is down; they are skipped and named in `stale`.
QList<ApiResource> parseAggregated(const QJsonObject &doc, QStringList *stale)
{
    QList<ApiResource> out;
    const QJsonArray items = doc.value("items"_L1).toArray();
    for (const QJsonValue &itemValue : items) {
        const QJsonObject item = itemValue.toObject();
        const QString group = item.value("metadata"_L1).toObject().value("name"_L1).toString();
        const QJsonArray versions = item.value("versions"_L1).toArray();
        for (const QJsonValue &versionValue : versions) {
            const QJsonObject version = versionValue.toObject();
            const QString name = version.value("version"_L1).toString();
            if (version.value("freshness"_L1).toString() == "Stale"_L1) {
                stale->append(group.isEmpty() ? name : group % u'/' % name);
                continue;
            }
            const QJsonArray resources = version.value("resources"_L1).toArray();
            for (const QJsonValue &value : resources) {
                const QJsonObject r = value.toObject();
                ApiResource api;
                api.group = group;
                api.version = name;
                api.resource = r.value("resource"_L1).toString();
                if (api.resource.isEmpty() || api.resource.contains(u'/'))
                    continue;
                api.kind = r.value("responseKind"_L1).toObject().value("kind"_L1).toString();
                api.singular = singularOr(r.value("singularResource"_L1).toString(), api.kind);
                api.namespaced = r.value("scope"_L1).toString() == "Namespaced"_L1;
                api.shortNames = strings(r.value("shortNames"_L1));
                api.verbs = strings(r.value("verbs"_L1));
                api.categories = strings(r.value("categories"_L1));
                out.append(api);
            }
            break; // the first fresh version is the preferred one
        }
    }
    return out;
}

StreamError replyError(QNetworkReply *reply, const QString &path)
{
    StreamError e;
    const int code = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (code == 0) {
        e.kind = StreamError::Kind::Network;
        e.message = u"GET "_s % path % u": "_s % reply->errorString();
        return e;
    }
    const Status status = decodeStatus(reply->readAll());
    e.httpCode = code;
    e.reason = status.reason;
    e.message =
        status.message.isEmpty() ? u"GET "_s % path % u": HTTP "_s % QString::number(code) : status.message;
    if (code == 401)
        e.kind = StreamError::Kind::Auth;
    else if (code == 403)
        e.kind = StreamError::Kind::Forbidden;
    else if (code == 404)
        e.kind = StreamError::Kind::NotFound;
    else if (code == 400 || code == 422)
        e.kind = StreamError::Kind::Invalid;
    else if (code >= 500 || code == 429)
        e.kind = StreamError::Kind::Server;
    else
        e.kind = StreamError::Kind::Protocol; // a redirect or anything else discovery cannot use
    return e;
}

// These mean the cluster as a whole is unusable, whichever request met them.
bool fatal(const StreamError &e)
{
    return e.kind == StreamError::Kind::Auth || e.kind == StreamError::Kind::Forbidden ||
           e.kind == StreamError::Kind::Network || e.kind == StreamError::Kind::Config;
}

// kubectl's preference when a name is served by several groups: the core group, then apps, then the rest.
int groupRank(const QString &group)
{
    return group.isEmpty() ? 0 : group == "apps"_L1 ? 1 : 2;
}

// One way of reading the name the user typed: "deployments.v1.apps" is tried as resource.version.group,
// then as resource.group ("events.events.k8s.io" only makes sense that way).
struct Reading
{
    QString name;
    std::optional<QString> group;
    std::optional<QString> version;
};

struct Match
{
    std::optional<ApiResource> resource;
    QList<ApiResource> ambiguous; // several candidates of equal standing
};

Match match(const QList<ApiResource> &resources, const Reading &reading)
{
    using Test = bool (*)(const ApiResource &, const QString &);
    // In order of strength: plural, singular, short name, kind. The first kind of match found wins, so a
    // resource named exactly as typed is never shadowed by another one's short name.
    static constexpr Test tiers[] = {
        [](const ApiResource &r, const QString &n) {
            return r.resource.compare(n, Qt::CaseInsensitive) == 0;
        },
        [](const ApiResource &r, const QString &n) {
            return r.singular.compare(n, Qt::CaseInsensitive) == 0;
        },
        [](const ApiResource &r, const QString &n) { return r.shortNames.contains(n, Qt::CaseInsensitive); },
        [](const ApiResource &r, const QString &n) { return r.kind.compare(n, Qt::CaseInsensitive) == 0; },
    };
    const auto inScope = [&reading](const ApiResource &r) {
        return (!reading.group || r.group.compare(*reading.group, Qt::CaseInsensitive) == 0) &&
               (!reading.version || r.version.compare(*reading.version, Qt::CaseInsensitive) == 0);
    };
    for (const Test test : tiers) {
        QList<ApiResource> candidates;
        int best = 3;
        for (const ApiResource &r : resources) {
            if (!inScope(r) || !test(r, reading.name))
                continue;
            const int rank = groupRank(r.group);
            if (rank < best)
                candidates.clear();
            if (rank <= best) {
                best = rank;
                candidates.append(r);
            }
        }
        if (candidates.isEmpty())
            continue;
        // The same resource listed twice (several versions) is not ambiguous: the first is preferred.
        const QString first = candidates.first().groupResource();
        const bool oneResource =
            std::all_of(candidates.cbegin(), candidates.cend(),
                        [&first](const ApiResource &r) { return r.groupResource() == first; });
        if (oneResource)
            return {candidates.first(), {}};
        return {std::nullopt, candidates};
    }
    return {};
}

using Done = std::function<void(QList<ApiResource>, std::optional<StreamError>)>;
class Discovery;
using Handler = std::function<void(Discovery &, const QJsonObject &, bool aggregated)>;

// One discovery run: the two roots, then (legacy servers only) one request per group, concurrently.
// Shared by the reply handlers; `done` is called exactly once.
class Discovery : public std::enable_shared_from_this<Discovery>
{
public:
    Discovery(ApiClient *client, Done done) : m_client(client), m_done(std::move(done)) {}

    void start()
    {
        const QByteArray accept = aggregatedAccept.toByteArray();
        request(u"/api"_s, accept, Essential::Yes,
                [](Discovery &self, const QJsonObject &doc, bool aggregated) { self.core(doc, aggregated); });
        request(
            u"/apis"_s, accept, Essential::Yes,
            [](Discovery &self, const QJsonObject &doc, bool aggregated) { self.groups(doc, aggregated); });
    }

private:
    // Without the roots or the core group there is nothing worth showing; one group that fails (an
    // aggregated API server being down, typically metrics.k8s.io) only costs that group.
    enum class Essential
    {
        No,
        Yes
    };

    void request(const QString &path, const QByteArray &accept, Essential essential, Handler handler)
    {
        if (m_finished)
            return;
        StreamError error;
        QNetworkReply *reply = m_client->get(path, {}, accept, &error);
        if (!reply) {
            fail(error);
            return;
        }
        ++m_outstanding;
        QObject::connect(reply, &QNetworkReply::finished, reply,
                         [self = shared_from_this(), reply, path, essential, handler = std::move(handler)] {
                             reply->deleteLater();
                             --self->m_outstanding;
                             if (!self->m_finished)
                                 self->answered(reply, path, essential, handler);
                         });
    }

    void answered(QNetworkReply *reply, const QString &path, Essential essential, const Handler &handler)
    {
        if (reply->error() != QNetworkReply::NoError ||
            reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200) {
            const StreamError error = replyError(reply, path);
            if (essential == Essential::Yes || fatal(error)) {
                fail(error);
                return;
            }
            if (!m_partial)
                m_partial = error;
            maybeFinish();
            return;
        }
        const bool aggregated = reply->rawHeader("Content-Type").contains(aggregatedMarker);
        const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll());
        if (!doc.isObject()) {
            fail(StreamError{StreamError::Kind::Protocol,
                             200,
                             {},
                             u"GET "_s % path % u": the discovery document is not a JSON object"_s});
            return;
        }
        handler(*this, doc.object(), aggregated);
        maybeFinish();
    }

    void core(const QJsonObject &doc, bool aggregated)
    {
        if (aggregated) {
            m_core = parseAggregated(doc, &m_stale);
            return;
        }
        // APIVersions: the first listed version is the preferred one (client-go does the same).
        const QString version = strings(doc.value("versions"_L1)).value(0, u"v1"_s);
        request(u"/api/"_s % version, "application/json", Essential::Yes,
                [version](Discovery &self, const QJsonObject &list, bool) {
                    self.m_core = parseResourceList(list, QString(), version);
                });
    }

    void groups(const QJsonObject &doc, bool aggregated)
    {
        if (aggregated) {
            m_groups.clear();
            m_groups.emplaceBack(parseAggregated(doc, &m_stale));
            return;
        }
        const QJsonArray groups = doc.value("groups"_L1).toArray();
        m_groups.resize(groups.size());
        for (qsizetype i = 0; i < groups.size(); ++i) {
            const QJsonObject group = groups[i].toObject();
            const QString name = group.value("name"_L1).toString();
            QString version = group.value("preferredVersion"_L1).toObject().value("version"_L1).toString();
            const QJsonArray versions = group.value("versions"_L1).toArray();
            if (version.isEmpty() && !versions.isEmpty())
                version = versions.first().toObject().value("version"_L1).toString();
            if (name.isEmpty() || version.isEmpty())
                continue;
            // Results go into the group's slot so the list keeps the server's group order.
            request(u"/apis/"_s % name % u'/' % version, "application/json", Essential::No,
                    [i, name, version](Discovery &self, const QJsonObject &list, bool) {
                        self.m_groups[i] = parseResourceList(list, name, version);
                    });
        }
    }

    void maybeFinish()
    {
        if (m_outstanding > 0 || m_finished)
            return;
        QList<ApiResource> all = m_core;
        for (const QList<ApiResource> &group : std::as_const(m_groups))
            all += group;
        std::optional<StreamError> error = m_partial;
        if (!error && !m_stale.isEmpty()) {
            error = StreamError{StreamError::Kind::Server, 503, u"ServiceUnavailable"_s,
                                u"discovery is stale for "_s % m_stale.join(u", "_s)};
        }
        finish(std::move(all), std::move(error));
    }

    void fail(const StreamError &error)
    {
        if (m_finished)
            return;
        // Requests still in flight are left to finish and ignored: aborting one whose error is already
        // on its way from Qt's network thread makes Qt warn, and discovery requests are short.
        finish({}, error);
    }

    void finish(QList<ApiResource> resources, std::optional<StreamError> error)
    {
        m_finished = true;
        // Queued: `done` never re-enters the caller from inside discoverResources().
        QMetaObject::invokeMethod(
            m_client,
            [done = std::move(m_done), resources = std::move(resources), error = std::move(error)] {
                done(resources, error);
            },
            Qt::QueuedConnection);
    }

    ApiClient *m_client;
    Done m_done;
    bool m_finished = false;
    int m_outstanding = 0;
    QList<ApiResource> m_core;
    QList<QList<ApiResource>> m_groups; // legacy: one slot per group in server order
    QStringList m_stale;
    std::optional<StreamError> m_partial; // first non-fatal failure: results come with it
};

} // namespace

void discoverResources(ApiClient *client,
                       std::function<void(QList<ApiResource>, std::optional<StreamError>)> done)
{
    std::make_shared<Discovery>(client, std::move(done))->start();
}

std::optional<ApiResource> resolveResource(const QList<ApiResource> &resources, const QString &name,
                                           QString *error)
{
    const auto report = [error](const QString &message) -> std::optional<ApiResource> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const QString wanted = name.trimmed();
    if (wanted.isEmpty())
        return report(u"no resource type given"_s);

    const QStringList parts = wanted.split(u'.');
    QList<Reading> readings;
    if (parts.size() >= 3)
        readings.append({parts[0], parts.mid(2).join(u'.'), parts[1]});
    if (parts.size() >= 2)
        readings.append({parts[0], parts.mid(1).join(u'.'), std::nullopt});
    else
        readings.append({wanted, std::nullopt, std::nullopt});

    for (const Reading &reading : std::as_const(readings)) {
        const Match found = match(resources, reading);
        if (found.resource) {
            if (error)
                error->clear();
            return found.resource;
        }
        if (!found.ambiguous.isEmpty()) {
            QStringList names;
            for (const ApiResource &r : found.ambiguous)
                names.append(r.groupResource());
            return report(u"\""_s % wanted % u"\" is ambiguous: it could be "_s % names.join(u", "_s) %
                          u"; name the group, e.g. "_s % names.first());
        }
    }
    return report(u"the server doesn't have a resource type \""_s % wanted % u'"');
}

} // namespace cw::watch
