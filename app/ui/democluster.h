// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "kubeconfig.h"
#include "session.h"

#include <QString>
#include <QTemporaryDir>
#include <QTimer>

#include <memory>

namespace cw::sim {
class SimThread;
}

namespace cw::ui {

// The built-in demo cluster: the sim on its own thread in this process, over HTTPS on 127.0.0.1, with churn
// and a fault schedule, so that a first-time user sees live pods, reconnects and gaps within a minute.
class DemoCluster
{
public:
    struct Options
    {
        int pods = 300;
        double podChangesPerSecond = 4;
        bool faults = true;
        double faultMeanIntervalSec = 40; // frequent enough to see one in the first minute, rare enough to read
        int firstFaultMs = 10'000;        // a 410 Expired early on: the relist and its gap are the point of a demo
        // Churn simulated before the first request is answered (about 2 s of the sim thread's time): the
        // cluster opens lived-in, with restarts and Events, instead of filling up over the first minutes.
        int warmUpSeconds = 90;
        quint32 seed = 1;
    };

    DemoCluster();
    explicit DemoCluster(Options options);
    ~DemoCluster();

    // Starts the server; false with a readable reason when it cannot listen.
    bool start(QString *error);
    // The context for the session: its own kubeconfig, kept in a private temporary folder.
    std::optional<watch::ResolvedContext> context(QString *error) const;
    static QString contextName();
    // The session options for watching it: base, with a stall noticed within seconds, not a minute and a
    // half (its server sends bookmarks every few seconds).
    watch::SessionOptions sessionOptions(watch::SessionOptions base) const;
    sim::SimThread *server() const { return m_server.get(); }

private:
    // A demo runs for minutes: a stalled stream should show as such within its first one.
    static constexpr int BookmarkIntervalMs = 5000;
    Options m_options;
    std::unique_ptr<sim::SimThread> m_server;
    QTemporaryDir m_dir;
    QString m_kubeconfig;
    std::unique_ptr<QTimer> m_firstFault;
};

} // namespace cw::ui
