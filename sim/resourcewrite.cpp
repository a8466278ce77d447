// SPDX-License-Identifier: Apache-2.0
// Writes: create, replace, patch, delete (graceful for pods, cascading through ownerReferences).
#include "patch.h"
#include "protobuf.h"
#include "resourceapi.h"
#include "selector.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QRegularExpression>
#include <QTimer>

namespace cw::sim {

namespace {

// kubectl's typed client writes built-in kinds as Kubernetes protobuf rather than JSON.
bool isProtobuf(const HttpRequest &r)
{
    return r.header("content-type").trimmed().toLower().startsWith(kProtobufContentType);
}

bool isDnsSubdomain(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"));
    return name.size() <= 253 && re.match(name).hasMatch();
}

QJsonObject metaOf(const QJsonObject &object)
{
    return object.value(QStringLiteral("metadata")).toObject();
}

} // namespace

std::optional<QJsonObject> ResourceApi::parseBody(HttpConnection *c, const HttpRequest &r, const ResourcePath &p)
{
    QJsonObject object;
    if (isProtobuf(r)) {
        QString decodeError;
        auto decoded = decodeProtobufObject(r.body, &decodeError);
        if (!decoded) {
            sendStatus(c, StatusError{415, QStringLiteral("UnsupportedMediaType"), decodeError, {}, 0});
            return std::nullopt;
        }
        object = *decoded;
    } else {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(r.body, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject()) {
            sendStatus(c, StatusError::badRequest(QStringLiteral("the object provided is unrecognized (must be of type ")
                                                  + p.type->kind + QStringLiteral("): couldn't get version/kind; json parse error: ")
                                                  + (doc.isObject() ? QString() : error.errorString())));
            return std::nullopt;
        }
        object = doc.object();
    }
    const QString apiVersion = object.value(QStringLiteral("apiVersion")).toString();
    const QString kind = object.value(QStringLiteral("kind")).toString();
    if ((!apiVersion.isEmpty() && apiVersion != p.type->apiVersion()) || (!kind.isEmpty() && kind != p.type->kind)) {
        sendStatus(c, StatusError::badRequest(QStringLiteral("the API version in the data (") + apiVersion
                                              + QStringLiteral(") does not match the expected API version (")
                                              + p.type->apiVersion() + QStringLiteral(")")));
        return std::nullopt;
    }
    return object;
}

void ResourceApi::create(HttpConnection *c, const HttpRequest &r, const ResourcePath &p)
{
    auto body = parseBody(c, r, p);
    if (!body)
        return;
    QJsonObject object = *body;
    QJsonObject meta = metaOf(object);
    if (p.type->namespaced) {
        const QString bodyNs = meta.value(QStringLiteral("namespace")).toString();
        if (p.ns.isEmpty()) {
            sendStatus(c, StatusError{405, QStringLiteral("MethodNotAllowed"),
                                      QStringLiteral("the server does not allow this method on the requested resource"), {}, 0});
            return;
        }
        if (!bodyNs.isEmpty() && bodyNs != p.ns) {
            sendStatus(c, StatusError::badRequest(QStringLiteral("the namespace of the provided object does not match the namespace sent on the request")));
            return;
        }
        meta.insert(QStringLiteral("namespace"), p.ns);
        const ObjectPtr ns = m_store->get(findResource(QString(), QStringLiteral("v1"), QStringLiteral("namespaces")), {}, p.ns);
        if (!ns) {
            sendStatus(c, StatusError::notFound(QStringLiteral("namespaces \"") + p.ns + QStringLiteral("\" not found"),
                                                p.ns, QString(), QStringLiteral("namespaces")));
            return;
        }
        if (ns->isTerminating()) {
            sendStatus(c, StatusError{403, QStringLiteral("Forbidden"),
                                      p.type->groupResource() + QStringLiteral(" \"") + meta.value(QStringLiteral("name")).toString()
                                          + QStringLiteral("\" is forbidden: unable to create new content in namespace ") + p.ns
                                          + QStringLiteral(" because it is being terminated"), {}, 0});
            return;
        }
    } else {
        meta.remove(QStringLiteral("namespace"));
    }
    const QString name = meta.value(QStringLiteral("name")).toString();
    const QString generateName = meta.value(QStringLiteral("generateName")).toString();
    if (name.isEmpty() && generateName.isEmpty()) {
        sendStatus(c, StatusError::invalid(p.type->kind, p.type->group, QString(), QStringLiteral("metadata.name"),
                                           QStringLiteral("Required value: name or generateName is required"),
                                           QStringLiteral("FieldValueRequired")));
        return;
    }
    if (!name.isEmpty() && !isDnsSubdomain(name)) {
        sendStatus(c, StatusError::invalid(p.type->kind, p.type->group, name, QStringLiteral("metadata.name"),
                                           QStringLiteral("Invalid value: \"") + name
                                               + QStringLiteral("\": a lowercase RFC 1123 subdomain must consist of lower case "
                                                                "alphanumeric characters, '-' or '.', and must start and end "
                                                                "with an alphanumeric character")));
        return;
    }
    object.insert(QStringLiteral("metadata"), meta);
    if (r.param("dryRun") == QLatin1String("All")) {
        object.insert(QStringLiteral("kind"), p.type->kind);
        object.insert(QStringLiteral("apiVersion"), p.type->apiVersion());
        c->respond(201, "application/json", QJsonDocument(object).toJson(QJsonDocument::Compact));
        return;
    }
    const WriteResult result = m_store->create(p.type, object);
    if (!result.ok()) {
        StatusError e{result.code, result.reason, result.message, {}, 0};
        e.details = QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("group"), p.type->group},
                                {QStringLiteral("kind"), p.type->plural}};
        sendStatus(c, e);
        return;
    }
    sendObject(c, 201, p.type, result.object, r);
}

