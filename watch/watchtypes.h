// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "watchevent.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <memory>

namespace cw::watch {

// One stored object: immutable and shared between the store, batches and every consumer.
using ObjectRef = std::shared_ptr<const ObjectRecord>;

// A served resource as discovery describes it.
struct ApiResource
{
    QString group;   // "" for the core group
    QString version; // preferred version
    QString resource; // plural, "pods"
    QString singular;
    QString kind;
    bool namespaced = true;
    QStringList shortNames;
    QStringList verbs;
    QStringList categories;
    QString groupResource() const { return group.isEmpty() ? resource : resource + QLatin1Char('.') + group; }
};

// What one stream (one informer) watches.
struct ResourceSpec
{
    ApiResource api;
    QString ns; // empty: all namespaces (or a cluster-scoped resource)
    QString labelSelector;
    QString fieldSelector;
    // Stable, readable id: "pods", "deployments.apps@shop", "pods@demo?l=app=web&f=status.phase=Running".
    QString id() const;
};

enum class ChangeType { Added, Modified, Deleted };

struct Change
{
    ChangeType type = ChangeType::Added;
    ObjectRef object;   // for Deleted: the last known state
    ObjectRef previous; // null for Added
    // Synthesized by a relist diff: the watch missed this change during a gap.
    bool recovered = false;
    QString recoveredReason; // e.g. "relist after 410 Expired"
    qint64 receivedMs = 0;   // wall clock, ms since epoch
};

// A span during which the stream may have missed changes, and what the relist recovered.
struct Gap
{
    QString stream;
    qint64 startMs = 0;
    qint64 endMs = 0;
    QString cause; // "410 Expired", "stalled", "connection reset", "network lost", ...
    int added = 0;
    int modified = 0;
    int deleted = 0;
};

enum class StreamState { Connecting, Listing, Live, Backoff, Stalled, Offline, Failed, Stopped };
QString streamStateName(StreamState state);

// A typed error. watch/ never builds user-facing sentences beyond `message`; the app words the rest.
struct StreamError
{
    enum class Kind { Config, Auth, Forbidden, NotFound, Invalid, Network, Protocol, Server };
    Kind kind = Kind::Network;
    int httpCode = 0;
    QString reason;  // Status reason ("Expired", "Forbidden", ...)
    QString message; // never contains a credential
};

// One state transition or notable fact about a stream, with its counters at that moment.
struct HealthEvent
{
    qint64 timeMs = 0;
    QString stream;
    StreamState state = StreamState::Connecting;
    // What happened: "connected", "closed by server", "stalled", "410 expired", "relist start", "relist end",
    // "backoff", "auth failure", "network lost", "resumed", "error", ...
    QString reason;
    QString detail;
    qint64 bytes = 0;
    qint64 events = 0;
    qint64 reconnects = 0;
    qint64 relists = 0;
    qint64 gaps = 0;
    qint64 stalls = 0;
    qint64 errors = 0;
    qint64 backoffMs = 0; // the wait this event starts, if any
    QString lastResourceVersion;
    int httpCode = 0;
};

// A stream's counters when its batch left the watch thread: what charts, freshness badges and progress bars
// read. Every stream sends a batch at least once a second, so these stay current even when nothing changes.
struct StreamSample
{
    qint64 timeMs = 0; // wall clock, ms since epoch
    StreamState state = StreamState::Connecting;
    qint64 bytes = 0;  // totals since the stream started
    qint64 events = 0;
    qint64 lastByteMs = 0;   // 0: nothing received yet
    qint64 lastEventMs = 0;  // the last change the store took, 0: none yet
    qint64 staleSinceMs = 0; // 0: live; otherwise the store may miss changes made since then
    qint64 retryAtMs = 0;    // 0: no backoff wait running; otherwise when it ends
    qint64 listed = 0;       // items the running (or last) list has received
    qint64 listTotal = -1;   // listed + remainingItemCount once the server said; -1: unknown
    bool listing = false;    // a list is running (initial sync or relist)
    qint64 objects = 0;      // in the store
};

// What consumers receive from a stream: coalesced, over queued connections, in order.
struct Batch
{
    QString stream;
    // A (re)list completed: `snapshot` is the complete new content and replaces everything before it.
    bool reset = false;
    QList<ObjectRef> snapshot;
    // In order. With reset: the ADDED of an initial list, or the changes a relist recovered (flagged).
    QList<Change> changes;
    QList<HealthEvent> health;
    QList<Gap> gaps;
    StreamSample sample;
};

// The outcome of verify(): a fresh LIST compared with the store, without replacing it.
struct VerifyResult
{
    QString stream;
    QString listedResourceVersion;
    int missing = 0; // listed but not in the store
    int extra = 0;   // in the store but not listed
    int stale = 0;   // in both with different resourceVersions
    QStringList examples; // a few "ns/name" keys of each kind of difference
    std::optional<StreamError> error;
};

// One object fetched afresh by ClusterSession::fetch (with its managedFields: nothing is stripped).
struct FetchResult
{
    QString stream;
    QString ns;
    QString name;
    QByteArray object; // the server's JSON; empty on error
    std::optional<StreamError> error;
};

} // namespace cw::watch

Q_DECLARE_METATYPE(cw::watch::Batch)
Q_DECLARE_METATYPE(cw::watch::FetchResult)
Q_DECLARE_METATYPE(cw::watch::VerifyResult)
Q_DECLARE_METATYPE(cw::watch::StreamError)
Q_DECLARE_METATYPE(cw::watch::ApiResource)
