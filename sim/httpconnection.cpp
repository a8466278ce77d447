// SPDX-License-Identifier: Apache-2.0
#include "httpconnection.h"

#include <QSslSocket>
#include <QTimer>
#include <QUrl>

#include <sys/socket.h>

namespace cw::sim {

namespace {
// Enough buffered output to keep loopback busy without letting a slow reader grow memory without bound.
constexpr qint64 lowWaterBytes = 1 << 20;
constexpr qsizetype maxHeaderBytes = 1 << 20;
} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
{
    socket->setParent(this);
    connect(socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_socket && m_socket->bytesToWrite() < lowWaterBytes)
            emit drained();
    });
    if (auto *ssl = qobject_cast<QSslSocket *>(socket))
        connect(ssl, &QSslSocket::encryptedBytesWritten, this, [this] {
            if (m_socket && m_socket->bytesToWrite() < lowWaterBytes)
                emit drained();
        });
    connect(socket, &QTcpSocket::disconnected, this, [this] {
        if (m_gone)
            return;
        m_gone = true;
        emit closed();
        deleteLater();
    });
    connect(socket, &QAbstractSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error != QAbstractSocket::RemoteHostClosedError && m_socket)
            m_socket->abort();
    });
}

HttpConnection::~HttpConnection() = default;

bool HttpConnection::isOpen() const
{
    return !m_gone && m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

qint64 HttpConnection::pendingBytes() const
{
    if (!m_socket)
        return 0;
    qint64 pending = m_socket->bytesToWrite();
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket.data()))
        pending += ssl->encryptedBytesToWrite();
    return pending;
}

void HttpConnection::onReadyRead()
{
    if (!m_socket)
        return;
    m_buffer.append(m_socket->readAll());
    processBuffer();
}

void HttpConnection::processBuffer()
{
    while (!m_busy && !m_gone) {
        const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            if (m_buffer.size() > maxHeaderBytes)
                fail(431, "request header fields too large");
            return;
        }
        HttpRequest request;
        const QList<QByteArray> lines = m_buffer.left(headEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            fail(400, "malformed request line");
            return;
        }
        request.method = requestLine[0];
        request.target = requestLine[1];
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray &line = lines[i];
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0) {
                fail(400, "malformed header line");
                return;
            }
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (request.headers.contains(name))
                request.headers[name] += ", " + value;
            else
                request.headers.insert(name, value);
        }
        qsizetype consumed = headEnd + 4;
        if (request.header("transfer-encoding").toLower().contains("chunked")) {
            // Chunked request bodies: decode in place once complete.
            QByteArray body;
            qsizetype pos = consumed;
            bool complete = false;
            while (true) {
                const qsizetype lineEnd = m_buffer.indexOf("\r\n", pos);
                if (lineEnd < 0)
                    break;
                bool ok = false;
                const qint64 size = m_buffer.mid(pos, lineEnd - pos).split(';').value(0).trimmed().toLongLong(&ok, 16);
                if (!ok || size < 0) {
                    fail(400, "malformed chunked body");
                    return;
                }
                if (body.size() + size > maxBodyBytes) {
                    fail(413, "Request entity too large: limit is 3145728");
                    return;
                }
                if (m_buffer.size() < lineEnd + 2 + size + 2)
                    break;
                if (size == 0) {
                    const qsizetype trailerEnd = m_buffer.indexOf("\r\n", lineEnd + 2);
                    if (trailerEnd < 0)
                        break;
                    consumed = trailerEnd + 2;
                    complete = true;
                    break;
                }
                body.append(m_buffer.constData() + lineEnd + 2, size);
                pos = lineEnd + 2 + size + 2;
            }
            if (!complete)
                return;
            request.body = body;
        } else {
            bool ok = true;
            const QByteArray lengthHeader = request.header("content-length");
            const qint64 length = lengthHeader.isEmpty() ? 0 : lengthHeader.toLongLong(&ok);
            if (!ok || length < 0) {
                fail(400, "invalid Content-Length");
                return;
            }
            if (length > maxBodyBytes) {
                fail(413, "Request entity too large: limit is 3145728");
                return;
            }
            if (m_buffer.size() - consumed < length)
                return;
            request.body = m_buffer.mid(consumed, length);
            consumed += length;
        }
        m_buffer.remove(0, consumed);

        const qsizetype q = request.target.indexOf('?');
        const QByteArray rawPath = q < 0 ? request.target : request.target.left(q);
        request.path = QUrl::fromPercentEncoding(rawPath);
        if (q >= 0) {
            // Empty pairs ("?&watch=1") are skipped, '+' means space as in Go's url.ParseQuery.
            QByteArray rawQuery = request.target.mid(q + 1);
            rawQuery.replace('+', "%20");
            request.query.setQuery(QString::fromLatin1(rawQuery));
        }
        m_closeAfter = request.header("connection").toLower() == "close";
        if (auto *ssl = qobject_cast<QSslSocket *>(m_socket.data()); ssl && !ssl->peerCertificate().isNull())
            request.peerCertificateDer = ssl->peerCertificate().toDer();
        request.peer = m_socket->peerAddress().toString();
        m_busy = true;
        if (m_handler)
            m_handler(this, request);
    }
}

