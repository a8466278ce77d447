// SPDX-License-Identifier: Apache-2.0
#include "simfixture.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>

namespace cw::test {

ProcessResult runProcess(const QString &program, const QStringList &args, int timeoutMs,
                         const QProcessEnvironment &env)
{
    ProcessResult result;
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(program, args);
    if (!process.waitForStarted(10'000)) {
        result.err = "cannot start " + program.toUtf8();
        return result;
    }
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        result.timedOut = true;
        process.kill();
        process.waitForFinished(5000);
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

QJsonObject HttpResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

bool RawStream::open(quint16 port, const QByteArray &target, const QByteArray &token, int timeoutMs)
{
    m_socket = std::make_unique<QTcpSocket>();
    m_socket->connectToHost(QHostAddress::LocalHost, port);
    if (!m_socket->waitForConnected(timeoutMs))
        return false;
    QByteArray request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n";
    if (!token.isEmpty())
        request += "Authorization: Bearer " + token + "\r\n";
    request += "\r\n";
    m_socket->write(request);
    m_socket->flush();
    QDeadlineTimer deadline(timeoutMs);
    while (!m_headDone && !deadline.hasExpired()) {
        if (!pump(int(std::max<qint64>(1, deadline.remainingTime()))))
            break;
    }
    return m_headDone;
}

bool RawStream::pump(int timeoutMs)
{
    if (!m_socket)
        return false;
    if (m_socket->bytesAvailable() == 0 && !m_socket->waitForReadyRead(timeoutMs))
        return false;
    m_raw += m_socket->readAll();
    decode();
    return true;
}

void RawStream::decode()
{
    if (!m_headDone) {
        const qsizetype end = m_raw.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = m_raw.left(end).split('\n');
        m_status = lines.value(0).split(' ').value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                m_headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
        }
        m_raw.remove(0, end + 4);
        m_headDone = true;
    }
    const bool chunked = m_headers.value("transfer-encoding").contains("chunked");
    if (!chunked) {
        m_body += m_raw;
        m_raw.clear();
    }
    while (chunked && !m_endChunk) {
        const qsizetype lineEnd = m_raw.indexOf("\r\n");
        if (lineEnd < 0)
            break;
        bool ok = false;
        const qint64 size = m_raw.left(lineEnd).toLongLong(&ok, 16);
        if (!ok)
            break;
        if (size == 0) {
            m_endChunk = true;
            break;
        }
        if (m_raw.size() < lineEnd + 2 + size + 2) {
            // Partial chunk: what has arrived is body data already (a torn event shows here).
            break;
        }
        m_body += m_raw.mid(lineEnd + 2, size);
        m_raw.remove(0, lineEnd + 2 + size + 2);
    }
    qsizetype nl;
    while ((nl = m_body.indexOf('\n', m_lineStart)) >= 0) {
        m_lines.append(m_body.mid(m_lineStart, nl - m_lineStart));
        m_lineStart = nl + 1;
    }
}

QList<QByteArray> RawStream::lines(int count, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (m_lines.size() < count && !deadline.hasExpired() && !m_endChunk) {
        if (!pump(int(std::max<qint64>(1, deadline.remainingTime()))) && connectionClosed())
            break;
    }
    return m_lines;
}

bool RawStream::waitEnd(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!m_endChunk && !deadline.hasExpired()) {
        if (!pump(int(std::max<qint64>(1, deadline.remainingTime()))) && connectionClosed())
            return true;
    }
    return m_endChunk || connectionClosed();
}

bool RawStream::connectionClosed() const
{
    return !m_socket || m_socket->state() != QAbstractSocket::ConnectedState;
}

bool RawStream::silentFor(int ms)
{
    const qsizetype before = m_body.size() + m_raw.size();
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ms) {
        if (m_socket->waitForReadyRead(int(ms - timer.elapsed()))) {
            m_raw += m_socket->readAll();
            decode();
        }
        if (connectionClosed())
            break;
    }
    return m_body.size() + m_raw.size() == before && !connectionClosed();
}

sim::SimConfig SimFixture::defaultConfig()
{
    sim::SimConfig config;
    config.tls = false;
    config.adminToken = adminToken;
    config.viewerToken = viewerToken;
    config.controlToken = controlToken;
    config.shape.namespaces = 2;
    config.shape.nodes = 2;
    config.shape.pods = 20;
    config.churn = false;
    config.logFaults = false;
    return config;
}

SimFixture::SimFixture(sim::SimConfig config)
    : m_config(std::move(config))
{
}

bool SimFixture::start()
{
    m_thread = std::make_unique<sim::SimThread>(m_config);
    QString error;
    if (!m_thread->start(&error)) {
        qWarning("sim did not start: %s", qPrintable(error));
        return false;
    }
    m_kubeconfigPath = m_dir.filePath(QStringLiteral("kubeconfig"));
    QFile file(m_kubeconfigPath);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(m_thread->kubeconfig());
    return true;
}

HttpResponse SimFixture::request(const QByteArray &method, const QByteArray &target, const QByteArray &body,
                                 const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &token)
{
    HttpResponse response;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port());
    if (!socket.waitForConnected(5000))
        return response;
    QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!token.isEmpty())
        request += "Authorization: Bearer " + token + "\r\n";
    bool hasType = false;
    for (const auto &[name, value] : headers) {
        request += name + ": " + value + "\r\n";
        hasType = hasType || name.toLower() == "content-type";
    }
    if (!body.isEmpty() && !hasType)
        request += "Content-Type: application/json\r\n";
    request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    socket.write(request);
    QByteArray raw;
    QDeadlineTimer deadline(30'000);
    while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
        if (socket.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime()))))
            raw += socket.readAll();
    }
    raw += socket.readAll();
    const qsizetype end = raw.indexOf("\r\n\r\n");
    if (end < 0)
        return response;
    const QList<QByteArray> lines = raw.left(end).split('\n');
    response.code = lines.value(0).split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            response.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
    }
    QByteArray rest = raw.mid(end + 4);
    if (response.headers.value("transfer-encoding").contains("chunked")) {
        while (true) {
            const qsizetype lineEnd = rest.indexOf("\r\n");
            const qint64 size = lineEnd < 0 ? 0 : rest.left(lineEnd).toLongLong(nullptr, 16);
            if (size <= 0)
                break;
            response.body += rest.mid(lineEnd + 2, size);
            rest.remove(0, lineEnd + 2 + size + 2);
        }
    } else {
        response.body = rest;
    }
    return response;
}

QJsonObject SimFixture::control(const QByteArray &method, const QByteArray &path, const QJsonObject &body)
{
    const QByteArray payload = body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    return request(method, path, payload, {}, controlToken).json();
}

qint64 SimFixture::currentRv()
{
    qint64 rv = 0;
    m_thread->invoke([&rv](sim::SimServer &s) { rv = s.store()->currentRv(); });
    return rv;
}

int SimFixture::podCount()
{
    int n = 0;
    m_thread->invoke([&n](sim::SimServer &s) {
        n = s.store()->count(sim::findResource(QString(), QStringLiteral("v1"), QStringLiteral("pods")));
    });
    return n;
}

void SimFixture::setChurn(bool enabled)
{
    m_thread->invoke([enabled](sim::SimServer &s) { s.setChurnEnabled(enabled); });
}

} // namespace cw::test
