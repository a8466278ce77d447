// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <variant>

namespace cw::watch {

// One Kubernetes object as the store keeps it: its JSON plus the identity fields every consumer needs,
// decoded once here so nobody parses the JSON again just to find a key.
struct ObjectRecord
{
    // The object's raw JSON, byte for byte as the server sent it, minus metadata.managedFields unless asked
    // to keep them (server-side-apply bookkeeping is 30–40 % of a cached object and no view shows it).
    QByteArray object;
    QString ns; // metadata.namespace; empty for cluster-scoped objects
    QString name;
    QString uid;
    QString resourceVersion;
    // LIST items of built-in types carry no kind/apiVersion (protocol doc §2.3); decodeListPage fills them in
    // from the list's own kind ("PodList" -> "Pod") so consumers never see them empty.
    QString kind;
    QString apiVersion;
};

// A decoded `{"type":…,"object":…}` watch line.
struct WatchEvent : ObjectRecord
{
    enum class Type
    {
        Added,
        Modified,
        Deleted,
        Bookmark,
        Error
    };
    Type type = Type::Added;
    // BOOKMARK with annotation k8s.io/initial-events-end="true": the end of a streaming list (§3.7).
    bool initialEventsEnd = false;
    // For Error only: the metav1.Status fields (§4.1).
    int code = 0;
    QString reason;
    QString message;
    int retryAfterSeconds = 0;
    QStringList causes; // details.causes[].reason, e.g. "ResourceVersionTooLarge"
};

// Why a line or body could not be decoded. Never fatal to the process; the caller decides (relist, skip).
struct DecodeError
{
    QString message;
    qint64 position = -1; // byte within the input where the problem was noticed, -1 if unknown
};

// One page of a LIST response (§2.3).
struct ListPage
{
    QString kind; // "PodList"
    QString apiVersion;
    QString resourceVersion;                  // snapshot RV; the same on every page of one paginated list
    QString continueToken;                    // empty on the last page: the only reliable "more pages" signal
    std::optional<qint64> remainingItemCount; // an estimate, absent with selectors and on the last page
    QList<ObjectRecord> items;
};

// A metav1.Status (or what a non-JSON error body says). Never fails: an unexpected body becomes the message.
struct Status
{
    bool structured = false; // false: plain text (e.g. the APF 429 body) or unrelated JSON
    int code = 0;            // 0 when the body did not say; use the HTTP status then
    QString status;          // "Failure" / "Success"
    QString reason;          // "Expired", "TooManyRequests", …
    QString message;
    int retryAfterSeconds = 0; // details.retryAfterSeconds; the Retry-After header says the same
    QStringList causes;        // details.causes[].reason
    QString continueToken; // metadata.continue of a 410 on a paginated list (an inconsistent continuation)

    bool hasCause(QLatin1StringView causeReason) const { return causes.contains(causeReason); }
};

using DecodeResult = std::variant<WatchEvent, DecodeError>;
using ListPageResult = std::variant<ListPage, DecodeError>;

// Decodes one watch line. Invalid JSON or UTF-8, an unknown type, a missing or non-object "object" and a
// missing metadata.resourceVersion on anything but ERROR all give a DecodeError, never a crash.
// With `readable` bytes readable from line.data() on, DecodePadding of them past the line and its '\n' or
// '\r' right behind it, it is parsed in place instead of copied first.
DecodeResult decodeWatchLine(QByteArrayView line, bool keepManagedFields = false, qsizetype readable = 0);
// Decodes a LIST response body (one page).
ListPageResult decodeListPage(QByteArrayView body, bool keepManagedFields = false);
// The parser reads up to this many bytes past its input (their content does not matter).
inline constexpr qsizetype DecodePadding = 64;
// The same result, without copying the body first: the parser needs DecodePadding bytes after it, which this
// appends for the parse and removes again. Reserving size() + DecodePadding beforehand spares a reallocation.
ListPageResult decodeListPageInPlace(QByteArray &body, bool keepManagedFields = false);
// Decodes an HTTP error body: a Status JSON, or plain text such as "Too many requests, please try again
// later."
Status decodeStatus(QByteArrayView body);

} // namespace cw::watch
