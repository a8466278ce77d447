// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "churn.h"
#include "faults.h"
#include "objects.h"
#include "pki.h"
#include "resourceapi.h"

#include <QJsonArray>
#include <QObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTimer>
#include <QUrl>

#include <memory>

namespace cw::sim {

class WatchStream;

struct SimConfig
{
    quint16 port = 0;  // 0: ephemeral
    bool tls = true;   // HTTPS with the sim's own CA; false: plain HTTP
    QString caCertFile; // optional CA to issue from instead of a fresh one
    QString caKeyFile;
    // Credentials: random when empty. The viewer may only read (not secrets); noaccess may do nothing.
    QByteArray adminToken;
    QByteArray viewerToken;
    QByteArray noAccessToken;
    QByteArray controlToken; // the control API (/sim/v1/...) refuses every request without it
    ClusterShape shape;
    bool churn = true;
    ChurnConfig churnConfig;
    ApiSettings api;
    int historyWindowSec = 75;        // the watch cache keeps about 75 s of events
    int historyCapacity = 100'000;    // and is bounded in count
    int compactionIntervalSec = 300;  // etcd compacts every 5 minutes by default
    // Seeded fault schedule: a random kind from the list at exponentially distributed intervals.
    QList<FaultKind> scheduleKinds;
    double scheduleMeanIntervalSec = 30;
    quint32 scheduleSeed = 1;
    bool logFaults = true; // one stderr line per injected fault
};

class Listener : public QTcpServer
{
    Q_OBJECT
signals:
    void accepted(qintptr descriptor);

protected:
    void incomingConnection(qintptr descriptor) override { emit accepted(descriptor); }
};

// The simulated Kubernetes API server. Lives on one thread; start() there.
class SimServer : public QObject
{
    Q_OBJECT
public:
    explicit SimServer(SimConfig config, QObject *parent = nullptr);
    ~SimServer() override;

    bool start(QString *error);
    quint16 port() const { return m_port; }
    QUrl url() const;
    Store *store() { return &m_store; }
    const SimConfig &config() const { return m_config; }
    const Pki &pki() const { return m_pki; }

    // A kubeconfig with contexts for every built-in identity: clusterwatch-sim (admin token, current),
    // -viewer, -noaccess, -cert (client certificate); plus the control token as user clusterwatch-sim-control.
    QByteArray kubeconfig() const;
    bool writeKubeconfig(const QString &path, QString *error) const;

    FaultRecord injectFault(const FaultSpec &spec);
    QList<FaultRecord> faultLog() const { return m_faultLog; }
    // Exact current objects of a type (namespace, name, uid, resourceVersion) for differential tests.
    QJsonObject truth(const ResourceType *type) const;
    int openWatchCount() const;
    qint64 maxWatchLag() const;
    void setChurnEnabled(bool enabled);

signals:
    void faultInjected(const cw::sim::FaultRecord &record);

private:
    void accept(qintptr descriptor);
    void dispatch(HttpConnection *connection, const HttpRequest &request);
    void control(HttpConnection *connection, const HttpRequest &request);
    std::optional<Identity> authenticate(const HttpRequest &request) const;
    bool applyArmedFault(HttpConnection *connection, const HttpRequest &request, const ResourcePath &path);
    QList<WatchStream *> streamsFor(const FaultSpec &spec);
    void scheduleNextFault();
    bool listen(QString *error);
    void relisten();

    SimConfig m_config;
    Store m_store;
    Pki m_pki;
    IssuedCert m_adminCert;
    Listener m_listener;
    quint16 m_port = 0;
    std::unique_ptr<ResourceApi> m_api;
    std::unique_ptr<Churn> m_churn;
    QList<QPointer<WatchStream>> m_streams;
    QList<QPointer<HttpConnection>> m_connections;
    QList<FaultRecord> m_faultLog;
    struct Armed
    {
        int recordIndex;
        int remaining;
    };
    QList<Armed> m_armed;
    QTimer m_maintenance;
    QTimer m_scheduleTimer;
    QRandomGenerator m_scheduleRandom;
    bool m_unavailable = false;
};

} // namespace cw::sim
