// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace cw::sim {

// Every failure real clusters inflict on watchers, as the sim can inject it.
enum class FaultKind {
    Drop,          // cut open watches mid-event: mode "rst" (TCP reset) or "fin" (plain close)
    Stall,         // open watches stop sending anything, socket kept open (seconds; 0 = for good)
    Close,         // open watches end early and cleanly, like a server-side timeout
    Compact,       // expire history and old versions now: older RVs and continue tokens get 410
    Expire,        // compact, then open watches get the in-stream ERROR 410 Expired and end
    GoneAtConnect, // next `count` watch requests answer HTTP 410
    Throttle,      // next `count` requests answer 429 text/plain with Retry-After (seconds)
    ErrorStatus,   // next `count` requests answer a Status with `code` (401/403/500/503/504)
    Malformed,     // open watches receive one line of invalid JSON, then carry on
    SlowDrip,      // open watches write at most `amount` bytes/s for `seconds`
    Rewind,        // etcd restore: state and counter go back `amount` revisions
    Unavailable,   // every connection cut and the port refuses connections for `seconds`
    EmptyWatch,    // next `count` watch requests get 200 with headers and no events
};

struct FaultSpec
{
    FaultKind kind = FaultKind::Close;
    QString mode;      // Drop: "rst" | "fin"
    int code = 0;      // ErrorStatus
    int count = 1;     // armed faults: how many requests
    double seconds = 0;
    qint64 amount = 0; // SlowDrip bytes/s, Rewind revisions
    QString resource;  // optional plural name limiting stream faults to one resource

    QJsonObject toJson() const;
    static std::optional<FaultSpec> fromJson(const QJsonObject &json, QString *error);
    // A fault of this kind with the parameters the schedule uses.
    static FaultSpec withDefaults(FaultKind kind);
};

QString faultKindName(FaultKind kind);
std::optional<FaultKind> faultKindFromName(const QString &name);
QList<FaultKind> allFaultKinds();

struct FaultRecord
{
    int id = 0;
    qint64 timeMs = 0;
    FaultSpec spec;
    int affected = 0;  // streams or requests it hit so far
    QJsonObject toJson() const;
};

} // namespace cw::sim