void ResourceApi::replace(HttpConnection *c, const HttpRequest &r, const ResourcePath &p)
{
    auto body = parseBody(c, r, p);
    if (!body)
        return;
    QJsonObject object = *body;
    QJsonObject meta = metaOf(object);
    const QString name = meta.value(QStringLiteral("name")).toString();
    if (name != p.name) {
        sendStatus(c, StatusError::badRequest(QStringLiteral("the name of the object (") + name
                                              + QStringLiteral(") does not match the name on the URL (") + p.name
                                              + QStringLiteral(")")));
        return;
    }
    if (p.type->namespaced)
        meta.insert(QStringLiteral("namespace"), p.ns);
    object.insert(QStringLiteral("metadata"), meta);
    if (!p.subresource.isEmpty()) {
        // status subresource: only status changes.
        const ObjectPtr current = m_store->get(p.type, p.ns, p.name);
        if (current) {
            QJsonObject merged = current->toJsonObject(p.type);
            merged.insert(QStringLiteral("status"), object.value(QStringLiteral("status")));
            QJsonObject mergedMeta = metaOf(merged);
            mergedMeta.insert(QStringLiteral("resourceVersion"), meta.value(QStringLiteral("resourceVersion")));
            merged.insert(QStringLiteral("metadata"), mergedMeta);
            object = merged;
        }
    }
    const WriteResult result = m_store->update(p.type, object);
    if (!result.ok()) {
        sendStatus(c, StatusError{result.code, result.reason, result.message,
                                  QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("group"), p.type->group},
                                              {QStringLiteral("kind"), p.type->plural}}, 0});
        return;
    }
    sendObject(c, 200, p.type, result.object, r);
}

