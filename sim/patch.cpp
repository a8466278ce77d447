// SPDX-License-Identifier: Apache-2.0
#include "patch.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include <algorithm>
#include <functional>

namespace cw::sim {

// ---------------------------------------------------------------------------------------------------------
// RFC 7386

QJsonValue applyMergePatch(const QJsonValue &target, const QJsonValue &patch)
{
    if (!patch.isObject())
        return patch;
    QJsonObject result = target.isObject() ? target.toObject() : QJsonObject();
    const QJsonObject p = patch.toObject();
    for (auto it = p.begin(); it != p.end(); ++it) {
        if (it.value().isNull())
            result.remove(it.key());
        else
            result.insert(it.key(), applyMergePatch(result.value(it.key()), it.value()));
    }
    return result;
}

// ---------------------------------------------------------------------------------------------------------
// RFC 6902. Error texts follow evanphx/json-patch v4, which the apiserver uses and whose words kubectl
// prints.

namespace {

QString missing(const QString &what)
{
    return what + QStringLiteral(": missing value");
}

QString invalidIndex(qint64 index)
{
    return QStringLiteral("Unable to access invalid index: %1: invalid index referenced").arg(index);
}

// RFC 6901: "~1" means "/", then "~0" means "~" (in that order, so "~01" is "~1").
std::optional<QStringList> decodePointer(const QString &pointer)
{
    if (pointer.isEmpty())
        return QStringList();
    if (!pointer.startsWith(QLatin1Char('/')))
        return std::nullopt;
    QStringList tokens = pointer.mid(1).split(QLatin1Char('/'));
    for (QString &t : tokens) {
        t.replace(QLatin1String("~1"), QLatin1String("/"));
        t.replace(QLatin1String("~0"), QLatin1String("~"));
    }
    return tokens;
}

// A decimal array index without sign (strconv.Atoi would take a sign, but a negative index is invalid
// anyway).
std::optional<qint64> arrayIndex(const QString &token)
{
    if (token.isEmpty() || !std::all_of(token.begin(), token.end(), [](QChar c) { return c.isDigit(); }))
        return std::nullopt;
    bool ok = false;
    const qint64 v = token.toLongLong(&ok);
    return ok ? std::optional<qint64>(v) : std::nullopt;
}

using ContainerOp = std::function<bool(QJsonValue &container, const QString &key, QString *error)>;

// Descends to the parent of the pointer's last token and runs `op` there, writing the copies back on the way
// up. Returns false with *parentMissing set when a container on the way does not exist.
bool atParent(QJsonValue &node, const QStringList &tokens, qsizetype depth, const ContainerOp &op,
              bool *parentMissing, QString *error)
{
    if (depth == tokens.size() - 1) {
        if (!node.isObject() && !node.isArray()) {
            *parentMissing = true;
            return false;
        }
        return op(node, tokens[depth], error);
    }
    const QString &token = tokens[depth];
    if (node.isObject()) {
        QJsonObject obj = node.toObject();
        const auto it = obj.constFind(token);
        if (it == obj.constEnd()) {
            *parentMissing = true;
            return false;
        }
        QJsonValue child = *it;
        if (!atParent(child, tokens, depth + 1, op, parentMissing, error))
            return false;
        obj.insert(token, child);
        node = obj;
        return true;
    }
    if (node.isArray()) {
        QJsonArray arr = node.toArray();
        const auto index = arrayIndex(token);
        if (!index || *index >= arr.size()) {
            *parentMissing = true;
            return false;
        }
        QJsonValue child = arr.at(*index);
        if (!atParent(child, tokens, depth + 1, op, parentMissing, error))
            return false;
        arr.replace(*index, child);
        node = arr;
        return true;
    }
    *parentMissing = true;
    return false;
}

std::optional<QJsonValue> getAt(const QJsonValue &doc, const QStringList &tokens)
{
    QJsonValue node = doc;
    for (const QString &token : tokens) {
        if (node.isObject()) {
            const QJsonObject obj = node.toObject();
            const auto it = obj.constFind(token);
            if (it == obj.constEnd())
                return std::nullopt;
            node = *it;
        } else if (node.isArray()) {
            const QJsonArray arr = node.toArray();
            const auto index = arrayIndex(token);
            if (!index || *index >= arr.size())
                return std::nullopt;
            node = arr.at(*index);
        } else {
            return std::nullopt;
        }
    }
    return node;
}

bool addAt(QJsonValue &doc, const QStringList &tokens, const QJsonValue &value, const QString &path,
           QString *error)
{
    if (tokens.isEmpty()) {
        doc = value; // "" names the whole document
        return true;
    }
    bool parentMissing = false;
    const ContainerOp add = [&](QJsonValue &container, const QString &key, QString *err) {
        if (container.isObject()) {
            QJsonObject obj = container.toObject();
            obj.insert(key, value);
            container = obj;
            return true;
        }
        QJsonArray arr = container.toArray();
        if (key == QLatin1String("-")) {
            arr.append(value);
        } else {
            const auto index = arrayIndex(key);
            if (!index) {
                *err = QStringLiteral("error in add for path: '%1': value was not a proper array index: '%2'")
                           .arg(path, key);
                return false;
            }
            if (*index > arr.size()) {
                *err = QStringLiteral("error in add for path: '%1': ").arg(path) + invalidIndex(*index);
                return false;
            }
            arr.insert(*index, value);
        }
        container = arr;
        return true;
    };
    if (atParent(doc, tokens, 0, add, &parentMissing, error))
        return true;
    if (parentMissing)
        *error =
            missing(QStringLiteral("add operation does not apply: doc is missing path: \"%1\"").arg(path));
    return false;
}

bool removeAt(QJsonValue &doc, const QStringList &tokens, const QString &path, const QString &opName,
              QString *error)
{
    bool parentMissing = false;
    const ContainerOp remove = [&](QJsonValue &container, const QString &key, QString *err) {
        if (container.isObject()) {
            QJsonObject obj = container.toObject();
            if (!obj.contains(key)) {
                *err =
                    missing(QStringLiteral("error in %1 for path: '%2': Unable to remove nonexistent key: %3")
                                .arg(opName, path, key));
                return false;
            }
            obj.remove(key);
            container = obj;
            return true;
        }
        QJsonArray arr = container.toArray();
        const auto index = arrayIndex(key);
        if (!index || *index >= arr.size()) {
            *err = QStringLiteral("error in %1 for path: '%2': ").arg(opName, path) +
                   invalidIndex(index.value_or(-1));
            return false;
        }
        arr.removeAt(*index);
        container = arr;
        return true;
    };
    if (!tokens.isEmpty() && atParent(doc, tokens, 0, remove, &parentMissing, error))
        return true;
    if (tokens.isEmpty() || parentMissing) {
        *error = missing(
            QStringLiteral("%1 operation does not apply: doc is missing path: \"%2\"").arg(opName, path));
    }
    return false;
}

} // namespace

std::optional<QJsonValue> applyJsonPatch(const QJsonValue &target, const QJsonArray &ops, QString *error)
{
    QString err;
    QJsonValue doc = target;
    const auto fail = [&](const QString &message) -> std::optional<QJsonValue> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    for (const QJsonValue &entry : ops) {
        const QJsonObject op = entry.toObject();
        const QString kind = op.value(QLatin1String("op")).toString();
        const QString path = op.value(QLatin1String("path")).toString();
        const QString from = op.value(QLatin1String("from")).toString();
        const bool needsValue =
            kind == QLatin1String("add") || kind == QLatin1String("replace") || kind == QLatin1String("test");
        if (kind != QLatin1String("add") && kind != QLatin1String("remove") &&
            kind != QLatin1String("replace") && kind != QLatin1String("move") &&
            kind != QLatin1String("copy") && kind != QLatin1String("test")) {
            return fail(QStringLiteral("Unexpected kind: ") + kind);
        }
        if (!op.contains(QLatin1String("path")))
            return fail(missing(kind + QStringLiteral(" operation failed to decode path")));
        if (needsValue && !op.contains(QLatin1String("value")))
            return fail(missing(kind + QStringLiteral(" operation failed to decode value")));
        const auto tokens = decodePointer(path);
        if (!tokens)
            return fail(missing(kind + QStringLiteral(" operation does not apply: doc is missing path: \"") +
                                path + QLatin1Char('"')));
        const QJsonValue value = op.value(QLatin1String("value"));

        if (kind == QLatin1String("add")) {
            if (!addAt(doc, *tokens, value, path, &err))
                return fail(err);
        } else if (kind == QLatin1String("remove")) {
            if (!removeAt(doc, *tokens, path, kind, &err))
                return fail(err);
        } else if (kind == QLatin1String("replace")) {
            // Replace is remove + add at the same place, but only if the target exists.
            if (!getAt(doc, *tokens)) {
                return fail(missing(
                    QStringLiteral("replace operation does not apply: doc is missing key: %1").arg(path)));
            }
            if (tokens->isEmpty()) {
                doc = value;
            } else {
                QJsonValue copy = doc;
                if (!removeAt(copy, *tokens, path, kind, &err) || !addAt(copy, *tokens, value, path, &err))
                    return fail(err);
                doc = copy;
            }
        } else if (kind == QLatin1String("test")) {
            const auto actual = getAt(doc, *tokens);
            // A missing member only equals an explicit null, as in the reference implementation.
            const bool equal = actual ? *actual == value : value.isNull();
            if (!equal)
                return fail(QStringLiteral("testing value %1 failed: test failed").arg(path));
        } else { // move, copy
            if (!op.contains(QLatin1String("from")))
                return fail(missing(kind + QStringLiteral(" operation failed to decode from")));
            const auto fromTokens = decodePointer(from);
            const auto moved = fromTokens ? getAt(doc, *fromTokens) : std::nullopt;
            if (!moved) {
                return fail(
                    missing(QStringLiteral("%1 operation does not apply: doc is missing from path: %2")
                                .arg(kind, from)));
            }
            if (kind == QLatin1String("move")) {
                // RFC 6902 4.4: a location cannot be moved into one of its children.
                if (path.startsWith(from + QLatin1Char('/')))
                    return fail(QStringLiteral("move operation does not apply: path %1 is inside from %2")
                                    .arg(path, from));
                if (path == from)
                    continue;
                if (!removeAt(doc, *fromTokens, from, kind, &err))
                    return fail(err);
            }
            if (!addAt(doc, *tokens, *moved, path, &err)) {
                return fail(err.replace(
                    QLatin1String("add operation does not apply: doc is missing path"),
                    kind + QStringLiteral(" operation does not apply: doc is missing destination path")));
            }
        }
    }
    return doc;
}

// ---------------------------------------------------------------------------------------------------------
// Strategic merge patch (apimachinery strategicpatch), reduced to what built-in types declare.

namespace {

const QLatin1String kPatchDirective("$patch");
const QLatin1String kRetainKeys("$retainKeys");
const QLatin1String kSetElementOrder("$setElementOrder/");
const QLatin1String kDeleteFromPrimitiveList("$deleteFromPrimitiveList/");

bool isContainerList(const QString &field)
{
    return field == QLatin1String("containers") || field == QLatin1String("initContainers") ||
           field == QLatin1String("ephemeralContainers");
}

// The patchMergeKey of a list field, from k8s.io/api struct tags; "" means the list is replaced as a whole.
// `parent` is the field holding the list's owner, which tells container ports from service ports.
QString mergeKeyFor(const QString &field, const QString &parent)
{
    if (isContainerList(field) || field == QLatin1String("volumes") || field == QLatin1String("env") ||
        field == QLatin1String("imagePullSecrets") || field == QLatin1String("resourceClaims") ||
        field == QLatin1String("schedulingGates"))
        return QStringLiteral("name");
    if (field == QLatin1String("volumeMounts"))
        return QStringLiteral("mountPath");
    if (field == QLatin1String("volumeDevices"))
        return QStringLiteral("devicePath");
    if (field == QLatin1String("ports"))
        return isContainerList(parent) ? QStringLiteral("containerPort") : QStringLiteral("port");
    if (field == QLatin1String("conditions"))
        return QStringLiteral("type");
    if (field == QLatin1String("addresses") && parent == QLatin1String("status"))
        return QStringLiteral("type");
    if (field == QLatin1String("hostAliases") || field == QLatin1String("podIPs") ||
        field == QLatin1String("hostIPs"))
        return QStringLiteral("ip");
    if (field == QLatin1String("ownerReferences"))
        return QStringLiteral("uid");
    if (field == QLatin1String("topologySpreadConstraints"))
        return QStringLiteral("topologyKey");
    return QString();
}

// Primitive lists with patchStrategy "merge": the patch adds to them instead of replacing them.
bool isMergedPrimitiveList(const QString &field)
{
    return field == QLatin1String("finalizers");
}

QString compact(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    return v.toVariant().toString();
}

class StrategicMerge
{
public:
    QString error;

