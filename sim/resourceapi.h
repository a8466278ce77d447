// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "httpconnection.h"
#include "status.h"
#include "store.h"

#include <QObject>

#include <functional>
#include <optional>

namespace cw::sim {

class WatchStream;

// What a caller may do: the sim's three built-in roles.
enum class Access { Admin, Viewer, None };
struct Identity
{
    QString user;
    QStringList groups;
    Access access = Access::None;
};

struct ApiSettings
{
    bool watchList = true;            // false: old-server mode, sendInitialEvents answers 422
    int bookmarkIntervalMs = 60'000;  // real servers: about a minute
    int minRequestTimeoutSec = 1800;  // watch deadline without timeoutSeconds: random [min, 2*min)
    int tooLargeWaitMs = 3000;        // how long a too-new RV waits before 504 (watch cache: 3 s)
    int maxGraceSec = 2;              // graceful pod deletion is shortened to this, so demos stay lively
    bool inconsistentContinue = true; // 410 for an expired continue token offers a fresh (rv -1) token
};

// A parsed resource URL: /api/v1/..., /apis/{group}/{version}/...
struct ResourcePath
{
    const ResourceType *type = nullptr;
    QString ns;
    QString name;
    QString subresource;
    bool legacyWatch = false; // /api/v1/watch/... forces watch mode
};

// The resource endpoints of the sim: LIST, GET, WATCH, create, replace, patch, delete.
class ResourceApi : public QObject
{
    Q_OBJECT
public:
    ResourceApi(Store *store, ApiSettings settings, QObject *parent = nullptr);

    // Returns false when the path is not a resource path (the caller answers 404).
    static std::optional<ResourcePath> parsePath(const QString &path, StatusError *error);
    static bool isWatchRequest(const HttpRequest &request, const ResourcePath &path);
    static QString verbOf(const HttpRequest &request, const ResourcePath &path);

    void handle(HttpConnection *connection, const HttpRequest &request, const ResourcePath &path);
    const ApiSettings &settings() const { return m_settings; }

signals:
    void watchStarted(cw::sim::WatchStream *stream);

private:
    void get(HttpConnection *c, const HttpRequest &r, const ResourcePath &p);
    void list(HttpConnection *c, const HttpRequest &r, const ResourcePath &p, int attempt);
    void watch(HttpConnection *c, const HttpRequest &r, const ResourcePath &p);
    void create(HttpConnection *c, const HttpRequest &r, const ResourcePath &p);
    void replace(HttpConnection *c, const HttpRequest &r, const ResourcePath &p);
    void patch(HttpConnection *c, const HttpRequest &r, const ResourcePath &p);
    void remove(HttpConnection *c, const HttpRequest &r, const ResourcePath &p);
    void removeCollection(HttpConnection *c, const HttpRequest &r, const ResourcePath &p);

    WriteResult deleteObject(const ResourceType *served, const ObjectPtr &object, std::optional<qint64> grace,
                             bool cascade);
    void collectDependents(const QString &ownerUid);
    std::optional<QJsonObject> parseBody(HttpConnection *c, const HttpRequest &r, const ResourcePath &p);
    void sendObject(HttpConnection *c, int code, const ResourceType *served, const ObjectPtr &object,
                    const HttpRequest &r);
    void sendTable(HttpConnection *c, const ResourceType *served, const QList<ObjectPtr> &objects,
                   const QJsonObject &listMeta, const HttpRequest &r);

    Store *m_store;
    ApiSettings m_settings;
};

void sendStatus(HttpConnection *connection, const StatusError &error);
QByteArray withTypeMeta(const ResourceType *served, const QByteArray &json);
bool wantsTable(const HttpRequest &request);

} // namespace cw::sim
