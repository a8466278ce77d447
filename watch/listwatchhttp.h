// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "retrywatcher_sm.h"
#include "watchtypes.h"

#include <QNetworkReply>
#include <QUrlQuery>

#include <optional>

// The wire side of LIST and WATCH, without state: request URLs, and what an HTTP answer or a transport
// failure means. The informer turns these into the retry watcher's inputs.
namespace cw::watch {

// "/api/v1/pods", "/api/v1/namespaces/demo/pods", "/apis/apps/v1/namespaces/shop/deployments" (§1).
QString collectionPath(const ResourceSpec &spec);
QUrlQuery listQuery(const ResourceSpec &spec, const cmd::StartList &command);
QUrlQuery watchQuery(const ResourceSpec &spec, const cmd::StartWatch &command);

// The HTTP status of a reply, 0 when no response head arrived (a transport failure).
int httpStatus(const QNetworkReply *reply);

// A non-200 answer, read from its Status body (or plain text) and the Retry-After header.
struct HttpFailure
{
    int code = 0;
    QString reason;
    QString message;
    int retryAfterSeconds = 0;
    bool tooLargeRv = false; // 504 with cause ResourceVersionTooLarge
};
HttpFailure readHttpFailure(const QNetworkReply *reply, int code, QByteArrayView body);
// The typed error of a one-off request (verify's pages, fetch) that got a non-200 answer.
StreamError httpStreamError(const HttpFailure &failure);

NetworkErrorKind networkErrorKind(QNetworkReply::NetworkError error);
// Our own words for a transport failure: Qt's errorString() may quote the URL, which is not ours to log.
QString networkErrorText(QNetworkReply::NetworkError error);

// The short health reason naming an HTTP failure: "410 expired", "throttled 429", "server error 503", ...
QString httpFailureName(int code, const QString &reason, bool tooLargeRv = false);

// KEP-5504 comparison of two resourceVersions of one resource: decimal without leading zeros, longer is
// larger. nullopt when either is not in that form (older servers: opaque strings, equality only).
std::optional<int> compareResourceVersions(const QString &a, const QString &b);

StreamError toStreamError(const WatchError &error);

// What the head of a LIST body says about the next page, read while the rest is still arriving: servers
// write the ListMeta (resourceVersion, continue, remainingItemCount) before the items, so the next page can
// be asked for before this one is complete. Only a plain, flat ListMeta is read; anything else is NoToken.
struct ContinuePeek
{
    enum class Result
    {
        NeedMore, // the head ends before the ListMeta does
        Token,    // the ListMeta is complete and names the next page
        NoToken   // last page, ListMeta after the items, escapes or nesting: no next page known in advance
    };
    Result result = Result::NeedMore;
    QString token;
};
ContinuePeek peekContinueToken(QByteArrayView head);

} // namespace cw::watch