    // Merges `patch` into `target`; *deleted tells the caller to drop the whole map ($patch: delete).
    bool mergeMap(QJsonObject &target, const QJsonObject &patch, const QStringList &path, bool *deleted)
    {
        *deleted = false;
        if (patch.contains(kPatchDirective)) {
            const QString directive = patch.value(kPatchDirective).toString();
            if (directive == QLatin1String("delete")) {
                *deleted = true;
                return true;
            }
            if (directive == QLatin1String("replace")) {
                QJsonObject content = patch;
                content.remove(kPatchDirective);
                QJsonObject fresh;
                bool ignored = false;
                if (!mergeMap(fresh, content, path, &ignored))
                    return false;
                target = fresh;
                return true;
            }
            if (directive != QLatin1String("merge")) {
                error = QStringLiteral("unknown patch type: %1 in map: %2")
                            .arg(compact(patch.value(kPatchDirective)), compact(patch));
                return false;
            }
        }

        std::optional<QStringList> retain;
        if (patch.contains(kRetainKeys)) {
            const QJsonValue keys = patch.value(kRetainKeys);
            if (!keys.isArray()) {
                error = QStringLiteral("invalid patch format of retainKeys");
                return false;
            }
            retain = QStringList();
            for (const QJsonValue &k : keys.toArray()) {
                if (!k.isString()) {
                    error = QStringLiteral("invalid patch format of retainKeys");
                    return false;
                }
                *retain << k.toString();
            }
            for (auto it = patch.begin(); it != patch.end(); ++it) {
                if (!it.key().startsWith(QLatin1Char('$')) && !retain->contains(it.key())) {
                    error = QStringLiteral("patch content doesn't match retainKeys list");
                    return false;
                }
            }
        }

        // Deletions from primitive lists apply to the original before the patch adds anything.
        for (auto it = patch.begin(); it != patch.end(); ++it) {
            if (!it.key().startsWith(kDeleteFromPrimitiveList))
                continue;
            if (!it.value().isArray()) {
                error = QStringLiteral("invalid patch format of primitive list");
                return false;
            }
            const QString field = it.key().mid(kDeleteFromPrimitiveList.size());
            if (!target.value(field).isArray())
                continue;
            const QJsonArray doomed = it.value().toArray();
            QJsonArray kept;
            for (const QJsonValue &v : target.value(field).toArray()) {
                if (!doomed.contains(v))
                    kept.append(v);
            }
            target.insert(field, kept);
        }

        for (auto it = patch.begin(); it != patch.end(); ++it) {
            const QString &key = it.key();
            if (key.startsWith(QLatin1Char('$')))
                continue;
            const QJsonValue value = it.value();
            if (value.isNull()) {
                target.remove(key);
            } else if (value.isObject()) {
                QJsonObject child = target.value(key).toObject();
                bool childDeleted = false;
                if (!mergeMap(child, value.toObject(), path + QStringList{key}, &childDeleted))
                    return false;
                if (childDeleted)
                    target.remove(key);
                else
                    target.insert(key, child);
            } else if (value.isArray()) {
                QJsonArray child = target.value(key).toArray();
                if (!mergeList(child, value.toArray(), path + QStringList{key}))
                    return false;
                target.insert(key, child);
            } else {
                target.insert(key, value);
            }
        }

        for (auto it = patch.begin(); it != patch.end(); ++it) {
            if (!it.key().startsWith(kSetElementOrder))
                continue;
            if (!it.value().isArray()) {
                error = QStringLiteral("invalid patch format of setElementOrder list");
                return false;
            }
            const QString field = it.key().mid(kSetElementOrder.size());
            if (target.value(field).isArray()) {
                const QString parent = path.isEmpty() ? QString() : path.last();
                target.insert(field, reordered(target.value(field).toArray(), it.value().toArray(),
                                               mergeKeyFor(field, parent)));
            }
        }

        if (retain) {
            const QStringList keys = target.keys();
            for (const QString &k : keys) {
                if (!retain->contains(k))
                    target.remove(k);
            }
        }
        return true;
    }

private:
    static bool sameKey(const QJsonValue &item, const QJsonValue &wanted, const QString &mergeKey)
    {
        if (mergeKey.isEmpty())
            return item == wanted;
        return item.isObject() && wanted.isObject() &&
               item.toObject().value(mergeKey) == wanted.toObject().value(mergeKey);
    }

