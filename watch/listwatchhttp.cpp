// SPDX-License-Identifier: Apache-2.0
#include "listwatchhttp.h"

#include <QNetworkRequest>
#include <QUrl>

#include <algorithm>
#include <cstring>

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

bool isOneOf(char c, const char *set)
{
    return c != '\0' && std::strchr(set, c) != nullptr;
}

// A cursor over the head of a JSON body that reads just enough of it to find metadata.continue.
class HeadReader
{
public:
    enum class Step
    {
        Ok,
        More, // the input ends first
        Bad   // not the shape we read
    };
    explicit HeadReader(QByteArrayView head) : m_p(head.data()), m_end(head.data() + head.size()) {}

    Step skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
        return m_p < m_end ? Step::Ok : Step::More;
    }
    // The next non-space character, consumed when it is one of `accepted`; '\0' when it is none of them.
    Step next(const char *accepted, char &found)
    {
        if (const Step s = skipSpace(); s != Step::Ok)
            return s;
        found = isOneOf(*m_p, accepted) ? *m_p++ : '\0';
        return Step::Ok;
    }
    Step expect(char c)
    {
        const char accepted[] = {c, '\0'};
        char found = '\0';
        const Step s = next(accepted, found);
        return s != Step::Ok ? s : (found ? Step::Ok : Step::Bad);
    }
    // A string's raw content, quotes excluded; `escaped` when it holds a backslash (then it is not the value).
    Step string(QByteArrayView &out, bool &escaped)
    {
        if (const Step s = expect('"'); s != Step::Ok)
            return s;
        escaped = false;
        for (const char *q = m_p; q < m_end; ++q) {
            if (*q == '\\') {
                escaped = true;
                ++q; // the escaped character cannot end the string
            } else if (*q == '"') {
                out = QByteArrayView(m_p, q - m_p);
                m_p = q + 1;
                return Step::Ok;
            }
        }
        return Step::More;
    }
    // A string, number, true, false or null; an object or array is more than a head needs to read.
    Step scalar()
    {
        if (const Step s = skipSpace(); s != Step::Ok)
            return s;
        if (*m_p == '"') {
            QByteArrayView unused;
            bool escaped = false;
            return string(unused, escaped);
        }
        if (*m_p == '{' || *m_p == '[')
            return Step::Bad;
        const char *q = m_p;
        while (q < m_end && !isOneOf(*q, ",}] \n\r\t"))
            ++q;
        if (q == m_end)
            return Step::More; // "12" may be the start of "123"
        if (q == m_p)
            return Step::Bad;
        m_p = q;
        return Step::Ok;
    }

private:
    const char *m_p;
    const char *m_end;
};

// The answer when the reading stopped before a token: the input ran out, or there is none to be had.
ContinuePeek peekResult(HeadReader::Step step)
{
    return ContinuePeek{step == HeadReader::Step::More ? ContinuePeek::Result::NeedMore
                                                       : ContinuePeek::Result::NoToken,
                        QString()};
}

// The members of the ListMeta object, the reader standing after its '{'.
ContinuePeek peekListMeta(HeadReader &reader)
{
    using Step = HeadReader::Step;
    QString token;
    char found = '\0';
    if (const Step s = reader.next("}", found); s != Step::Ok || found)
        return peekResult(s);
    for (;;) {
        QByteArrayView key;
        bool escaped = false;
        if (const Step s = reader.string(key, escaped); s != Step::Ok)
            return peekResult(s);
        if (const Step s = reader.expect(':'); s != Step::Ok)
            return peekResult(s);
        if (key == "continue") {
            QByteArrayView value;
            if (const Step s = reader.string(value, escaped); s != Step::Ok)
                return peekResult(s);
            if (escaped)
                return peekResult(Step::Bad);
            token = QString::fromUtf8(value);
        } else if (const Step s = reader.scalar(); s != Step::Ok) {
            return peekResult(s);
        }
        if (const Step s = reader.next(",}", found); s != Step::Ok || !found)
            return peekResult(s == Step::Ok ? Step::Bad : s);
        if (found == '}')
            break;
    }
    if (token.isEmpty())
        return peekResult(Step::Bad);
    return ContinuePeek{ContinuePeek::Result::Token, token};
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

ContinuePeek peekContinueToken(QByteArrayView head)
{
    using Step = HeadReader::Step;
    HeadReader reader(head);
    if (const Step s = reader.expect('{'); s != Step::Ok)
        return peekResult(s);
    for (;;) {
        QByteArrayView key;
        bool escaped = false;
        if (const Step s = reader.string(key, escaped); s != Step::Ok)
            return peekResult(s);
        if (const Step s = reader.expect(':'); s != Step::Ok)
            return peekResult(s);
        if (key == "metadata") {
            if (const Step s = reader.expect('{'); s != Step::Ok)
                return peekResult(s);
            return peekListMeta(reader);
        }
        // Items before the ListMeta: the token is only known once the whole body is.
        if (key == "items")
            return peekResult(Step::Bad);
        if (const Step s = reader.scalar(); s != Step::Ok)
            return peekResult(s);
        char found = '\0';
        if (const Step s = reader.next(",", found); s != Step::Ok || !found)
            return peekResult(s == Step::Ok ? Step::Bad : s);
    }
}

StreamError httpStreamError(const HttpFailure &failure)
{
    ErrorKind kind = ErrorKind::Http;
    if (failure.code == 401)
        kind = ErrorKind::Unauthorized;
    else if (failure.code == 403)
        kind = ErrorKind::Forbidden;
    else if (failure.code == 404)
        kind = ErrorKind::NotFound;
    return toStreamError(WatchError{kind, failure.code, failure.reason, failure.message});
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
