// SPDX-License-Identifier: Apache-2.0
#include "eventconv.h"

namespace cw::sim {

namespace {

struct FieldPair
{
    QLatin1String core;
    QLatin1String eventsV1;
};

// Every field of the two Event versions. events.k8s.io/v1 renamed the ones below the blank line;
// a value (null included) moves unchanged, so a round trip is lossless.
constexpr FieldPair eventFields[] = {
    {QLatin1String("metadata"), QLatin1String("metadata")},
    {QLatin1String("eventTime"), QLatin1String("eventTime")},
    {QLatin1String("series"), QLatin1String("series")},
    {QLatin1String("reportingInstance"), QLatin1String("reportingInstance")},
    {QLatin1String("action"), QLatin1String("action")},
    {QLatin1String("reason"), QLatin1String("reason")},
    {QLatin1String("related"), QLatin1String("related")},
    {QLatin1String("type"), QLatin1String("type")},

    {QLatin1String("involvedObject"), QLatin1String("regarding")},
    {QLatin1String("message"), QLatin1String("note")},
    {QLatin1String("reportingComponent"), QLatin1String("reportingController")},
    {QLatin1String("source"), QLatin1String("deprecatedSource")},
    {QLatin1String("firstTimestamp"), QLatin1String("deprecatedFirstTimestamp")},
    {QLatin1String("lastTimestamp"), QLatin1String("deprecatedLastTimestamp")},
    {QLatin1String("count"), QLatin1String("deprecatedCount")},
};

QJsonObject convert(const QJsonObject &in, QLatin1String FieldPair::*from, QLatin1String FieldPair::*to)
{
    QJsonObject out;
    for (const FieldPair &field : eventFields) {
        const auto it = in.constFind(field.*from);
        if (it != in.constEnd())
            out.insert(field.*to, it.value());
    }
    return out;
}

} // namespace

QJsonObject coreEventToEventsV1(const QJsonObject &core)
{
    return convert(core, &FieldPair::core, &FieldPair::eventsV1);
}

QJsonObject eventsV1ToCoreEvent(const QJsonObject &v1)
{
    return convert(v1, &FieldPair::eventsV1, &FieldPair::core);
}

} // namespace cw::sim