    // $setElementOrder: items named in `order` take the places such items occupy, in the listed order; items
    // the patch does not mention (added by someone else) keep their positions.
    static QJsonArray reordered(const QJsonArray &list, const QJsonArray &order, const QString &mergeKey)
    {
        QList<qsizetype> places;
        QList<std::pair<qsizetype, QJsonValue>> ranked;
        for (qsizetype i = 0; i < list.size(); ++i) {
            for (qsizetype j = 0; j < order.size(); ++j) {
                if (sameKey(list.at(i), order.at(j), mergeKey)) {
                    places << i;
                    ranked.append({j, list.at(i)});
                    break;
                }
            }
        }
        std::stable_sort(ranked.begin(), ranked.end(),
                         [](const auto &a, const auto &b) { return a.first < b.first; });
        QJsonArray out = list;
        for (qsizetype n = 0; n < places.size(); ++n)
            out.replace(places[n], ranked[n].second);
        return out;
    }

    bool mergeList(QJsonArray &target, const QJsonArray &patch, const QStringList &path)
    {
        const QString field = path.last();
        const QString parent = path.size() >= 2 ? path.at(path.size() - 2) : QString();

        if (isMergedPrimitiveList(field)) {
            for (const QJsonValue &v : patch) {
                if (!v.isNull() && !target.contains(v))
                    target.append(v);
            }
            return true;
        }

        const QString mergeKey = mergeKeyFor(field, parent);
        const bool allObjects =
            std::all_of(patch.begin(), patch.end(), [](const QJsonValue &v) { return v.isObject(); });
        if (mergeKey.isEmpty() || !allObjects) {
            target = patch; // atomic list
            return true;
        }

        // {"$patch": "replace"} as an element: the rest of the patch list is the new list.
        const bool replaceAll = std::any_of(patch.begin(), patch.end(), [](const QJsonValue &v) {
            return v.toObject().value(kPatchDirective).toString() == QLatin1String("replace");
        });
        if (replaceAll) {
            QJsonArray fresh;
            for (const QJsonValue &v : patch) {
                const QJsonObject item = v.toObject();
                if (item.value(kPatchDirective).toString() == QLatin1String("replace"))
                    continue;
                QJsonObject merged;
                bool deleted = false;
                if (!mergeMap(merged, item, path, &deleted))
                    return false;
                if (!deleted)
                    fresh.append(merged);
            }
            target = fresh;
            return true;
        }

        for (const QJsonValue &v : patch) {
            const QJsonObject item = v.toObject();
            if (!item.contains(mergeKey)) {
                error = QStringLiteral("map: %1 does not contain declared merge key: %2")
                            .arg(compact(item), mergeKey);
                return false;
            }
            qsizetype index = -1;
            for (qsizetype i = 0; i < target.size(); ++i) {
                if (sameKey(target.at(i), item, mergeKey)) {
                    index = i;
                    break;
                }
            }
            if (item.value(kPatchDirective).toString() == QLatin1String("delete")) {
                // Every element with that key goes, as in the reference implementation.
                for (qsizetype i = target.size() - 1; i >= 0; --i) {
                    if (sameKey(target.at(i), item, mergeKey))
                        target.removeAt(i);
                }
                continue;
            }
            QJsonObject merged = index >= 0 ? target.at(index).toObject() : QJsonObject();
            bool deleted = false;
            if (!mergeMap(merged, item, path, &deleted))
                return false;
            if (deleted) {
                if (index >= 0)
                    target.removeAt(index);
            } else if (index >= 0) {
                target.replace(index, merged);
            } else {
                target.append(merged);
            }
        }
        return true;
    }
};

} // namespace

std::optional<QJsonValue> applyStrategicMergePatch(const QJsonValue &target, const QJsonValue &patch,
                                                   QString *error)
{
    if (!patch.isObject()) {
        if (error)
            *error = QStringLiteral(
                "strategic merge patch format is not supported: the patch is not a JSON object");
        return std::nullopt;
    }
    QJsonObject result = target.toObject();
    StrategicMerge merge;
    bool deleted = false;
    if (!merge.mergeMap(result, patch.toObject(), {}, &deleted)) {
        if (error)
            *error = merge.error;
        return std::nullopt;
    }
    return deleted ? QJsonObject() : result;
}

} // namespace cw::sim