void ResourceApi::patch(HttpConnection *c, const HttpRequest &r, const ResourcePath &p)
{
    const ObjectPtr current = m_store->get(p.type, p.ns, p.name);
    if (!current) {
        sendStatus(c, StatusError::notFound(p.type->groupResource() + QStringLiteral(" \"") + p.name
                                                + QStringLiteral("\" not found"), p.name, p.type->group, p.type->plural));
        return;
    }
    const QByteArray contentType = r.header("content-type").split(';').value(0).trimmed().toLower();
    QJsonParseError parseError;
    const QJsonDocument patchDoc = QJsonDocument::fromJson(r.body, &parseError);
    if (contentType == "application/apply-patch+yaml" || contentType == "application/apply-patch+cbor") {
        sendStatus(c, StatusError{415, QStringLiteral("UnsupportedMediaType"),
                                  QStringLiteral("the body of the request was in an unknown format - accepted media types "
                                                 "include: application/json-patch+json, application/merge-patch+json, "
                                                 "application/strategic-merge-patch+json (server-side apply is not "
                                                 "simulated)"), {}, 0});
        return;
    }
    if (parseError.error != QJsonParseError::NoError) {
        sendStatus(c, StatusError::badRequest(QStringLiteral("error decoding patch: ") + parseError.errorString()));
        return;
    }
    const QJsonObject original = current->toJsonObject(p.type);
    QJsonValue patched;
    QString error;
    if (contentType == "application/merge-patch+json") {
        patched = applyMergePatch(original, patchDoc.isObject() ? QJsonValue(patchDoc.object()) : QJsonValue(patchDoc.array()));
    } else if (contentType == "application/json-patch+json") {
        if (!patchDoc.isArray()) {
            sendStatus(c, StatusError::badRequest(QStringLiteral("json patch must be an array of operations")));
            return;
        }
        const auto result = applyJsonPatch(original, patchDoc.array(), &error);
        if (!result) {
            sendStatus(c, StatusError{422, QStringLiteral("Invalid"), error, {}, 0});
            return;
        }
        patched = *result;
    } else if (contentType == "application/strategic-merge-patch+json") {
        const auto result = applyStrategicMergePatch(original, patchDoc.object(), &error);
        if (!result) {
            sendStatus(c, StatusError{422, QStringLiteral("Invalid"), error, {}, 0});
            return;
        }
        patched = *result;
    } else {
        sendStatus(c, StatusError{415, QStringLiteral("UnsupportedMediaType"),
                                  QStringLiteral("the body of the request was in an unknown format - accepted media types "
                                                 "include: application/json-patch+json, application/merge-patch+json, "
                                                 "application/strategic-merge-patch+json"), {}, 0});
        return;
    }
    QJsonObject object = patched.toObject();
    QJsonObject meta = metaOf(object);
    // Name and namespace come from the URL; an RV in the patch is an optimistic-lock precondition.
    meta.insert(QStringLiteral("name"), p.name);
    if (p.type->namespaced)
        meta.insert(QStringLiteral("namespace"), p.ns);
    const QJsonObject patchMeta = patchDoc.object().value(QStringLiteral("metadata")).toObject();
    if (!patchMeta.contains(QStringLiteral("resourceVersion")))
        meta.insert(QStringLiteral("resourceVersion"), QString::number(current->rv));
    object.insert(QStringLiteral("metadata"), meta);
    object.remove(QStringLiteral("kind"));
    object.remove(QStringLiteral("apiVersion"));
    QJsonObject unchanged = original;
    unchanged.remove(QStringLiteral("kind"));
    unchanged.remove(QStringLiteral("apiVersion"));
    if (object == unchanged) {
        // A no-op patch writes nothing, as on a real server.
        sendObject(c, 200, p.type, current, r);
        return;
    }
    const WriteResult result = m_store->update(p.type, object);
    if (!result.ok()) {
        sendStatus(c, StatusError{result.code, result.reason, result.message,
                                  QJsonObject{{QStringLiteral("name"), p.name}, {QStringLiteral("group"), p.type->group},
                                              {QStringLiteral("kind"), p.type->plural}}, 0});
        return;
    }
    sendObject(c, 200, p.type, result.object, r);
}

