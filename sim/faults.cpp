// SPDX-License-Identifier: Apache-2.0
#include "faults.h"

#include "store.h"

namespace cw::sim {

namespace {
struct KindName
{
    FaultKind kind;
    const char *name;
};
constexpr KindName kindNames[] = {
    {FaultKind::Drop, "drop"},
    {FaultKind::Stall, "stall"},
    {FaultKind::Close, "close"},
    {FaultKind::Compact, "compact"},
    {FaultKind::Expire, "expire"},
    {FaultKind::GoneAtConnect, "gone-at-connect"},
    {FaultKind::Throttle, "throttle"},
    {FaultKind::ErrorStatus, "error-status"},
    {FaultKind::Malformed, "malformed"},
    {FaultKind::SlowDrip, "slow-drip"},
    {FaultKind::Rewind, "rewind"},
    {FaultKind::Unavailable, "unavailable"},
    {FaultKind::EmptyWatch, "empty-watch"},
};
} // namespace

QString faultKindName(FaultKind kind)
{
    for (const auto &k : kindNames) {
        if (k.kind == kind)
            return QString::fromLatin1(k.name);
    }
    return {};
}

std::optional<FaultKind> faultKindFromName(const QString &name)
{
    for (const auto &k : kindNames) {
        if (name == QLatin1String(k.name))
            return k.kind;
    }
    return std::nullopt;
}

QList<FaultKind> allFaultKinds()
{
    QList<FaultKind> kinds;
    for (const auto &k : kindNames)
        kinds << k.kind;
    return kinds;
}

QJsonObject FaultSpec::toJson() const
{
    QJsonObject json{{QStringLiteral("kind"), faultKindName(kind)}};
    if (!mode.isEmpty())
        json.insert(QStringLiteral("mode"), mode);
    if (code)
        json.insert(QStringLiteral("code"), code);
    if (kind == FaultKind::GoneAtConnect || kind == FaultKind::Throttle || kind == FaultKind::ErrorStatus
        || kind == FaultKind::EmptyWatch)
        json.insert(QStringLiteral("count"), count);
    if (seconds > 0)
        json.insert(QStringLiteral("seconds"), seconds);
    if (amount)
        json.insert(QStringLiteral("amount"), amount);
    if (!resource.isEmpty())
        json.insert(QStringLiteral("resource"), resource);
    return json;
}

FaultSpec FaultSpec::withDefaults(FaultKind kind)
{
    FaultSpec spec;
    spec.kind = kind;
    switch (kind) {
    case FaultKind::Drop:
        spec.mode = QStringLiteral("rst");
        break;
    case FaultKind::Stall:
        spec.seconds = 0;
        break;
    case FaultKind::Throttle:
        spec.seconds = 1;
        break;
    case FaultKind::ErrorStatus:
        spec.code = 503;
        break;
    case FaultKind::SlowDrip:
        spec.amount = 2048;
        spec.seconds = 5;
        break;
    case FaultKind::Rewind:
        spec.amount = 20;
        break;
    case FaultKind::Unavailable:
        spec.seconds = 3;
        break;
    default:
        break;
    }
    return spec;
}

std::optional<FaultSpec> FaultSpec::fromJson(const QJsonObject &json, QString *error)
{
    const auto kind = faultKindFromName(json.value(QStringLiteral("kind")).toString());
    if (!kind) {
        *error = QStringLiteral("unknown fault kind \"") + json.value(QStringLiteral("kind")).toString()
                 + QStringLiteral("\"");
        return std::nullopt;
    }
    FaultSpec spec = withDefaults(*kind);
    if (json.contains(QStringLiteral("mode")))
        spec.mode = json.value(QStringLiteral("mode")).toString();
    if (spec.kind == FaultKind::Drop && spec.mode != QLatin1String("rst") && spec.mode != QLatin1String("fin")) {
        *error = QStringLiteral("drop mode must be \"rst\" or \"fin\"");
        return std::nullopt;
    }
    spec.code = json.value(QStringLiteral("code")).toInt(spec.code);
    if (spec.kind == FaultKind::ErrorStatus && !QList<int>{401, 403, 500, 503, 504}.contains(spec.code)) {
        *error = QStringLiteral("error-status code must be one of 401, 403, 500, 503, 504");
        return std::nullopt;
    }
    spec.count = json.value(QStringLiteral("count")).toInt(spec.count);
    spec.seconds = json.value(QStringLiteral("seconds")).toDouble(spec.seconds);
    spec.amount = json.value(QStringLiteral("amount")).toInteger(spec.amount);
    spec.resource = json.value(QStringLiteral("resource")).toString();
    if (spec.count < 1 || spec.seconds < 0 || spec.amount < 0) {
        *error = QStringLiteral("count must be positive, seconds and amount not negative");
        return std::nullopt;
    }
    return spec;
}

QJsonObject FaultRecord::toJson() const
{
    QJsonObject json = spec.toJson();
    json.insert(QStringLiteral("id"), id);
    json.insert(QStringLiteral("time"), Store::timestamp(timeMs));
    json.insert(QStringLiteral("affected"), affected);
    return json;
}

} // namespace cw::sim
