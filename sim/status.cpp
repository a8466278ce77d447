// SPDX-License-Identifier: Apache-2.0
#include "status.h"

#include <QJsonDocument>

namespace cw::sim {

QJsonObject StatusError::toJson() const
{
    QJsonObject status{{QStringLiteral("kind"), QStringLiteral("Status")},
                       {QStringLiteral("apiVersion"), QStringLiteral("v1")},
                       {QStringLiteral("metadata"), QJsonObject()},
                       {QStringLiteral("status"), QStringLiteral("Failure")},
                       {QStringLiteral("message"), message},
                       {QStringLiteral("reason"), reason},
                       {QStringLiteral("code"), code}};
    QJsonObject d = details;
    if (retryAfterSeconds > 0)
        d.insert(QStringLiteral("retryAfterSeconds"), retryAfterSeconds);
    if (!d.isEmpty())
        status.insert(QStringLiteral("details"), d);
    return status;
}

QByteArray StatusError::toBytes() const
{
    return QJsonDocument(toJson()).toJson(QJsonDocument::Compact);
}

StatusError StatusError::notFound(const QString &message, const QString &name, const QString &group,
                                  const QString &kind)
{
    StatusError e{404, QStringLiteral("NotFound"), message, {}, 0};
    if (!name.isEmpty())
        e.details.insert(QStringLiteral("name"), name);
    if (!group.isEmpty())
        e.details.insert(QStringLiteral("group"), group);
    if (!kind.isEmpty())
        e.details.insert(QStringLiteral("kind"), kind);
    return e;
}

StatusError StatusError::invalid(const QString &kind, const QString &group, const QString &name,
                                 const QString &field, const QString &detail, const QString &causeType)
{
    StatusError e;
    e.code = 422;
    e.reason = QStringLiteral("Invalid");
    e.message = kind + QStringLiteral(".") + (group.isEmpty() ? QString() : group) + QStringLiteral(" \"") + name
                + QStringLiteral("\" is invalid: ") + field + QStringLiteral(": ") + detail;
    if (group.isEmpty())
        e.message = kind + QStringLiteral(" \"") + name + QStringLiteral("\" is invalid: ") + field
                    + QStringLiteral(": ") + detail;
    e.details = QJsonObject{{QStringLiteral("name"), name},
                            {QStringLiteral("group"), group},
                            {QStringLiteral("kind"), kind},
                            {QStringLiteral("causes"),
                             QJsonArray{QJsonObject{{QStringLiteral("reason"), causeType},
                                                    {QStringLiteral("message"), detail},
                                                    {QStringLiteral("field"), field}}}}};
    return e;
}

StatusError StatusError::tooLargeResourceVersion(qint64 requested, qint64 current)
{
    StatusError e;
    e.code = 504;
    e.reason = QStringLiteral("Timeout");
    e.message = QStringLiteral("Timeout: Too large resource version: %1, current: %2").arg(requested).arg(current);
    e.details = QJsonObject{{QStringLiteral("causes"),
                             QJsonArray{QJsonObject{{QStringLiteral("reason"), QStringLiteral("ResourceVersionTooLarge")},
                                                    {QStringLiteral("message"),
                                                     QStringLiteral("Too large resource version")}}}}};
    e.retryAfterSeconds = 1;
    return e;
}

} // namespace cw::sim