WriteResult ResourceApi::deleteObject(const ResourceType *served, const ObjectPtr &object, std::optional<qint64> grace,
                                      bool cascade)
{
    const ResourceType *storage = served->storageType();
    const bool isPod = storage->plural == QLatin1String("pods") && storage->group.isEmpty();
    const bool isNamespace = storage->plural == QLatin1String("namespaces");
    const QJsonObject json = object->toJsonObject();
    if (isPod) {
        const qint64 defaultGrace = json.value(QStringLiteral("spec")).toObject()
                                        .value(QStringLiteral("terminationGracePeriodSeconds")).toInteger(30);
        const qint64 seconds = grace.value_or(defaultGrace);
        const bool scheduled = !json.value(QStringLiteral("spec")).toObject().value(QStringLiteral("nodeName")).toString().isEmpty();
        if (seconds > 0 && scheduled) {
            if (object->isTerminating())
                return WriteResult::success(object);
            // Graceful: MODIFIED with deletionTimestamp now, DELETED when the (shortened) grace period ends.
            QJsonObject updated = json;
            QJsonObject meta = metaOf(updated);
            meta.insert(QStringLiteral("deletionTimestamp"),
                        Store::timestamp(QDateTime::currentMSecsSinceEpoch() + seconds * 1000));
            meta.insert(QStringLiteral("deletionGracePeriodSeconds"), seconds);
            updated.insert(QStringLiteral("metadata"), meta);
            const WriteResult result = m_store->update(storage, updated);
            if (result.ok()) {
                const QString ns = object->ns;
                const QString name = object->name;
                const QString uid = object->uid;
                const int delayMs = int(std::min<qint64>(seconds, m_settings.maxGraceSec)) * 1000;
                QTimer::singleShot(delayMs, this, [this, storage, ns, name, uid] {
                    const ObjectPtr now = m_store->get(storage, ns, name);
                    if (now && now->uid == uid)
                        m_store->remove(storage, ns, name);
                });
            }
            return result;
        }
    }
    if (isNamespace) {
        if (object->isTerminating())
            return WriteResult::success(object);
        QJsonObject updated = json;
        QJsonObject meta = metaOf(updated);
        meta.insert(QStringLiteral("deletionTimestamp"), Store::nowTimestamp());
        updated.insert(QStringLiteral("metadata"), meta);
        QJsonObject status = updated.value(QStringLiteral("status")).toObject();
        status.insert(QStringLiteral("phase"), QStringLiteral("Terminating"));
        updated.insert(QStringLiteral("status"), status);
        const WriteResult result = m_store->update(storage, updated);
        const QString name = object->name;
        QTimer::singleShot(0, this, [this, storage, name] {
            for (const ResourceType *t : servedResources()) {
                if (!t->namespaced || t->isAlias())
                    continue;
                for (const ObjectPtr &o : m_store->list(t, name))
                    deleteObject(t, o, 0, false);
            }
            QTimer::singleShot(500, this, [this, storage, name] { m_store->remove(storage, QString(), name); });
        });
        return result;
    }
    const WriteResult result = m_store->remove(storage, object->ns, object->name);
    if (result.ok() && cascade) {
        const QString uid = object->uid;
        QTimer::singleShot(0, this, [this, uid] { collectDependents(uid); });
    }
    return result;
}

void ResourceApi::collectDependents(const QString &ownerUid)
{
    // The garbage collector's background propagation: dependents go once their owner is gone.
    const QByteArray needle = ownerUid.toLatin1();
    for (const ResourceType *t : servedResources()) {
        if (t->isAlias())
            continue;
        for (const ObjectPtr &o : m_store->list(t, QString())) {
            if (!o->json.contains(needle))
                continue;
            const QJsonArray owners = metaOf(o->toJsonObject()).value(QStringLiteral("ownerReferences")).toArray();
            for (const QJsonValue &owner : owners) {
                if (owner.toObject().value(QStringLiteral("uid")).toString() == ownerUid) {
                    deleteObject(t, o, std::nullopt, true);
                    break;
                }
            }
        }
    }
}

