// SPDX-License-Identifier: Apache-2.0
#include "objectstore.h"

#include <QSet>

namespace cw::watch {

QString ObjectStore::keyOf(const ObjectRecord &object)
{
    return object.ns.isEmpty() ? object.name : object.ns + QLatin1Char('/') + object.name;
}

Change ObjectStore::apply(ChangeType type, ObjectRef object, qint64 receivedMs)
{
    Change change;
    change.type = type;
    change.receivedMs = receivedMs;
    const Key key = Key::of(*object);
    if (type == ChangeType::Deleted) {
        change.previous = m_objects.take(key);
    } else {
        auto it = m_objects.find(key);
        if (it == m_objects.end()) {
            m_objects.insert(key, object);
        } else {
            change.previous = std::exchange(it.value(), object);
        }
    }
    change.object = std::move(object);
    return change;
}

QList<Change> ObjectStore::diff(const QList<ObjectRef> &items) const
{
    QList<Change> changes;
    QSet<Key> listed;
    listed.reserve(items.size());
    for (const ObjectRef &item : items) {
        const Key key = Key::of(*item);
        listed.insert(key);
        const ObjectRef old = m_objects.value(key);
        if (!old) {
            changes.append(Change{ChangeType::Added, item, nullptr, false, {}, 0});
        } else if (old->uid != item->uid) {
            // Same name, another object: the old one's deletion and the new one's creation both happened.
            changes.append(Change{ChangeType::Deleted, old, old, false, {}, 0});
            changes.append(Change{ChangeType::Added, item, nullptr, false, {}, 0});
        } else if (old->resourceVersion != item->resourceVersion) {
            changes.append(Change{ChangeType::Modified, item, old, false, {}, 0});
        }
    }
    // Tombstones: the last known state of every object deleted while nobody was listening.
    for (auto it = m_objects.cbegin(); it != m_objects.cend(); ++it) {
        if (!listed.contains(it.key()))
            changes.append(Change{ChangeType::Deleted, it.value(), it.value(), false, {}, 0});
    }
    return changes;
}

QList<Change> ObjectStore::replace(const QList<ObjectRef> &items, bool recovered, const QString &reason,
                                   qint64 receivedMs)
{
    if (m_objects.isEmpty()) {
        // Nothing to compare with (the initial list): every item is an ADDED, and each key is made once.
        QList<Change> changes;
        changes.reserve(items.size());
        m_objects.reserve(items.size());
        for (const ObjectRef &item : items) {
            Change change{ChangeType::Added, item, nullptr, recovered, recovered ? reason : QString(),
                          receivedMs};
            changes.append(std::move(change));
            m_objects.insert(Key::of(*item), item);
        }
        return changes;
    }
    QList<Change> changes = diff(items);
    for (Change &change : changes) {
        change.recovered = recovered;
        if (recovered)
            change.recoveredReason = reason;
        change.receivedMs = receivedMs;
    }
    QHash<Key, ObjectRef> next;
    next.reserve(items.size());
    for (const ObjectRef &item : items) {
        // Unchanged objects keep the instance consumers already hold.
        const Key key = Key::of(*item);
        const ObjectRef old = m_objects.value(key);
        const bool same = old && old->uid == item->uid && old->resourceVersion == item->resourceVersion;
        next.insert(key, same ? old : item);
    }
    m_objects = std::move(next);
    return changes;
}

} // namespace cw::watch
