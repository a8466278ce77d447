// SPDX-License-Identifier: Apache-2.0
#include "store.h"

#include "eventconv.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUuid>

#include <algorithm>

namespace cw::sim {

const char *eventTypeName(EventType type)
{
    switch (type) {
    case EventType::Added:
        return "ADDED";
    case EventType::Modified:
        return "MODIFIED";
    case EventType::Deleted:
        return "DELETED";
    }
    return "ERROR";
}

QJsonObject SimObject::toJsonObject(const ResourceType *served) const
{
    return QJsonDocument::fromJson(jsonFor(served)).object();
}

bool SimObject::isTerminating() const
{
    return json.contains("\"deletionTimestamp\":");
}

namespace {

QString stringAt(const QJsonObject &object, QStringView path)
{
    QJsonValue v = object;
    for (const QStringView part : path.split(QLatin1Char('.')))
        v = v.toObject().value(part);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isDouble())
        return QString::number(v.toInteger());
    return v.toString();
}

} // namespace

void deriveIndexes(const ResourceType *storage, const QJsonObject &object, SimObject &out)
{
    const QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    out.labels.clear();
    const QJsonObject labels = meta.value(QLatin1String("labels")).toObject();
    for (auto it = labels.begin(); it != labels.end(); ++it)
        out.labels.insert(it.key(), it.value().toString());
    out.fields.clear();
    out.fields.insert(QStringLiteral("metadata.name"), out.name);
    if (storage->namespaced)
        out.fields.insert(QStringLiteral("metadata.namespace"), out.ns);
    for (const QString &label : storage->extraFieldLabels) {
        if (label == QLatin1String("source"))
            out.fields.insert(label, stringAt(object, u"source.component"));
        else
            out.fields.insert(label, stringAt(object, label));
    }
    // The events.k8s.io alias selects on its own field names; index them from the converted form.
    for (const ResourceType *t : servedResources()) {
        if (t->storage != storage)
            continue;
        const QJsonObject alias = QJsonDocument::fromJson(out.aliasJson).object();
        for (const QString &label : t->extraFieldLabels)
            out.fields.insert(label, stringAt(alias, label));
    }
}

Store::Store(qint64 firstRv, QObject *parent)
    : QObject(parent)
    , m_rv(firstRv)
    , m_lastCompactionMs(QDateTime::currentMSecsSinceEpoch())
{
}

QString Store::timestamp(qint64 msecsSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch, Qt::UTC).toString(Qt::ISODate);
}

qint64 Store::oldestHistoryRv() const
{
    return m_history.empty() ? m_rv + 1 : m_history.front().rv;
}

bool Store::canWatchFrom(qint64 rv) const
{
    // Everything after rv must still be in history; an empty history can serve only "now".
    if (m_history.empty())
        return rv >= m_compactedRv;
    return rv >= m_history.front().rv - 1;
}

ObjectPtr Store::latest(const ResourceType *storage, const QString &key) const
{
    const auto bucket = m_buckets.constFind(storage);
    if (bucket == m_buckets.cend())
        return {};
    const auto it = bucket->find(key);
    if (it == bucket->end() || it->second.empty())
        return {};
    return it->second.back().object;
}

ObjectPtr Store::get(const ResourceType *type, const QString &ns, const QString &name) const
{
    const ResourceType *storage = type->storageType();
    return latest(storage, storage->namespaced ? ns + QLatin1Char('/') + name : name);
}

int Store::count(const ResourceType *type) const
{
    return m_liveCounts.value(type->storageType());
}

size_t Store::versionCount() const
{
    size_t n = 0;
    for (const Bucket &bucket : m_buckets) {
        for (const auto &entry : bucket)
            n += entry.second.size();
    }
    return n;
}

