// SPDX-License-Identifier: Apache-2.0
// Decoding of LIST bodies and of HTTP error bodies (declared in watchevent.h).
#include "jsonreader.h"
#include "watchevent.h"

#include <cstring>

namespace cw::watch {

using namespace json;

namespace {

ListPageResult decodeList(Workspace &workspace, simdjson::padded_string_view input, bool keepManagedFields)
{
    Document doc;
    if (auto error = openDocument(workspace, input, doc))
        return *error;
    Reader reader(doc, workspace.shared);
    ListPage page;
    bool haveItems = false;
    const auto readItems = [&] {
        if (reader.peek() == 'n') // Go's encoding of an empty slice; the server sends [], be lenient
            return reader.validate(1);
        if (reader.peek() != '[')
            return reader.failType(QStringLiteral("\"items\" is not an array"));
        return reader.elements(1, [&] {
            ObjectRecord record;
            bool unusedInitialEventsEnd = false;
            if (!reader.readObject(record, nullptr, unusedInitialEventsEnd, keepManagedFields))
                return false;
            page.items.append(std::move(record));
            return true;
        });
    };
    const bool ok = reader.rootMembers([&](std::string_view key, const char *) {
        if (key == "kind"sv)
            return reader.readString(page.kind, "kind");
        if (key == "apiVersion"sv)
            return reader.readString(page.apiVersion, "apiVersion");
        if (key == "items"sv) {
            haveItems = true;
            return readItems();
        }
        if (key != "metadata"sv)
            return reader.validate(1);
        if (reader.peek() != '{')
            return reader.failType(QStringLiteral("list metadata is not a JSON object"));
        return reader.members(1, [&](std::string_view name, const char *) {
            if (name == "resourceVersion"sv)
                return reader.readString(page.resourceVersion, "metadata.resourceVersion");
            if (name == "continue"sv)
                return reader.readString(page.continueToken, "metadata.continue");
            if (name != "remainingItemCount"sv)
                return reader.validate(2);
            qint64 count = 0;
            if (!reader.readInt(count, "metadata.remainingItemCount"))
                return false;
            page.remainingItemCount = count;
            return true;
        });
    });
    if (!ok)
        return reader.error();
    if (page.kind == QLatin1StringView("Status"))
        return DecodeError{QStringLiteral("expected a list, the server sent a Status")};
    // A body without items must not read as "the collection is empty": the store would drop everything.
    if (!haveItems)
        return DecodeError{QStringLiteral("list has no \"items\"")};
    if (page.resourceVersion.isEmpty())
        return DecodeError{QStringLiteral("list has no metadata.resourceVersion")};
    if (page.kind.endsWith(QLatin1StringView("List"))) {
        const QString itemKind = page.kind.chopped(4);
        for (ObjectRecord &item : page.items) {
            if (item.kind.isEmpty())
                item.kind = itemKind;
            if (item.apiVersion.isEmpty())
                item.apiVersion = page.apiVersion;
        }
    }
    return page;
}

std::optional<StatusFields> decodeStatusJson(Workspace &workspace, simdjson::padded_string_view input)
{
    Document doc;
    if (openDocument(workspace, input, doc))
        return std::nullopt;
    Reader reader(doc, workspace.shared);
    StatusFields status;
    const bool ok = reader.rootMembers(
        [&](std::string_view key, const char *) { return reader.readStatusField(key, status, 1); });
    if (!ok)
        return std::nullopt;
    return status;
}

} // namespace

ListPageResult decodeListPage(QByteArrayView body, bool keepManagedFields)
{
    return withWorkspace(body, [&](Workspace &workspace, simdjson::padded_string_view input) {
        return decodeList(workspace, input, keepManagedFields);
    });
}

ListPageResult decodeListPageInPlace(QByteArray &body, bool keepManagedFields)
{
    // The padding becomes part of the array for the parse (zeroed, as in Workspace::load) and is cut off
    // again after it; a body reserved with room for it is neither reallocated nor copied.
    const qsizetype size = body.size();
    body.resize(size + DecodePadding);
    std::memset(body.data() + size, 0, size_t(DecodePadding));
    const simdjson::padded_string_view input(body.constData(), size_t(size), size_t(body.size()));
    ListPageResult result = withWorkspace(
        size_t(size), [&](Workspace &workspace) { return decodeList(workspace, input, keepManagedFields); });
    body.resize(size);
    return result;
}

Status decodeStatus(QByteArrayView body)
{
    const auto fields = withWorkspace(body, [](Workspace &workspace, simdjson::padded_string_view input) {
        return decodeStatusJson(workspace, input);
    });
    Status status;
    if (fields) {
        status.structured = fields->kind == QLatin1StringView("Status");
        status.code = fields->code;
        status.status = fields->status;
        status.reason = fields->reason;
        status.message = fields->message;
        status.retryAfterSeconds = fields->retryAfterSeconds;
        status.causes = fields->causes;
        status.continueToken = fields->continueToken;
    }
    if (status.message.isEmpty()) {
        // Plain-text bodies (APF's 429, a proxy's HTML) become the message, cut to what a log line can hold.
        constexpr qsizetype MaxMessage = 1024;
        status.message = QString::fromUtf8(body.first(qMin(body.size(), MaxMessage))).trimmed();
    }
    return status;
}

} // namespace cw::watch
