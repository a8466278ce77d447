// SPDX-License-Identifier: Apache-2.0
#include "watchstream.h"

#include "httpconnection.h"
#include "status.h"
#include "table.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScopeGuard>

namespace cw::sim {

namespace {
// Output queued beyond this waits for the socket to drain: bounded memory per slow watcher.
constexpr qint64 highWaterBytes = 4 << 20;
// Small enough that a batch usually fits the socket buffer and is written straight to the kernel.
constexpr size_t historyBatch = 64;
constexpr int dripTickMs = 100;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

WatchStream::WatchStream(HttpConnection *connection, Store *store, WatchOptions options, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_store(store)
    , m_options(std::move(options))
{
    m_objectPrefix = "\",\"object\":{\"kind\":\"" + m_options.served->kind.toLatin1() + "\",\"apiVersion\":\""
                     + m_options.served->apiVersion().toLatin1() + "\",";
    m_bookmarkTimer.setInterval(std::max(m_options.bookmarkIntervalMs, 50));
    m_deadline.setSingleShot(true);
    m_dripTimer.setInterval(dripTickMs);
    m_waitTimer.setInterval(50);
    m_stallTimer.setSingleShot(true);
    m_stallTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_stallTimer, &QTimer::timeout, this, &WatchStream::pump);
    connect(&m_bookmarkTimer, &QTimer::timeout, this, [this] { emitBookmark(); });
    connect(&m_dripTimer, &QTimer::timeout, this, &WatchStream::flushDrip);
    connect(&m_waitTimer, &QTimer::timeout, this, &WatchStream::pump);
    connect(connection, &HttpConnection::drained, this, &WatchStream::pump);
    connect(connection, &HttpConnection::closed, this, &WatchStream::finish);
    connect(store, &Store::changed, this, &WatchStream::pump);
}

void WatchStream::start()
{
    // State first: beginStream() flushes, and the flush can re-enter pump() through drained().
    m_cursor = m_options.fromRv;
    m_initialPending = m_options.initialEvents;
    m_active = true;
    const QByteArray contentType = m_options.asTable ? "application/json;as=Table;v=v1;g=meta.k8s.io"
                                                     : "application/json";
    m_connection->beginStream(200, contentType);
    if (m_initialPending && m_options.notOlderThan > m_store->currentRv()) {
        m_waitClock.start();
        m_waitTimer.start();
    }
    if (m_options.timeoutMs > 0) {
        // Like the watch cache: a last bookmark about 2 s before the deadline, then a clean end.
        if (m_options.bookmarks && m_options.timeoutMs > 2500)
            QTimer::singleShot(m_options.timeoutMs - 2000, this, [this] { emitBookmark(); });
        connect(&m_deadline, &QTimer::timeout, this, [this] {
            if (m_stalledForGood)
                return;
            end();
        });
        m_deadline.start(int(std::min<qint64>(m_options.timeoutMs, INT_MAX)));
    }
    if (m_options.bookmarks)
        m_bookmarkTimer.start();
    pump();
}

bool WatchStream::selected(const SimObject &object) const
{
    if (!m_options.ns.isEmpty() && object.ns != m_options.ns)
        return false;
    return m_options.labels.matches(object.labels) && m_options.fields.matches(object.fields);
}

void WatchStream::appendEvent(QByteArray &out, const char *type, const SimObject &object)
{
    if (m_options.asTable) {
        out += "{\"type\":\"";
        out += type;
        out += "\",\"object\":";
        out += tableObject({&object}, object.rv);
        out += "}\n";
        return;
    }
    const QByteArray &json = object.jsonFor(m_options.served);
    out += "{\"type\":\"";
    out += type;
    out += m_objectPrefix;
    out.append(json.constData() + 1, json.size() - 1);
    out += "}\n";
}

QByteArray WatchStream::tableObject(const QList<const SimObject *> &objects, qint64 rv)
{
    QJsonObject table{{QStringLiteral("kind"), QStringLiteral("Table")},
                      {QStringLiteral("apiVersion"), QStringLiteral("meta.k8s.io/v1")},
                      {QStringLiteral("metadata"),
                       QJsonObject{{QStringLiteral("resourceVersion"), QString::number(rv)}}}};
    if (!m_tableHeaderSent) {
        table.insert(QStringLiteral("columnDefinitions"), tableColumns(m_options.served));
        m_tableHeaderSent = true;
    }
    QJsonArray rows;
    const qint64 now = nowMs();
    for (const SimObject *object : objects) {
        const QJsonObject full = object->toJsonObject(m_options.served);
        QJsonObject row{{QStringLiteral("cells"), tableCells(m_options.served, full, now)}};
        if (m_options.includeObject == QLatin1String("Object")) {
            QJsonObject withType = full;
            withType.insert(QStringLiteral("kind"), m_options.served->kind);
            withType.insert(QStringLiteral("apiVersion"), m_options.served->apiVersion());
            row.insert(QStringLiteral("object"), withType);
        } else if (m_options.includeObject != QLatin1String("None")) {
            row.insert(QStringLiteral("object"),
                       QJsonObject{{QStringLiteral("kind"), QStringLiteral("PartialObjectMetadata")},
                                   {QStringLiteral("apiVersion"), QStringLiteral("meta.k8s.io/v1")},
                                   {QStringLiteral("metadata"), full.value(QStringLiteral("metadata"))}});
        }
        rows.append(row);
    }
    table.insert(QStringLiteral("rows"), rows);
    return QJsonDocument(table).toJson(QJsonDocument::Compact);
}

QByteArray WatchStream::errorLine(int code, const QString &reason, const QString &message) const
{
    StatusError status{code, reason, message, {}, 0};
    return "{\"type\":\"ERROR\",\"object\":" + status.toBytes() + "}\n";
}

void WatchStream::send(const QByteArray &data)
{
    if (data.isEmpty() || !m_connection)
        return;
    if (m_dripUntilMs > 0) {
        m_dripBuffer += data;
        return;
    }
    m_connection->writeChunk(data);
}

void WatchStream::pump()
{
    if (!m_active || m_pumping || !m_connection)
        return;
    if (m_stalledForGood)
        return;
    if (const qint64 left = m_stalledUntilMs - nowMs(); left > 0) {
        // A timer may fire early: the stall's end is waited for until it has really come.
        if (!m_stallTimer.isActive())
            m_stallTimer.start(int(left) + 1);
        return;
    }
    m_pumping = true;
    const auto done = qScopeGuard([this] { m_pumping = false; });
    if (m_initialPending) {
        if (m_options.notOlderThan > m_store->currentRv()) {
            if (m_waitClock.isValid() && m_waitClock.elapsed() >= m_options.tooLargeWaitMs) {
                const StatusError e = StatusError::tooLargeResourceVersion(m_options.notOlderThan, m_store->currentRv());
                end(errorLine(e.code, e.reason, e.message));
            }
            return;
        }
        m_waitTimer.stop();
        m_snapshotRv = m_store->currentRv();
        const QList<ObjectPtr> objects = m_store->list(m_options.served, m_options.ns);
        for (const ObjectPtr &object : objects) {
            if (selected(*object))
                m_initial.push_back(object);
        }
        m_cursor = m_snapshotRv;
        m_initialPending = false;
        if (m_initial.empty() && m_options.initialEventsEndBookmark)
            emitBookmark(true);
    }
    while (m_active && m_connection && m_connection->pendingBytes() < highWaterBytes
           && m_dripBuffer.size() < highWaterBytes) {
        QByteArray out;
        if (!m_initial.empty()) {
            for (int n = 0; n < int(historyBatch) && !m_initial.empty(); ++n) {
                appendEvent(out, "ADDED", *m_initial.front());
                m_initial.pop_front();
            }
            send(out);
            if (m_initial.empty() && m_options.initialEventsEndBookmark)
                emitBookmark(true);
            continue;
        }
        if (!m_store->canWatchFrom(m_cursor)) {
            // This watcher fell behind the retained window: the real cache ends it the same way.
            end(errorLine(410, QStringLiteral("Expired"),
                          QStringLiteral("too old resource version: %1 (%2)")
                              .arg(m_cursor)
                              .arg(m_store->oldestHistoryRv() - 1)));
            return;
        }
        const std::vector<StoreEvent> batch = m_store->eventsAfter(m_cursor, historyBatch);
        if (batch.empty())
            return;
        const ResourceType *storage = m_options.served->storageType();
        qsizetype expected = 0;
        for (const StoreEvent &event : batch)
            expected += event.object->json.size() + 128;
        out.reserve(expected);
        for (const StoreEvent &event : batch) {
            m_cursor = event.rv;
            if (event.object->type != storage)
                continue;
            const bool now = event.type != EventType::Deleted && selected(*event.object);
            const bool before = event.previous && selected(*event.previous);
            if (event.type == EventType::Deleted) {
                if (before)
                    appendEvent(out, "DELETED", *event.object);
            } else if (now && before) {
                appendEvent(out, "MODIFIED", *event.object);
            } else if (now) {
                appendEvent(out, "ADDED", *event.object);
            } else if (before) {
                // Left the selection: DELETED with the previous content at the new RV.
                appendEvent(out, "DELETED", *Store::restamp(event.previous, event.rv));
            }
        }
        send(out);
    }
}

void WatchStream::emitBookmark(bool initialEnd)
{
    if (!m_active || !m_connection || m_stalledForGood || m_stalledUntilMs > nowMs())
        return;
    if (!initialEnd && (!m_options.bookmarks || !m_initial.empty() || m_initialPending))
        return;
    // A bookmark promises everything up to its RV was delivered: only when caught up.
    if (!initialEnd && !m_store->eventsAfter(m_cursor, 1).empty())
        return;
    const qint64 rv = initialEnd ? m_snapshotRv : m_store->currentRv();
    if (!initialEnd)
        m_cursor = std::max(m_cursor, rv);
    if (m_options.asTable) {
        send("{\"type\":\"BOOKMARK\",\"object\":" + tableObject({}, rv) + "}\n");
        return;
    }
    QByteArray line = "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"" + m_options.served->kind.toLatin1()
                      + "\",\"apiVersion\":\"" + m_options.served->apiVersion().toLatin1()
                      + "\",\"metadata\":{\"resourceVersion\":\"" + QByteArray::number(rv) + '"';
    if (initialEnd)
        line += ",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}";
    line += '}';
    // Zero-valued objects leak type-specific empty fields; clients must cope (protocol doc §3.6).
    if (m_options.served->kind == QLatin1String("Pod"))
        line += ",\"spec\":{\"containers\":null},\"status\":{}";
    line += "}}\n";
    send(line);
}

void WatchStream::end(const QByteArray &lastLine)
{
    if (!m_active)
        return;
    if (!lastLine.isEmpty() && m_connection)
        m_connection->writeChunk(lastLine);
    if (!m_dripBuffer.isEmpty() && m_connection)
        m_connection->writeChunk(m_dripBuffer);
    m_dripBuffer.clear();
    if (m_connection)
        m_connection->endStream();
    finish();
}

void WatchStream::finish()
{
    if (!m_active)
        return;
    m_active = false;
    m_bookmarkTimer.stop();
    m_deadline.stop();
    m_dripTimer.stop();
    m_waitTimer.stop();
    disconnect(m_store, nullptr, this, nullptr);
    emit finished();
    deleteLater();
}

qint64 WatchStream::lag() const
{
    if (m_initialPending || !m_initial.empty())
        return std::max<qint64>(1, m_store->currentRv() - m_cursor);
    return std::max<qint64>(0, m_store->currentRv() - m_cursor);
}

void WatchStream::drop(bool reset)
{
    if (!m_active || !m_connection)
        return;
    // Tear the next event in half on the wire, then cut the connection.
    QByteArray pending;
    const std::vector<StoreEvent> next = m_store->eventsAfter(m_cursor, 1);
    if (!next.empty())
        appendEvent(pending, "MODIFIED", *next.front().object);
    else
        pending = "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"" + m_options.served->kind.toLatin1() + "\"}}\n";
    const QByteArray half = pending.left(std::max<qsizetype>(1, pending.size() / 2));
    m_connection->writeRaw(QByteArray::number(pending.size(), 16) + "\r\n" + half);
    m_connection->socket()->flush();
    HttpConnection *connection = m_connection;
    m_active = false;
    if (reset)
        connection->resetConnection();
    else
        connection->closeConnection();
    m_active = true;
    finish();
}

void WatchStream::stall(int ms)
{
    if (ms <= 0) {
        m_stalledForGood = true;
        m_bookmarkTimer.stop();
        return;
    }
    m_stalledUntilMs = nowMs() + ms;
    m_stallTimer.start(ms + 1);
}

void WatchStream::closeEarly()
{
    end();
}

void WatchStream::injectMalformedLine()
{
    if (m_active)
        send("{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"" + m_options.served->kind.toLatin1()
             + "\",\"metadata\":{\"name\":\"torn\",\"resourceVersion\":\n");
}

void WatchStream::slowDrip(qint64 bytesPerSecond, int ms)
{
    m_dripBytesPerSecond = std::max<qint64>(bytesPerSecond, 10);
    m_dripUntilMs = nowMs() + ms;
    m_dripTimer.start();
}

void WatchStream::flushDrip()
{
    if (!m_connection || !m_active)
        return;
    const qint64 slice = std::max<qint64>(1, m_dripBytesPerSecond * dripTickMs / 1000);
    m_connection->writeChunk(m_dripBuffer.left(slice));
    m_dripBuffer.remove(0, std::min<qsizetype>(slice, m_dripBuffer.size()));
    if (nowMs() >= m_dripUntilMs) {
        m_dripUntilMs = 0;
        m_dripTimer.stop();
        m_connection->writeChunk(m_dripBuffer);
        m_dripBuffer.clear();
        pump();
    }
}

void WatchStream::expire()
{
    end(errorLine(410, QStringLiteral("Expired"),
                  QStringLiteral("too old resource version: %1 (%2)").arg(m_cursor).arg(m_store->currentRv())));
}

} // namespace cw::sim