QList<ObjectPtr> Store::list(const ResourceType *type, const QString &ns, qint64 atRv, const QString &afterKey,
                             int limit, bool *more, qint64 *remaining,
                             const std::function<bool(const SimObject &)> &filter) const
{
    QList<ObjectPtr> out;
    if (more)
        *more = false;
    if (remaining)
        *remaining = 0;
    const auto bucket = m_buckets.constFind(type->storageType());
    if (bucket == m_buckets.cend())
        return out;
    const QString prefix = ns.isEmpty() ? QString() : ns + QLatin1Char('/');
    auto it = afterKey.isEmpty() ? (prefix.isEmpty() ? bucket->begin() : bucket->lower_bound(prefix))
                                 : bucket->upper_bound(afterKey);
    if (!afterKey.isEmpty() && !prefix.isEmpty() && it != bucket->end() && !it->first.startsWith(prefix))
        it = bucket->lower_bound(prefix);
    for (; it != bucket->end(); ++it) {
        if (!prefix.isEmpty() && !it->first.startsWith(prefix))
            break;
        const Chain &chain = it->second;
        ObjectPtr object;
        if (atRv <= 0 || atRv >= m_rv) {
            object = chain.back().object;
        } else {
            for (auto v = chain.rbegin(); v != chain.rend(); ++v) {
                if (v->rv <= atRv) {
                    object = v->object;
                    break;
                }
            }
        }
        if (!object || (filter && !filter(*object)))
            continue;
        if (limit > 0 && out.size() >= limit) {
            if (more)
                *more = true;
            if (!remaining)
                break;
            ++*remaining;
            continue;
        }
        out.append(object);
    }
    return out;
}

ObjectPtr Store::finish(const ResourceType *storage, QJsonObject object, const ObjectPtr &previous) const
{
    auto out = std::make_shared<SimObject>();
    out->type = storage;
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    out->name = meta.value(QLatin1String("name")).toString();
    out->ns = storage->namespaced ? meta.value(QLatin1String("namespace")).toString() : QString();
    out->uid = meta.value(QLatin1String("uid")).toString();
    out->rv = m_rv;
    meta.insert(QLatin1String("resourceVersion"), QString::number(m_rv));
    if (previous && previous->uid == out->uid) {
        // Generation counts spec changes only, as on a real server.
        const QJsonObject old = previous->toJsonObject();
        qint64 generation = old.value(QLatin1String("metadata")).toObject().value(QLatin1String("generation")).toInteger(1);
        if (old.value(QLatin1String("spec")) != object.value(QLatin1String("spec")))
            ++generation;
        if (storage->plural != QLatin1String("events") && storage->plural != QLatin1String("configmaps")
            && storage->plural != QLatin1String("secrets"))
            meta.insert(QLatin1String("generation"), generation);
    }
    object.insert(QLatin1String("metadata"), meta);
    object.remove(QLatin1String("kind"));
    object.remove(QLatin1String("apiVersion"));
    out->json = QJsonDocument(object).toJson(QJsonDocument::Compact);
    if (storage->plural == QLatin1String("events") && storage->group.isEmpty())
        out->aliasJson = QJsonDocument(coreEventToEventsV1(object)).toJson(QJsonDocument::Compact);
    deriveIndexes(storage, object, *out);
    return out;
}

void Store::record(EventType type, const ObjectPtr &object, const ObjectPtr &previous)
{
    StoreEvent event{type, object->rv, QDateTime::currentMSecsSinceEpoch(), object, previous};
    m_history.push_back(event);
    while (m_history.size() > m_historyCapacity)
        m_history.pop_front();
    emit changed(event);
}

WriteResult Store::create(const ResourceType *served, QJsonObject object)
{
    const ResourceType *storage = served->storageType();
    if (served->isAlias())
        object = eventsV1ToCoreEvent(object);
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    QString name = meta.value(QLatin1String("name")).toString();
    const QString generateName = meta.value(QLatin1String("generateName")).toString();
    if (name.isEmpty() && !generateName.isEmpty()) {
        static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
        QString suffix;
        quint64 seed = quint64(m_rv) * 2654435761ULL + quint64(m_liveCounts.value(storage));
        for (int i = 0; i < 5; ++i) {
            suffix += QLatin1Char(alphabet[seed % 27]);
            seed = seed / 27 + 7919 * (i + 1);
        }
        name = generateName + suffix;
        meta.insert(QLatin1String("name"), name);
    }
    const QString ns = storage->namespaced ? meta.value(QLatin1String("namespace")).toString() : QString();
    const QString key = storage->namespaced ? ns + QLatin1Char('/') + name : name;
    if (latest(storage, key)) {
        return {nullptr, 409, QStringLiteral("AlreadyExists"),
                served->groupResource() + QStringLiteral(" \"") + name + QStringLiteral("\" already exists")};
    }
    ++m_rv;
    meta.insert(QLatin1String("uid"), QUuid::createUuid().toString(QUuid::WithoutBraces));
    if (!meta.contains(QLatin1String("creationTimestamp")) || meta.value(QLatin1String("creationTimestamp")).isNull())
        meta.insert(QLatin1String("creationTimestamp"), nowTimestamp());
    if (storage->plural != QLatin1String("events") && storage->plural != QLatin1String("configmaps")
        && storage->plural != QLatin1String("secrets") && storage->plural != QLatin1String("namespaces"))
        meta.insert(QLatin1String("generation"), 1);
    meta.remove(QLatin1String("resourceVersion"));
    object.insert(QLatin1String("metadata"), meta);
    ObjectPtr stored = finish(storage, std::move(object), nullptr);
    m_buckets[storage][key].push_back({stored->rv, stored});
    ++m_liveCounts[storage];
    record(EventType::Added, stored, nullptr);
    return WriteResult::success(stored);
}

