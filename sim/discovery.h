// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

namespace cw::sim {

// Discovery documents (protocol doc §5). Legacy roots carry no apiVersion, like the real server.
QByteArray versionDocument();
QByteArray coreVersionsDocument();           // GET /api
QByteArray groupListDocument();              // GET /apis
QByteArray groupDocument(const QString &group); // GET /apis/{group}; empty when unknown
QByteArray resourceListDocument(const QString &group, const QString &version); // empty when unknown
// Aggregated discovery v2 for /api (core = true) or /apis.
QByteArray aggregatedDocument(bool core);
inline constexpr const char *aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

} // namespace cw::sim