void ResourceApi::remove(HttpConnection *c, const HttpRequest &r, const ResourcePath &p)
{
    const ObjectPtr current = m_store->get(p.type, p.ns, p.name);
    if (!current) {
        sendStatus(c, StatusError::notFound(p.type->groupResource() + QStringLiteral(" \"") + p.name
                                                + QStringLiteral("\" not found"), p.name, p.type->group, p.type->plural));
        return;
    }
    // Undecodable options are ignored, protobuf or JSON alike.
    const QJsonObject options = isProtobuf(r) ? decodeProtobufObject(r.body, nullptr).value_or(QJsonObject())
                                              : QJsonDocument::fromJson(r.body).object();
    std::optional<qint64> grace;
    if (options.contains(QStringLiteral("gracePeriodSeconds")))
        grace = options.value(QStringLiteral("gracePeriodSeconds")).toInteger();
    if (r.hasParam("gracePeriodSeconds"))
        grace = r.param("gracePeriodSeconds").toLongLong();
    const QJsonObject pre = options.value(QStringLiteral("preconditions")).toObject();
    const QString preUid = pre.value(QStringLiteral("uid")).toString();
    const QString preRv = pre.value(QStringLiteral("resourceVersion")).toString();
    if ((!preUid.isEmpty() && preUid != current->uid) || (!preRv.isEmpty() && preRv != QString::number(current->rv))) {
        sendStatus(c, StatusError{409, QStringLiteral("Conflict"),
                                  QStringLiteral("Operation cannot be fulfilled on ") + p.type->groupResource()
                                      + QStringLiteral(" \"") + p.name + QStringLiteral("\": the precondition does not "
                                                                                       "match the object in record"),
                                  {}, 0});
        return;
    }
    if (p.type->plural == QLatin1String("namespaces")
        && QStringList{QStringLiteral("default"), QStringLiteral("kube-system"), QStringLiteral("kube-public")}.contains(p.name)) {
        sendStatus(c, StatusError{403, QStringLiteral("Forbidden"),
                                  QStringLiteral("namespaces \"") + p.name
                                      + QStringLiteral("\" is forbidden: this namespace may not be deleted"), {}, 0});
        return;
    }
    const QString propagation = options.value(QStringLiteral("propagationPolicy")).toString(r.param("propagationPolicy"));
    const WriteResult result = deleteObject(p.type, current, grace, propagation != QLatin1String("Orphan"));
    if (!result.ok()) {
        sendStatus(c, StatusError{result.code, result.reason, result.message, {}, 0});
        return;
    }
    c->respond(200, "application/json", withTypeMeta(p.type, result.object->jsonFor(p.type)));
}

void ResourceApi::removeCollection(HttpConnection *c, const HttpRequest &r, const ResourcePath &p)
{
    QString error;
    const auto labels = LabelSelector::parse(r.param("labelSelector"), &error);
    const auto fields = labels ? FieldSelector::parse(r.param("fieldSelector"), p.type->fieldLabels(), &error) : std::nullopt;
    if (!labels || !fields) {
        sendStatus(c, StatusError::badRequest(error));
        return;
    }
    QByteArray items;
    for (const ObjectPtr &o : m_store->list(p.type, p.ns)) {
        if (!labels->matches(o->labels) || !fields->matches(o->fields))
            continue;
        const WriteResult result = deleteObject(p.type, o, std::nullopt, true);
        if (!result.ok())
            continue;
        if (!items.isEmpty())
            items += ',';
        items += result.object->jsonFor(p.type);
    }
    c->respond(200, "application/json",
               "{\"kind\":\"" + p.type->kind.toLatin1() + "List\",\"apiVersion\":\"" + p.type->apiVersion().toLatin1()
                   + "\",\"metadata\":{\"resourceVersion\":\"" + QByteArray::number(m_store->currentRv()) + "\"},\"items\":["
                   + items + "]}");
}

} // namespace cw::sim
