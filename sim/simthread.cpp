// SPDX-License-Identifier: Apache-2.0
#include "simthread.h"

namespace cw::sim {

SimThread::SimThread(SimConfig config)
    : m_config(std::move(config))
{
    m_thread.setObjectName(QStringLiteral("clusterwatch-sim"));
}

SimThread::~SimThread()
{
    stop();
}

bool SimThread::start(QString *error)
{
    // Posted to an object living on the thread: its event dispatcher may not exist yet right after start().
    QObject context;
    context.moveToThread(&m_thread);
    m_thread.start();
    bool ok = false;
    QString message;
    QMetaObject::invokeMethod(
        &context,
        [this, &ok, &message, &context] {
            m_server = new SimServer(m_config);
            ok = m_server->start(&message);
            m_url = m_server->url();
            context.moveToThread(nullptr);
            const std::lock_guard done(m_handoff);
        },
        Qt::BlockingQueuedConnection);
    const std::lock_guard after(m_handoff);
    if (!ok) {
        stop();
        if (error)
            *error = message;
    }
    return ok;
}

void SimThread::stop()
{
    if (!m_thread.isRunning())
        return;
    if (m_server) {
        SimServer *server = m_server;
        m_server = nullptr;
        QMetaObject::invokeMethod(
            server,
            [this, server] {
                delete server;
                const std::lock_guard done(m_handoff);
            },
            Qt::BlockingQueuedConnection);
        const std::lock_guard after(m_handoff);
    }
    m_thread.quit();
    m_thread.wait();
}

void SimThread::invoke(const std::function<void(SimServer &)> &work)
{
    if (!m_server)
        return;
    QMetaObject::invokeMethod(
        m_server,
        [this, &work] {
            work(*m_server);
            const std::lock_guard done(m_handoff);
        },
        Qt::BlockingQueuedConnection);
    const std::lock_guard after(m_handoff);
}

QByteArray SimThread::kubeconfig()
{
    QByteArray out;
    invoke([&out](SimServer &s) { out = s.kubeconfig(); });
    return out;
}

} // namespace cw::sim
