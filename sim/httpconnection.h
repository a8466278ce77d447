// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QUrlQuery>

#include <functional>

namespace cw::sim {

struct HttpRequest
{
    QByteArray method;
    QByteArray target;
    QString path;     // percent-decoded path without the query
    QUrlQuery query;  // tolerant of "?&watch=true"
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    QByteArray peerCertificateDer; // client certificate when one was presented over TLS
    QString peer;

    QByteArray header(const char *name) const { return headers.value(QByteArray(name)); }
    QString param(const char *name) const { return query.queryItemValue(QLatin1String(name), QUrl::FullyDecoded); }
    bool hasParam(const char *name) const { return query.hasQueryItem(QLatin1String(name)); }
};

// One HTTP/1.1 connection: parses requests one at a time (keep-alive, no pipelining needed by clients) and
// writes fixed-length or chunked responses. Streaming writers watch pendingBytes()/drained() for backpressure.
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    // Takes ownership of the socket (already encrypted or plain).
    explicit HttpConnection(QTcpSocket *socket, QObject *parent = nullptr);
    ~HttpConnection() override;

    using Handler = std::function<void(HttpConnection *, const HttpRequest &)>;
    void setHandler(Handler handler) { m_handler = std::move(handler); }

    void respond(int code, const QByteArray &contentType, const QByteArray &body,
                 const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {});
    // Chunked response; chunks follow with writeChunk(), the end with endStream().
    void beginStream(int code, const QByteArray &contentType,
                     const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {});
    void writeChunk(const QByteArray &data);
    void endStream();
    // Raw bytes, bypassing chunk framing (faults: a torn chunk on the wire).
    void writeRaw(const QByteArray &data);
    // Faults: close with RST (SO_LINGER 0) or a plain FIN without finishing the response.
    void resetConnection();
    void closeConnection();

    bool isStreaming() const { return m_streaming; }
    bool isOpen() const;
    qint64 pendingBytes() const;
    QTcpSocket *socket() const { return m_socket; }

    static QByteArray reasonPhrase(int code);
    // Largest request body accepted, like the apiserver's 3 MiB limit.
    static constexpr qint64 maxBodyBytes = 3 * 1024 * 1024;

signals:
    // Pending output fell below the low-water mark: a streaming writer may produce more.
    void drained();
    void closed();

private:
    void onReadyRead();
    void processBuffer();
    void writeHead(int code, const QByteArray &contentType, const QList<QPair<QByteArray, QByteArray>> &extra,
                   qint64 contentLength);
    void finishResponse();
    void fail(int code, const QByteArray &message);

    QPointer<QTcpSocket> m_socket;
    Handler m_handler;
    QByteArray m_buffer;
    bool m_busy = false;      // a response to the current request is not finished yet
    bool m_streaming = false; // chunked response in progress
    bool m_closeAfter = false;
    bool m_gone = false;
};

} // namespace cw::sim