WriteResult Store::update(const ResourceType *served, QJsonObject object)
{
    const ResourceType *storage = served->storageType();
    if (served->isAlias())
        object = eventsV1ToCoreEvent(object);
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    const QString name = meta.value(QLatin1String("name")).toString();
    const QString ns = storage->namespaced ? meta.value(QLatin1String("namespace")).toString() : QString();
    const QString key = storage->namespaced ? ns + QLatin1Char('/') + name : name;
    const ObjectPtr previous = latest(storage, key);
    if (!previous) {
        return {nullptr, 404, QStringLiteral("NotFound"),
                served->groupResource() + QStringLiteral(" \"") + name + QStringLiteral("\" not found")};
    }
    const QString rv = meta.value(QLatin1String("resourceVersion")).toString();
    if (!rv.isEmpty() && rv != QString::number(previous->rv)) {
        return {nullptr, 409, QStringLiteral("Conflict"),
                QStringLiteral("Operation cannot be fulfilled on ") + served->groupResource() + QStringLiteral(" \"")
                    + name + QStringLiteral("\": the object has been modified; please apply your changes to the "
                                            "latest version and try again")};
    }
    // Identity fields are the server's, whatever the client sent.
    const QJsonObject oldMeta = previous->toJsonObject().value(QLatin1String("metadata")).toObject();
    for (const char *field : {"uid", "creationTimestamp", "name", "namespace", "generateName"}) {
        const QLatin1String f(field);
        if (oldMeta.contains(f))
            meta.insert(f, oldMeta.value(f));
    }
    ++m_rv;
    object.insert(QLatin1String("metadata"), meta);
    ObjectPtr stored = finish(storage, std::move(object), previous);
    m_buckets[storage][key].push_back({stored->rv, stored});
    record(EventType::Modified, stored, previous);
    return WriteResult::success(stored);
}

WriteResult Store::remove(const ResourceType *served, const QString &ns, const QString &name,
                          std::optional<qint64> preconditionRv)
{
    const ResourceType *storage = served->storageType();
    const QString key = storage->namespaced ? ns + QLatin1Char('/') + name : name;
    const ObjectPtr previous = latest(storage, key);
    if (!previous) {
        return {nullptr, 404, QStringLiteral("NotFound"),
                served->groupResource() + QStringLiteral(" \"") + name + QStringLiteral("\" not found")};
    }
    if (preconditionRv && *preconditionRv != previous->rv) {
        return {nullptr, 409, QStringLiteral("Conflict"),
                QStringLiteral("Operation cannot be fulfilled on ") + served->groupResource() + QStringLiteral(" \"")
                    + name + QStringLiteral("\": the ResourceVersion in the precondition (")
                    + QString::number(*preconditionRv) + QStringLiteral(") does not match the ResourceVersion in "
                                                                         "record (")
                    + QString::number(previous->rv) + QStringLiteral("). The object might have been modified")};
    }
    ++m_rv;
    // DELETED carries the last state stamped with the deletion RV (protocol doc §3.5).
    ObjectPtr last = restamp(previous, m_rv);
    Chain &chain = m_buckets[storage][key];
    chain.push_back({m_rv, nullptr});
    --m_liveCounts[storage];
    record(EventType::Deleted, last, previous);
    return WriteResult::success(last);
}

