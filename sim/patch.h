// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace cw::sim {

// RFC 7386 JSON merge patch (application/merge-patch+json). Cannot fail: every JSON value is a valid patch.
QJsonValue applyMergePatch(const QJsonValue &target, const QJsonValue &patch);

// RFC 6902 JSON patch (application/json-patch+json) incl. test, move, copy, "-" and ~0/~1. All or nothing: on
// the first failing operation returns nullopt and a message worded like the apiserver's (evanphx/json-patch).
std::optional<QJsonValue> applyJsonPatch(const QJsonValue &target, const QJsonArray &ops, QString *error);

// Strategic merge patch as kubectl sends it (apply, edit, label, annotate). An honest approximation: maps
// merge like merge patch; lists of objects merge by the merge key the built-in types declare (name for
// containers, initContainers, volumes, env, imagePullSecrets; mountPath for volumeMounts; containerPort for
// container ports and port for service ports; type for conditions and node addresses; ip for hostAliases; uid
// for ownerReferences); other lists replace, except finalizers (union). Directives $patch
// (replace/delete/merge), $retainKeys, $setElementOrder/<field> (reorder) and
// $deleteFromPrimitiveList/<field> are honoured and never left in the result.
std::optional<QJsonValue> applyStrategicMergePatch(const QJsonValue &target, const QJsonValue &patch,
                                                   QString *error);

} // namespace cw::sim
