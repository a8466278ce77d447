// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace cw::sim {

// A metav1.Status failure body, as the apiserver writes it (protocol doc §4.1).
struct StatusError
{
    int code = 500;
    QString reason;
    QString message;
    QJsonObject details;
    int retryAfterSeconds = 0;

    QJsonObject toJson() const;
    QByteArray toBytes() const;

    static StatusError badRequest(const QString &message) { return {400, QStringLiteral("BadRequest"), message, {}, 0}; }
    static StatusError notFound(const QString &message, const QString &name = {}, const QString &group = {},
                                const QString &kind = {});
    static StatusError invalid(const QString &kind, const QString &group, const QString &name, const QString &field,
                               const QString &detail, const QString &causeType = QStringLiteral("FieldValueInvalid"));
    static StatusError expired(const QString &message) { return {410, QStringLiteral("Expired"), message, {}, 0}; }
    static StatusError tooLargeResourceVersion(qint64 requested, qint64 current);
};

} // namespace cw::sim
