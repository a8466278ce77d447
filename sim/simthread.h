// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "simserver.h"

#include <QThread>

#include <functional>
#include <mutex>

namespace cw::sim {

// Runs a SimServer on a thread of its own: the app's demo cluster and the tests' server.
class SimThread
{
public:
    explicit SimThread(SimConfig config);
    ~SimThread();
    SimThread(const SimThread &) = delete;
    SimThread &operator=(const SimThread &) = delete;

    // Blocks until the server listens (or failed to).
    bool start(QString *error);
    void stop();
    QUrl url() const { return m_url; }
    // Runs `work` on the server's thread and waits for it.
    void invoke(const std::function<void(SimServer &)> &work);
    QByteArray kubeconfig();

private:
    SimConfig m_config;
    QThread m_thread;
    SimServer *m_server = nullptr;
    QUrl m_url;
    // Taken at the end of every blocking call and by the caller after it: the caller then provably sees
    // what the call did, also to ThreadSanitizer, which cannot see the mutex inside Qt's event queue.
    std::mutex m_handoff;
};

} // namespace cw::sim
