// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "selector.h"
#include "store.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <deque>

namespace cw::sim {

class HttpConnection;

struct WatchOptions
{
    const ResourceType *served = nullptr;
    QString ns; // empty: all namespaces
    LabelSelector labels;
    FieldSelector fields;
    qint64 fromRv = 0;                // deliver history events with rv > fromRv
    bool initialEvents = false;       // synthetic ADDED for the current state first (RV ""/"0", streaming list)
    bool initialEventsEndBookmark = false;
    qint64 notOlderThan = 0;          // streaming list with RV N: the snapshot must be at least N
    bool bookmarks = false;
    int bookmarkIntervalMs = 60'000;
    qint64 timeoutMs = 0;
    int tooLargeWaitMs = 3000;
    bool asTable = false;
    QString includeObject;            // Table rows: None | Metadata | Object
};

// One open WATCH: writes the store's history to the connection, filtered for this watcher, one compact
// event per line, with backpressure. Everything a real watch does, and every stream fault.
class WatchStream : public QObject
{
    Q_OBJECT
public:
    WatchStream(HttpConnection *connection, Store *store, WatchOptions options, QObject *parent = nullptr);
    void start();

    const ResourceType *served() const { return m_options.served; }
    bool isActive() const { return m_active; }
    // How far behind the store this watcher is, in resourceVersions (0: caught up).
    qint64 lag() const;

    // Faults.
    void drop(bool reset);
    void stall(int ms); // 0: for good
    void closeEarly();
    void injectMalformedLine();
    void slowDrip(qint64 bytesPerSecond, int ms);
    void expire();

signals:
    void finished();

private:
    void pump();
    void finish();
    void end(const QByteArray &lastLine = {});
    void emitBookmark(bool initialEnd = false);
    void send(const QByteArray &data);
    void flushDrip();
    bool selected(const SimObject &object) const;
    void appendEvent(QByteArray &out, const char *type, const SimObject &object);
    QByteArray tableObject(const QList<const SimObject *> &objects, qint64 rv);
    QByteArray errorLine(int code, const QString &reason, const QString &message) const;

    QPointer<HttpConnection> m_connection;
    Store *m_store;
    WatchOptions m_options;
    QByteArray m_objectPrefix; // ,"object":{"kind":"Pod","apiVersion":"v1",
    std::deque<ObjectPtr> m_initial;
    qint64 m_cursor = 0;
    qint64 m_snapshotRv = 0;
    bool m_active = false;
    bool m_initialPending = false;
    bool m_stalledForGood = false;
    bool m_tableHeaderSent = false;
    qint64 m_stalledUntilMs = 0;
    qint64 m_dripUntilMs = 0;
    qint64 m_dripBytesPerSecond = 0;
    QByteArray m_dripBuffer;
    QTimer m_bookmarkTimer;
    QTimer m_deadline;
    QTimer m_dripTimer;
    QTimer m_waitTimer;
    QTimer m_stallTimer; // ends a timed stall
    QElapsedTimer m_waitClock;
    bool m_pumping = false;
};

} // namespace cw::sim