namespace {

// Replaces the first `"resourceVersion":"OLD"` in `json`. Kubernetes JSON never contains that pattern
// unescaped anywhere but metadata (annotations holding JSON have their quotes escaped).
QByteArray spliceRv(const QByteArray &json, qint64 oldRv, qint64 newRv)
{
    const QByteArray needle = "\"resourceVersion\":\"" + QByteArray::number(oldRv) + '"';
    const qsizetype at = json.indexOf(needle);
    if (at < 0)
        return json;
    QByteArray out;
    out.reserve(json.size() + 4);
    out.append(json.constData(), at);
    out.append("\"resourceVersion\":\"");
    out.append(QByteArray::number(newRv));
    out.append('"');
    out.append(json.constData() + at + needle.size(), json.size() - at - needle.size());
    return out;
}

} // namespace

ObjectPtr Store::restamp(const ObjectPtr &object, qint64 rv)
{
    auto copy = std::make_shared<SimObject>(*object);
    copy->json = spliceRv(object->json, object->rv, rv);
    if (!copy->aliasJson.isEmpty())
        copy->aliasJson = spliceRv(object->aliasJson, object->rv, rv);
    copy->rv = rv;
    return copy;
}

ObjectPtr Store::touch(const ObjectPtr &object)
{
    ++m_rv;
    ObjectPtr stored = restamp(object, m_rv);
    m_buckets[object->type][object->key()].push_back({stored->rv, stored});
    record(EventType::Modified, stored, object);
    return stored;
}

std::vector<StoreEvent> Store::eventsAfter(qint64 afterRv, size_t max) const
{
    std::vector<StoreEvent> out;
    auto it = std::upper_bound(m_history.begin(), m_history.end(), afterRv,
                               [](qint64 rv, const StoreEvent &e) { return rv < e.rv; });
    for (; it != m_history.end() && (max == 0 || out.size() < max); ++it)
        out.push_back(*it);
    return out;
}

void Store::setHistoryLimits(size_t capacity, int windowSeconds)
{
    m_historyCapacity = std::max<size_t>(capacity, 1);
    m_historyWindowSec = windowSeconds;
    while (m_history.size() > m_historyCapacity)
        m_history.pop_front();
}

void Store::maintain()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 horizon = now - qint64(m_historyWindowSec) * 1000;
    while (!m_history.empty() && m_history.front().timeMs < horizon)
        m_history.pop_front();
    if (now - m_lastCompactionMs >= qint64(m_compactionIntervalSec) * 1000) {
        // Like etcd's periodic compaction: compact to the revision seen one interval ago, so a continue
        // token stays usable for one to two intervals.
        m_lastCompactionMs = now;
        if (m_compactionCandidateRv > m_compactedRv)
            compactTo(m_compactionCandidateRv);
        m_compactionCandidateRv = m_rv;
    }
}

void Store::compactTo(qint64 rv)
{
    for (auto &bucket : m_buckets) {
        for (auto it = bucket.begin(); it != bucket.end();) {
            Chain &chain = it->second;
            // Keep the newest version at or below rv (the state at rv) and everything after it.
            auto keep = chain.end();
            for (auto v = chain.begin(); v != chain.end(); ++v) {
                if (v->rv <= rv)
                    keep = v;
            }
            if (keep != chain.end())
                chain.erase(chain.begin(), keep);
            if (chain.size() == 1 && !chain.front().object)
                it = bucket.erase(it);
            else
                ++it;
        }
    }
    m_compactedRv = std::max(m_compactedRv, rv);
}

void Store::compactNow()
{
    compactTo(m_rv);
    m_history.clear();
    m_lastCompactionMs = QDateTime::currentMSecsSinceEpoch();
    m_compactionCandidateRv = m_rv;
    emit historyReset();
}

void Store::rewind(qint64 back)
{
    const qint64 target = std::max<qint64>(m_compactedRv, m_rv - std::max<qint64>(back, 0));
    m_liveCounts.clear();
    for (auto b = m_buckets.begin(); b != m_buckets.end(); ++b) {
        for (auto it = b->begin(); it != b->end();) {
            Chain &chain = it->second;
            while (!chain.empty() && chain.back().rv > target)
                chain.pop_back();
            if (chain.empty()) {
                it = b->erase(it);
                continue;
            }
            if (chain.back().object)
                ++m_liveCounts[b.key()];
            ++it;
        }
    }
    m_rv = target;
    m_history.clear();
    // A restored server's history starts at the restored revision: anything older is gone (410).
    m_compactedRv = target;
    m_compactionCandidateRv = std::min(m_compactionCandidateRv, target);
    emit historyReset();
}

} // namespace cw::sim
