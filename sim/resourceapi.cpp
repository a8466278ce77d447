// SPDX-License-Identifier: Apache-2.0
#include "resourceapi.h"

#include "selector.h"
#include "table.h"
#include "watchstream.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTimer>

namespace cw::sim {

void sendStatus(HttpConnection *connection, const StatusError &error)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    if (error.retryAfterSeconds > 0)
        headers.append({"Retry-After", QByteArray::number(error.retryAfterSeconds)});
    connection->respond(error.code, "application/json", error.toBytes(), headers);
}

QByteArray withTypeMeta(const ResourceType *served, const QByteArray &json)
{
    return "{\"kind\":\"" + served->kind.toLatin1() + "\",\"apiVersion\":\"" + served->apiVersion().toLatin1()
           + "\"," + json.mid(1);
}

bool wantsTable(const HttpRequest &request)
{
    const QByteArray accept = request.header("accept");
    return accept.contains("as=Table") && accept.contains("g=meta.k8s.io");
}

ResourceApi::ResourceApi(Store *store, ApiSettings settings, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_settings(settings)
{
}

std::optional<ResourcePath> ResourceApi::parsePath(const QString &path, StatusError *error)
{
    QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QString group;
    QString version;
    if (parts.value(0) == QLatin1String("api") && parts.size() >= 2) {
        version = parts[1];
        parts = parts.mid(2);
    } else if (parts.value(0) == QLatin1String("apis") && parts.size() >= 3) {
        group = parts[1];
        version = parts[2];
        parts = parts.mid(3);
    } else {
        return std::nullopt;
    }
    ResourcePath out;
    if (parts.value(0) == QLatin1String("watch")) {
        out.legacyWatch = true;
        parts.removeFirst();
    }
    if (parts.isEmpty())
        return std::nullopt;
    // namespaces/{ns}/{plural}/... addresses a namespaced collection; namespaces[/{name}] the namespaces.
    if (parts[0] == QLatin1String("namespaces") && parts.size() >= 3 && findResource(group, version, parts[2])) {
        out.ns = parts[1];
        parts = parts.mid(2);
    }
    out.type = findResource(group, version, parts[0]);
    if (!out.type) {
        *error = StatusError::notFound(QStringLiteral("the server could not find the requested resource"));
        return std::nullopt;
    }
    out.name = parts.value(1);
    out.subresource = parts.value(2);
    if (parts.size() > 3 || (!out.subresource.isEmpty() && out.subresource != QLatin1String("status"))) {
        *error = StatusError::notFound(QStringLiteral("the server could not find the requested resource"));
        return std::nullopt;
    }
    if (!out.type->namespaced && !out.ns.isEmpty()) {
        *error = StatusError::notFound(QStringLiteral("the server could not find the requested resource"));
        return std::nullopt;
    }
    return out;
}

namespace {
bool truthy(const QString &value)
{
    // Anything but 0/false (any case) is true, even empty (protocol doc §3.1).
    return value != QLatin1String("0") && value.compare(QLatin1String("false"), Qt::CaseInsensitive) != 0;
}
} // namespace

bool ResourceApi::isWatchRequest(const HttpRequest &request, const ResourcePath &path)
{
    if (request.method != "GET")
        return false;
    return path.legacyWatch || (request.hasParam("watch") && truthy(request.param("watch")));
}

QString ResourceApi::verbOf(const HttpRequest &request, const ResourcePath &path)
{
    const QByteArray &m = request.method;
    if (m == "GET" || m == "HEAD")
        return isWatchRequest(request, path) ? QStringLiteral("watch")
                                             : (path.name.isEmpty() ? QStringLiteral("list") : QStringLiteral("get"));
    if (m == "POST")
        return QStringLiteral("create");
    if (m == "PUT")
        return QStringLiteral("update");
    if (m == "PATCH")
        return QStringLiteral("patch");
    if (m == "DELETE")
        return path.name.isEmpty() ? QStringLiteral("deletecollection") : QStringLiteral("delete");
    return QString::fromLatin1(m).toLower();
}

void ResourceApi::handle(HttpConnection *c, const HttpRequest &r, const ResourcePath &p)
{
    const QByteArray &m = r.method;
    const bool named = !p.name.isEmpty();
    if (m == "GET" && isWatchRequest(r, p)) {
        if (named) {
            // Legacy /watch/.../{name}: the same as a watch with metadata.name pinned.
            HttpRequest copy = r;
            QString selector = copy.param("fieldSelector");
            selector = QStringLiteral("metadata.name=") + p.name + (selector.isEmpty() ? QString() : QLatin1Char(',') + selector);
            copy.query.removeAllQueryItems(QStringLiteral("fieldSelector"));
            copy.query.addQueryItem(QStringLiteral("fieldSelector"), selector);
            ResourcePath collection = p;
            collection.name.clear();
            watch(c, copy, collection);
            return;
        }
        watch(c, r, p);
    } else if (m == "GET" && named) {
        get(c, r, p);
    } else if (m == "GET") {
        list(c, r, p, 0);
    } else if (m == "POST" && !named) {
        create(c, r, p);
    } else if (m == "PUT" && named) {
        replace(c, r, p);
    } else if (m == "PATCH" && named) {
        patch(c, r, p);
    } else if (m == "DELETE" && named) {
        remove(c, r, p);
    } else if (m == "DELETE") {
        removeCollection(c, r, p);
    } else {
        sendStatus(c, StatusError{405, QStringLiteral("MethodNotAllowed"),
                                  QStringLiteral("the server does not allow this method on the requested resource"),
                                  {}, 0});
    }
}

void ResourceApi::sendObject(HttpConnection *c, int code, const ResourceType *served, const ObjectPtr &object,
                             const HttpRequest &r)
{
    if (wantsTable(r) && r.method == "GET") {
        sendTable(c, served, {object}, QJsonObject{{QStringLiteral("resourceVersion"), QString::number(object->rv)}}, r);
        return;
    }
    c->respond(code, "application/json", withTypeMeta(served, object->jsonFor(served)));
}

void ResourceApi::sendTable(HttpConnection *c, const ResourceType *served, const QList<ObjectPtr> &objects,
                            const QJsonObject &listMeta, const HttpRequest &r)
{
    const QString include = r.param("includeObject");
    QJsonArray rows;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const ObjectPtr &object : objects) {
        const QJsonObject full = object->toJsonObject(served);
        QJsonObject row{{QStringLiteral("cells"), tableCells(served, full, now)}};
        if (include == QLatin1String("Object")) {
            QJsonObject typed = full;
            typed.insert(QStringLiteral("kind"), served->kind);
            typed.insert(QStringLiteral("apiVersion"), served->apiVersion());
            row.insert(QStringLiteral("object"), typed);
        } else if (include != QLatin1String("None")) {
            row.insert(QStringLiteral("object"),
                       QJsonObject{{QStringLiteral("kind"), QStringLiteral("PartialObjectMetadata")},
                                   {QStringLiteral("apiVersion"), QStringLiteral("meta.k8s.io/v1")},
                                   {QStringLiteral("metadata"), full.value(QStringLiteral("metadata"))}});
        }
        rows.append(row);
    }
    const QJsonObject table{{QStringLiteral("kind"), QStringLiteral("Table")},
                            {QStringLiteral("apiVersion"), QStringLiteral("meta.k8s.io/v1")},
                            {QStringLiteral("metadata"), listMeta},
                            {QStringLiteral("columnDefinitions"), tableColumns(served)},
                            {QStringLiteral("rows"), rows}};
    c->respond(200, "application/json;as=Table;v=v1;g=meta.k8s.io", QJsonDocument(table).toJson(QJsonDocument::Compact));
}

