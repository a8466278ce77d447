// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "simthread.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QTcpSocket>
#include <QTemporaryDir>

#include <memory>

namespace cw::test {

struct ProcessResult
{
    int exitCode = -1;
    bool timedOut = false;
    QByteArray out;
    QByteArray err;
};
// Runs a program to completion (killed after timeoutMs). Never use it for anything but loopback peers.
ProcessResult runProcess(const QString &program, const QStringList &args, int timeoutMs = 60'000,
                         const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

struct HttpResponse
{
    int code = 0;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    bool ok() const { return code > 0; }
    QJsonObject json() const;
};

// A raw HTTP/1.1 watch on a plain socket: reads the chunked body incrementally so tests can see the wire.
class RawStream
{
public:
    bool open(quint16 port, const QByteArray &target, const QByteArray &token, int timeoutMs = 5000);
    int status() const { return m_status; }
    QByteArray header(const char *name) const { return m_headers.value(QByteArray(name)); }
    // Complete lines received so far plus those arriving within timeoutMs, until `count` are there.
    QList<QByteArray> lines(int count, int timeoutMs = 5000);
    // Bytes of body data seen (decoded from chunks), including incomplete lines.
    QByteArray bodySoFar() const { return m_body; }
    // Waits for the server to end the response (terminating chunk) or the connection.
    bool waitEnd(int timeoutMs = 5000);
    bool endedCleanly() const { return m_endChunk; }
    bool connectionClosed() const;
    QAbstractSocket::SocketError socketError() const { return m_socket ? m_socket->error() : QAbstractSocket::UnknownSocketError; }
    // True if no byte arrived for the whole period.
    bool silentFor(int ms);

private:
    bool pump(int timeoutMs);
    void decode();

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_raw;
    QByteArray m_body;
    QHash<QByteArray, QByteArray> m_headers;
    int m_status = 0;
    bool m_headDone = false;
    bool m_endChunk = false;
    qsizetype m_lineStart = 0;
    QList<QByteArray> m_lines;
};

// An in-process sim on its own thread, plain HTTP by default, with fixed test tokens.
class SimFixture
{
public:
    static constexpr const char *adminToken = "test-admin-token";
    static constexpr const char *viewerToken = "test-viewer-token";
    static constexpr const char *controlToken = "test-control-token";
    static sim::SimConfig defaultConfig(); // small static cluster: 2 namespaces, 2 nodes, 20 pods, no churn

    explicit SimFixture(sim::SimConfig config = defaultConfig());
    bool start();
    quint16 port() const { return quint16(m_thread->url().port()); }
    QUrl url() const { return m_thread->url(); }
    QString kubeconfigPath() const { return m_kubeconfigPath; }
    sim::SimThread &thread() { return *m_thread; }
    QString dir() const { return m_dir.path(); }

    HttpResponse request(const QByteArray &method, const QByteArray &target, const QByteArray &body = {},
                         const QList<QPair<QByteArray, QByteArray>> &headers = {},
                         const QByteArray &token = adminToken);
    QJsonObject control(const QByteArray &method, const QByteArray &path, const QJsonObject &body = {});
    QJsonObject inject(const QJsonObject &fault) { return control("POST", "/sim/v1/faults", fault); }
    qint64 currentRv();
    int podCount();
    void setChurn(bool enabled);

private:
    sim::SimConfig m_config;
    std::unique_ptr<sim::SimThread> m_thread;
    QTemporaryDir m_dir;
    QString m_kubeconfigPath;
};

} // namespace cw::test
