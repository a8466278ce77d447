// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace cw::sim {

// The Content-Type kubectl's typed client uses for write bodies of built-in kinds.
inline constexpr char kProtobufContentType[] = "application/vnd.kubernetes.protobuf";

// Decodes a Kubernetes protobuf body (4-byte magic "k8s\0", then a runtime.Unknown
// {typeMeta=1{apiVersion=1,kind=2}, raw=2, contentEncoding=3, contentType=4}) into the JSON object the
// apiserver would see, including "apiVersion" and "kind" from typeMeta.
//
// Only the kinds kubectl's generators and delete send are understood: ConfigMap, Secret, Namespace and
// DeleteOptions. Fields are mapped the way the Go JSON encoder would print them (omitempty scalars left
// out, bytes as base64, metav1.Time as RFC 3339). On failure returns nullopt and, if error is non-null,
// a message fit for a Status body.
std::optional<QJsonObject> decodeProtobufObject(const QByteArray &body, QString *error);

} // namespace cw::sim