void ResourceApi::get(HttpConnection *c, const HttpRequest &r, const ResourcePath &p)
{
    const ObjectPtr object = m_store->get(p.type, p.ns, p.name);
    if (!object) {
        sendStatus(c, StatusError::notFound(p.type->groupResource() + QStringLiteral(" \"") + p.name
                                                + QStringLiteral("\" not found"),
                                            p.name, p.type->group, p.type->plural));
        return;
    }
    sendObject(c, 200, p.type, object, r);
}

namespace {

StatusError listOptionsInvalid(const QString &field, const QString &detail, const QString &type = QStringLiteral("FieldValueForbidden"))
{
    return StatusError::invalid(QStringLiteral("ListOptions"), QStringLiteral("meta.k8s.io"), QString(), field, detail, type);
}

// The sim's continue token (opaque to clients). `left` carries how many items followed the page at its
// snapshot, so later pages of an unselective list need not rescan the store to count what remains.
struct ContinueToken
{
    qint64 rv = 0; // -1: continue from the latest data (inconsistent continuation)
    QString start;
    qint64 left = -1; // unknown
};

QByteArray encodeContinue(qint64 rv, const QString &lastKey, qint64 left = -1)
{
    QJsonObject token{{QStringLiteral("v"), QStringLiteral("meta.k8s.io/v1")},
                      {QStringLiteral("rv"), rv},
                      {QStringLiteral("start"), QString(lastKey + QChar(0))}};
    if (left >= 0)
        token.insert(QStringLiteral("left"), left);
    return QJsonDocument(token).toJson(QJsonDocument::Compact).toBase64(QByteArray::Base64UrlEncoding
                                                                       | QByteArray::OmitTrailingEquals);
}

std::optional<ContinueToken> decodeContinue(const QString &token)
{
    const auto decoded = QByteArray::fromBase64Encoding(token.toLatin1(), QByteArray::Base64UrlEncoding
                                                                              | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    QJsonParseError parseError;
    const QJsonObject json = QJsonDocument::fromJson(*decoded, &parseError).object();
    if (parseError.error != QJsonParseError::NoError || json.value(QStringLiteral("v")) != QStringLiteral("meta.k8s.io/v1")
        || !json.value(QStringLiteral("rv")).isDouble())
        return std::nullopt;
    return ContinueToken{json.value(QStringLiteral("rv")).toInteger(), json.value(QStringLiteral("start")).toString(),
                         json.value(QStringLiteral("left")).toInteger(-1)};
}

std::optional<qint64> parseRv(const QString &text)
{
    bool ok = false;
    const qint64 rv = text.toLongLong(&ok);
    if (!ok || rv < 0)
        return std::nullopt;
    return rv;
}

} // namespace

void ResourceApi::list(HttpConnection *c, const HttpRequest &r, const ResourcePath &p, int attempt)
{
    const QString rvText = r.param("resourceVersion");
    const QString match = r.param("resourceVersionMatch");
    const QString continueToken = r.param("continue");
    if (r.hasParam("sendInitialEvents")) {
        sendStatus(c, listOptionsInvalid(QStringLiteral("sendInitialEvents"),
                                         QStringLiteral("Forbidden: sendInitialEvents is forbidden for list")));
        return;
    }
    if (!match.isEmpty()) {
        if (match != QLatin1String("Exact") && match != QLatin1String("NotOlderThan")) {
            sendStatus(c, listOptionsInvalid(QStringLiteral("resourceVersionMatch"),
                                             QStringLiteral("Unsupported value: \"") + match
                                                 + QStringLiteral("\": supported values: \"Exact\", \"NotOlderThan\", \"\""),
                                             QStringLiteral("FieldValueNotSupported")));
            return;
        }
        if (rvText.isEmpty()) {
            sendStatus(c, listOptionsInvalid(QStringLiteral("resourceVersionMatch"),
                                             QStringLiteral("Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided")));
            return;
        }
        if (!continueToken.isEmpty()) {
            sendStatus(c, listOptionsInvalid(QStringLiteral("resourceVersionMatch"),
                                             QStringLiteral("Forbidden: resourceVersionMatch is forbidden when continue is provided")));
            return;
        }
        if (match == QLatin1String("Exact") && rvText == QLatin1String("0")) {
            sendStatus(c, listOptionsInvalid(QStringLiteral("resourceVersionMatch"),
                                             QStringLiteral("Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"")));
            return;
        }
    }
    if (!continueToken.isEmpty() && !rvText.isEmpty() && rvText != QLatin1String("0")) {
        sendStatus(c, StatusError::badRequest(QStringLiteral("specifying resource version is not allowed when using continue")));
        return;
    }
    QString error;
    const auto labels = LabelSelector::parse(r.param("labelSelector"), &error);
    if (!labels) {
        sendStatus(c, StatusError::badRequest(error));
        return;
    }
    const auto fields = FieldSelector::parse(r.param("fieldSelector"), p.type->fieldLabels(), &error);
    if (!fields) {
        sendStatus(c, StatusError::badRequest(error));
        return;
    }
    int limit = 0;
    if (r.hasParam("limit")) {
        bool ok = false;
        limit = r.param("limit").toInt(&ok);
        if (!ok) {
            sendStatus(c, StatusError::badRequest(QStringLiteral("invalid limit \"") + r.param("limit") + QLatin1Char('"')));
            return;
        }
        limit = std::max(limit, 0);
    }

    qint64 atRv = m_store->currentRv();
    QString afterKey;
    qint64 knownLeft = -1; // items after the previous page at this snapshot, when the token says
    if (!continueToken.isEmpty()) {
        const auto decoded = decodeContinue(continueToken);
        if (!decoded) {
            sendStatus(c, StatusError::badRequest(QStringLiteral("continue key is not valid: invalid continue token")));
            return;
        }
        afterKey = decoded->start;
        if (decoded->rv >= 0) {
            if (decoded->rv < m_store->compactedRv()) {
                StatusError e = StatusError::expired(
                    QStringLiteral("The provided continue parameter is too old to display a consistent list result. "
                                   "You can start a new list without the continue parameter, or use the continue "
                                   "token in this response to retrieve the remainder of the results. Continuing "
                                   "with the provided token results in an inconsistent list - objects that were "
                                   "created, modified, or deleted between the time the first chunk was returned "
                                   "and now may show up in the list."));
                QJsonObject body = e.toJson();
                if (m_settings.inconsistentContinue)
                    body.insert(QStringLiteral("metadata"),
                                QJsonObject{{QStringLiteral("continue"), QString::fromLatin1(encodeContinue(-1, afterKey.chopped(afterKey.endsWith(QChar(0)) ? 1 : 0)))}});
                c->respond(410, "application/json", QJsonDocument(body).toJson(QJsonDocument::Compact));
                return;
            }
            atRv = decoded->rv;
            knownLeft = decoded->left;
        }
    } else if (!rvText.isEmpty() && rvText != QLatin1String("0")) {
        const auto rv = parseRv(rvText);
        if (!rv) {
            sendStatus(c, StatusError::badRequest(QStringLiteral("invalid resource version \"") + rvText + QLatin1Char('"')));
            return;
        }
        if (*rv > m_store->currentRv()) {
            // The watch cache waits for a too-new RV before giving up with 504 (protocol doc §2.2).
            if (attempt * 50 >= m_settings.tooLargeWaitMs) {
                sendStatus(c, StatusError::tooLargeResourceVersion(*rv, m_store->currentRv()));
                return;
            }
            QPointer<HttpConnection> guard(c);
            QTimer::singleShot(50, this, [this, guard, r, p, attempt] {
                if (guard && guard->isOpen())
                    list(guard, r, p, attempt + 1);
            });
            return;
        }
        const bool exact = match == QLatin1String("Exact") || (match.isEmpty() && limit > 0);
        if (exact) {
            if (*rv < m_store->compactedRv()) {
                sendStatus(c, StatusError::expired(QStringLiteral("The resourceVersion for the provided list is too old.")));
                return;
            }
            atRv = *rv;
        }
    }

    const bool selective = !labels->isEmpty() || !fields->isEmpty();
    bool more = false;
    qint64 remaining = 0;
    const auto filter = [&](const SimObject &o) { return labels->matches(o.labels) && fields->matches(o.fields); };
    // Counting what remains scans the rest of the snapshot: once per list, not once per page.
    const bool count = !selective && knownLeft < 0;
    const QList<ObjectPtr> items = m_store->list(p.type, p.ns, atRv, afterKey, limit, &more,
                                                 count ? &remaining : nullptr,
                                                 selective ? std::function<bool(const SimObject &)>(filter) : nullptr);
    if (!selective && knownLeft >= 0)
        remaining = knownLeft - items.size();
    QJsonObject meta{{QStringLiteral("resourceVersion"), QString::number(atRv)}};
    QByteArray metaJson = "{\"resourceVersion\":\"" + QByteArray::number(atRv) + '"';
    if (more && !items.isEmpty()) {
        const QByteArray token = encodeContinue(atRv, items.last()->key(), selective ? -1 : remaining);
        metaJson += ",\"continue\":\"" + token + '"';
        meta.insert(QStringLiteral("continue"), QString::fromLatin1(token));
        if (!selective) {
            metaJson += ",\"remainingItemCount\":" + QByteArray::number(remaining);
            meta.insert(QStringLiteral("remainingItemCount"), remaining);
        }
    }
    metaJson += '}';
    if (wantsTable(r)) {
        sendTable(c, p.type, items, meta, r);
        return;
    }
    const QByteArray head = "{\"kind\":\"" + p.type->kind.toLatin1() + "List\",\"apiVersion\":\""
                            + p.type->apiVersion().toLatin1() + "\",\"metadata\":" + metaJson + ",\"items\":[";
    // The exact size: a page is megabytes, and growing it near the end would copy all of it once more.
    qsizetype size = head.size() + 2;
    for (const ObjectPtr &o : items)
        size += o->jsonFor(p.type).size() + 1;
    QByteArray body;
    body.reserve(size);
    body += head;
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i)
            body += ',';
        body += items[i]->jsonFor(p.type);
    }
    body += "]}";
    c->respond(200, "application/json", body);
}

void ResourceApi::watch(HttpConnection *c, const HttpRequest &r, const ResourcePath &p)
{
    const QString rvText = r.param("resourceVersion");
    const QString match = r.param("resourceVersionMatch");
    const bool hasSendInitial = r.hasParam("sendInitialEvents");
    const bool sendInitial = hasSendInitial && truthy(r.param("sendInitialEvents"));
    const bool bookmarks = r.hasParam("allowWatchBookmarks") && truthy(r.param("allowWatchBookmarks"));
    if (hasSendInitial && !m_settings.watchList) {
        sendStatus(c, listOptionsInvalid(QStringLiteral("sendInitialEvents"),
                                         QStringLiteral("Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled")));
        return;
    }
    if (!match.isEmpty() && !m_settings.watchList) {
        sendStatus(c, listOptionsInvalid(QStringLiteral("resourceVersionMatch"),
                                         QStringLiteral("Forbidden: resourceVersionMatch is forbidden for watch")));
        return;
    }
    if (hasSendInitial && match != QLatin1String("NotOlderThan")) {
        sendStatus(c, listOptionsInvalid(QStringLiteral("resourceVersionMatch"),
                                         QStringLiteral("Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")));
        return;
    }
    if (!match.isEmpty() && !hasSendInitial) {
        sendStatus(c, listOptionsInvalid(QStringLiteral("resourceVersionMatch"),
                                         QStringLiteral("Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")));
        return;
    }
    QString error;
    auto labels = LabelSelector::parse(r.param("labelSelector"), &error);
    if (!labels) {
        sendStatus(c, StatusError::badRequest(error));
        return;
    }
    auto fields = FieldSelector::parse(r.param("fieldSelector"), p.type->fieldLabels(), &error);
    if (!fields) {
        sendStatus(c, StatusError::badRequest(error));
        return;
    }
    std::optional<qint64> rv;
    if (!rvText.isEmpty()) {
        rv = parseRv(rvText);
        if (!rv) {
            sendStatus(c, StatusError::badRequest(QStringLiteral("invalid resource version \"") + rvText + QLatin1Char('"')));
            return;
        }
    }
    WatchOptions options;
    options.served = p.type;
    options.ns = p.ns;
    options.labels = *labels;
    options.fields = *fields;
    options.bookmarks = bookmarks;
    options.bookmarkIntervalMs = m_settings.bookmarkIntervalMs;
    options.tooLargeWaitMs = m_settings.tooLargeWaitMs;
    options.asTable = wantsTable(r);
    options.includeObject = r.param("includeObject");
    bool timeoutOk = false;
    const qint64 timeoutSeconds = r.param("timeoutSeconds").toLongLong(&timeoutOk);
    if (timeoutOk && timeoutSeconds > 0) {
        options.timeoutMs = timeoutSeconds * 1000;
    } else {
        const qint64 min = qint64(m_settings.minRequestTimeoutSec) * 1000;
        options.timeoutMs = min + qint64(QRandomGenerator::global()->bounded(double(min)));
    }
    const bool fromStart = !rv || *rv == 0;
    if (sendInitial) {
        options.initialEvents = true;
        options.initialEventsEndBookmark = bookmarks;
        options.notOlderThan = rv.value_or(0);
    } else if (hasSendInitial) {
        // sendInitialEvents=false: "from now" for RV 0/"", else from the given RV.
        options.fromRv = fromStart ? m_store->currentRv() : *rv;
    } else if (fromStart) {
        options.initialEvents = true;
        // WatchList defaulting (protocol doc §3.2): such a watch also ends its initial phase with a bookmark.
        options.initialEventsEndBookmark = bookmarks && m_settings.watchList;
    } else {
        options.fromRv = *rv;
    }
    auto *stream = new WatchStream(c, m_store, options, c);
    if (!options.initialEvents && !m_store->canWatchFrom(options.fromRv)) {
        // Expired RV: HTTP 200, then a single in-stream ERROR, like the real server (protocol doc §3.8).
        c->beginStream(200, "application/json");
        const StatusError e = StatusError::expired(QStringLiteral("too old resource version: %1 (%2)")
                                                       .arg(options.fromRv)
                                                       .arg(m_store->oldestHistoryRv() - 1));
        c->writeChunk("{\"type\":\"ERROR\",\"object\":" + e.toBytes() + "}\n");
        c->endStream();
        stream->deleteLater();
        return;
    }
    emit watchStarted(stream);
    stream->start();
}

} // namespace cw::sim