QByteArray HttpConnection::reasonPhrase(int code)
{
    switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

void HttpConnection::writeHead(int code, const QByteArray &contentType,
                               const QList<QPair<QByteArray, QByteArray>> &extra, qint64 contentLength)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(code) + ' ' + reasonPhrase(code) + "\r\n";
    head += "Content-Type: " + contentType + "\r\n";
    head += "Cache-Control: no-cache, private\r\n";
    head += "Date: " + QDateTime::currentDateTimeUtc().toString(QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'")).toLatin1() + "\r\n";
    for (const auto &[name, value] : extra)
        head += name + ": " + value + "\r\n";
    if (contentLength >= 0)
        head += "Content-Length: " + QByteArray::number(contentLength) + "\r\n";
    else
        head += "Transfer-Encoding: chunked\r\n";
    if (m_closeAfter)
        head += "Connection: close\r\n";
    head += "\r\n";
    m_socket->write(head);
}

void HttpConnection::respond(int code, const QByteArray &contentType, const QByteArray &body,
                             const QList<QPair<QByteArray, QByteArray>> &extraHeaders)
{
    if (!isOpen() || m_streaming)
        return;
    writeHead(code, contentType, extraHeaders, body.size());
    m_socket->write(body);
    finishResponse();
}

void HttpConnection::beginStream(int code, const QByteArray &contentType,
                                 const QList<QPair<QByteArray, QByteArray>> &extraHeaders)
{
    if (!isOpen())
        return;
    writeHead(code, contentType, extraHeaders, -1);
    m_streaming = true;
    m_socket->flush();
}

void HttpConnection::writeChunk(const QByteArray &data)
{
    if (!isOpen() || !m_streaming || data.isEmpty())
        return;
    m_socket->write(QByteArray::number(data.size(), 16) + "\r\n");
    m_socket->write(data);
    m_socket->write("\r\n", 2);
}

void HttpConnection::writeRaw(const QByteArray &data)
{
    if (isOpen())
        m_socket->write(data);
}

void HttpConnection::endStream()
{
    if (!isOpen() || !m_streaming)
        return;
    m_socket->write("0\r\n\r\n", 5);
    m_streaming = false;
    finishResponse();
}

void HttpConnection::finishResponse()
{
    m_busy = false;
    if (m_closeAfter) {
        m_socket->disconnectFromHost();
        return;
    }
    // The next request may already be buffered.
    if (!m_buffer.isEmpty())
        QTimer::singleShot(0, this, &HttpConnection::processBuffer);
}

void HttpConnection::fail(int code, const QByteArray &message)
{
    m_closeAfter = true;
    m_busy = true;
    writeHead(code, "text/plain; charset=utf-8", {}, message.size());
    m_socket->write(message);
    finishResponse();
}

void HttpConnection::resetConnection()
{
    if (!m_socket || m_gone)
        return;
    struct linger lingerOption{1, 0};
    ::setsockopt(int(m_socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &lingerOption, sizeof lingerOption);
    m_socket->abort();
    if (!m_gone) {
        m_gone = true;
        emit closed();
        deleteLater();
    }
}

void HttpConnection::closeConnection()
{
    if (!m_socket || m_gone)
        return;
    m_socket->disconnectFromHost();
}

} // namespace cw::sim
