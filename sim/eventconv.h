// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>

namespace cw::sim {

// core/v1 Event <-> events.k8s.io/v1 Event, following Kubernetes' own conversion (pkg/apis/events/v1):
// renamed fields move, shared fields are copied. Both sides are without kind/apiVersion, as the store
// keeps objects; fields neither version knows are dropped, as the real server drops unknown fields.
QJsonObject coreEventToEventsV1(const QJsonObject &core);
QJsonObject eventsV1ToCoreEvent(const QJsonObject &v1);

} // namespace cw::sim
