// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "watchtypes.h"

#include <QHash>
#include <QList>
#include <QString>

namespace cw::watch {

// The current content of one stream, key "ns/name" (or "name" for cluster-scoped objects) -> object.
// One writer: the stream's informer, in the watch thread. Consumers never touch it; they receive the same
// immutable ObjectRefs in batches, so sharing costs a reference count, not a copy.
class ObjectStore
{
public:
    // "ns/name", or "name" for cluster-scoped objects: for messages and consumers' own indexes.
    static QString keyOf(const ObjectRecord &object);

    // A watch event: stores (or removes) the object and returns the change to report. For Deleted the
    // event's object is the last state (with the deletion resourceVersion), as the server sends it.
    Change apply(ChangeType type, ObjectRef object, qint64 receivedMs);

    // A relist completed: `items` become the whole content at once. Returns, in `items` order followed by
    // the vanished keys, the ADDED / MODIFIED / DELETED that explain the difference; with `recovered` they
    // are flagged as changes a gap hid (with `reason`). An object whose uid changed was deleted and
    // re-created under the same name: that is a Deleted and an Added, not a Modified.
    QList<Change> replace(const QList<ObjectRef> &items, bool recovered, const QString &reason,
                          qint64 receivedMs);

    // What replace() would report, without replacing anything.
    QList<Change> diff(const QList<ObjectRef> &items) const;

    ObjectRef find(const ObjectRecord &object) const { return m_objects.value(Key::of(object)); }
    QList<ObjectRef> snapshot() const { return m_objects.values(); }
    qsizetype size() const { return m_objects.size(); }

private:
    // Both parts share their data with the object's own strings: a lookup allocates nothing.
    struct Key
    {
        QString ns;
        QString name;
        static Key of(const ObjectRecord &object) { return Key{object.ns, object.name}; }
        friend bool operator==(const Key &a, const Key &b) { return a.name == b.name && a.ns == b.ns; }
        friend size_t qHash(const Key &key, size_t seed = 0) { return qHashMulti(seed, key.ns, key.name); }
    };
    QHash<Key, ObjectRef> m_objects;
};

} // namespace cw::watch
