// SPDX-License-Identifier: Apache-2.0
#include "listwatchhttp.h"

#include <QNetworkRequest>
#include <QUrl>

#include <algorithm>

namespace cw::watch {

namespace {

// QUrlQuery takes "%XX" in a value for an escape and leaves '+' alone (a space to Go servers): encoding the
// value first keeps it exact, however the client later serialises the query.
QString encoded(const QString &value)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(value));
}

void addSelectors(QUrlQuery &query, const ResourceSpec &spec)
{
    if (!spec.labelSelector.isEmpty())
        query.addQueryItem(QStringLiteral("labelSelector"), encoded(spec.labelSelector));
    if (!spec.fieldSelector.isEmpty())
        query.addQueryItem(QStringLiteral("fieldSelector"), encoded(spec.fieldSelector));
}

bool isDecimal(const QString &rv)
{
    if (rv.isEmpty() || rv.front() == QLatin1Char('0'))
        return false;
    return std::all_of(rv.cbegin(), rv.cend(), [](QChar c) { return c >= QLatin1Char('0') && c <= QLatin1Char('9'); });
}

} // namespace

QString collectionPath(const ResourceSpec &spec)
{
    const ApiResource &api = spec.api;
    QString path = api.group.isEmpty() ? QString(QLatin1StringView("/api/") + api.version)
                                       : QString(QLatin1StringView("/apis/") + api.group + QLatin1Char('/') + api.version);
    if (api.namespaced && !spec.ns.isEmpty())
        path += QLatin1StringView("/namespaces/") + spec.ns;
    path += QLatin1Char('/') + api.resource;
    return path;
}

QUrlQuery listQuery(const ResourceSpec &spec, const cmd::StartList &command)
{
    QUrlQuery query;
    addSelectors(query, spec);
    if (command.limit > 0)
        query.addQueryItem(QStringLiteral("limit"), QString::number(command.limit));
    if (!command.continueToken.isEmpty())
        query.addQueryItem(QStringLiteral("continue"), encoded(command.continueToken));
    if (!command.rv.isEmpty())
        query.addQueryItem(QStringLiteral("resourceVersion"), encoded(command.rv));
    if (command.rvMatch == RvMatch::NotOlderThan)
        query.addQueryItem(QStringLiteral("resourceVersionMatch"), QStringLiteral("NotOlderThan"));
    return query;
}

QUrlQuery watchQuery(const ResourceSpec &spec, const cmd::StartWatch &command)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("watch"), QStringLiteral("1"));
    addSelectors(query, spec);
    if (!command.rv.isEmpty())
        query.addQueryItem(QStringLiteral("resourceVersion"), encoded(command.rv));
    if (command.allowBookmarks)
        query.addQueryItem(QStringLiteral("allowWatchBookmarks"), QStringLiteral("true"));
    if (command.timeoutSeconds > 0)
        query.addQueryItem(QStringLiteral("timeoutSeconds"), QString::number(command.timeoutSeconds));
    if (command.sendInitialEvents)
        query.addQueryItem(QStringLiteral("sendInitialEvents"), QStringLiteral("true"));
    if (command.rvMatch == RvMatch::NotOlderThan)
        query.addQueryItem(QStringLiteral("resourceVersionMatch"), QStringLiteral("NotOlderThan"));
    return query;
}

int httpStatus(const QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

HttpFailure readHttpFailure(const QNetworkReply *reply, int code, QByteArrayView body)
{
    const Status status = decodeStatus(body);
    HttpFailure failure;
    failure.code = code;
    failure.reason = status.reason;
    failure.message = status.message.left(300);
    failure.tooLargeRv = status.hasCause(QLatin1StringView("ResourceVersionTooLarge"));
    bool ok = false;
    const int header = reply->rawHeader("Retry-After").trimmed().toInt(&ok);
    // The header and details.retryAfterSeconds say the same; whichever is there (the 429 of APF has no body).
    failure.retryAfterSeconds = std::max(ok ? header : 0, status.retryAfterSeconds);
    if (failure.reason.isEmpty() && code == 429)
        failure.reason = QStringLiteral("TooManyRequests");
    return failure;
}

NetworkErrorKind networkErrorKind(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        return NetworkErrorKind::ConnectionRefused;
    case QNetworkReply::HostNotFoundError:
        return NetworkErrorKind::HostNotFound;
    case QNetworkReply::TimeoutError:
        return NetworkErrorKind::Timeout;
    case QNetworkReply::SslHandshakeFailedError:
        return NetworkErrorKind::Tls;
    case QNetworkReply::RemoteHostClosedError:
        return NetworkErrorKind::ConnectionClosed;
    default:
        return NetworkErrorKind::Other;
    }
}

QString networkErrorText(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        return QStringLiteral("connection refused");
    case QNetworkReply::RemoteHostClosedError:
        return QStringLiteral("connection reset");
    case QNetworkReply::HostNotFoundError:
        return QStringLiteral("host not found");
    case QNetworkReply::TimeoutError:
        return QStringLiteral("connection timed out");
    case QNetworkReply::SslHandshakeFailedError:
        return QStringLiteral("TLS handshake failed");
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
        return QStringLiteral("network unreachable");
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::ProxyAuthenticationRequiredError:
        return QStringLiteral("proxy failure");
    default:
        return QLatin1StringView("network error ") + QString::number(int(error));
    }
}

QString httpFailureName(int code, const QString &reason, bool tooLargeRv)
{
    if (code == 410 || reason == QLatin1StringView("Expired") || reason == QLatin1StringView("Gone"))
        return QStringLiteral("410 expired");
    if (tooLargeRv)
        return QLatin1StringView("resourceVersion too large ") + QString::number(code);
    switch (code) {
    case 401:
        return QStringLiteral("auth failure 401");
    case 403:
        return QStringLiteral("forbidden 403");
    case 404:
        return QStringLiteral("not found 404");
    case 429:
        return QStringLiteral("throttled 429");
    default:
        break;
    }
    if (code >= 500)
        return QLatin1StringView("server error ") + QString::number(code);
    return QLatin1StringView("HTTP ") + QString::number(code);
}

std::optional<int> compareResourceVersions(const QString &a, const QString &b)
{
    if (!isDecimal(a) || !isDecimal(b))
        return std::nullopt;
    if (a.size() != b.size())
        return a.size() < b.size() ? -1 : 1;
    return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

StreamError toStreamError(const WatchError &error)
{
    StreamError out;
    out.httpCode = error.httpCode;
    out.reason = error.reason;
    out.message = error.message;
    switch (error.kind) {
    case ErrorKind::Network:
        out.kind = StreamError::Kind::Network;
        break;
    case ErrorKind::Unauthorized:
    case ErrorKind::Credentials:
        out.kind = StreamError::Kind::Auth;
        break;
    case ErrorKind::Forbidden:
        out.kind = StreamError::Kind::Forbidden;
        break;
    case ErrorKind::NotFound:
        out.kind = StreamError::Kind::NotFound;
        break;
    case ErrorKind::Invalid:
        out.kind = StreamError::Kind::Invalid;
        break;
    case ErrorKind::Protocol:
        out.kind = StreamError::Kind::Protocol;
        break;
    case ErrorKind::Http:
        out.kind = error.httpCode >= 500 || error.httpCode == 429 ? StreamError::Kind::Server
                                                                  : StreamError::Kind::Protocol;
        break;
    }
    return out;
}

} // namespace cw::watch
