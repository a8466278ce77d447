// SPDX-License-Identifier: Apache-2.0
#include "watchevent.h"
#include "jsonreader.h"

namespace cw::watch {

using namespace json;

namespace {

std::optional<WatchEvent::Type> eventType(std::string_view name)
{
    if (name == "ADDED"sv)
        return WatchEvent::Type::Added;
    if (name == "MODIFIED"sv)
        return WatchEvent::Type::Modified;
    if (name == "DELETED"sv)
        return WatchEvent::Type::Deleted;
    if (name == "BOOKMARK"sv)
        return WatchEvent::Type::Bookmark;
    if (name == "ERROR"sv)
        return WatchEvent::Type::Error;
    return std::nullopt;
}

DecodeResult decodeEvent(Workspace &workspace, simdjson::padded_string_view input, bool keepManagedFields)
{
    Document doc;
    if (auto error = openDocument(workspace, input, doc))
        return *error;
    Reader reader(doc, workspace.shared);
    WatchEvent event;
    std::string_view typeName;
    bool haveType = false;
    bool haveObject = false;
    std::optional<StatusFields> status;
    const bool ok = reader.rootMembers([&](std::string_view key, const char *) {
        if (key == "type"sv) {
            haveType = true;
            return reader.readText(typeName, "type");
        }
        if (key == "object"sv) {
            haveObject = true;
            // Only an ERROR's object is a Status. Servers send "type" first, so that is known by now.
            if (!haveType || typeName == "ERROR"sv)
                status.emplace();
            return reader.readObject(event, status ? &*status : nullptr, event.initialEventsEnd,
                                     keepManagedFields);
        }
        return reader.validate(1);
    });
    if (!ok)
        return reader.error();
    if (!haveType)
        return DecodeError{QStringLiteral("event has no \"type\"")};
    const auto type = eventType(typeName);
    if (!type)
        return DecodeError{QLatin1StringView("unknown event type \"") + toQString(typeName) +
                           QLatin1Char('"')};
    event.type = *type;
    if (!haveObject)
        return DecodeError{QStringLiteral("event has no \"object\"")};
    if (event.type == WatchEvent::Type::Error) {
        Q_ASSERT(status);
        event.code = status->code;
        event.reason = status->reason;
        event.message = status->message;
        event.retryAfterSeconds = status->retryAfterSeconds;
        event.causes = status->causes;
    } else if (event.resourceVersion.isEmpty()) {
        return DecodeError{QStringLiteral("object has no metadata.resourceVersion")};
    }
    return event;
}

} // namespace

DecodeResult decodeWatchLine(QByteArrayView line, bool keepManagedFields, qsizetype readable)
{
    static_assert(DecodePadding >= qsizetype(simdjson::SIMDJSON_PADDING));
    // What the parser reads past the end can decide which error a broken line gets; behind its own
    // terminator, past it always looks the same to it.
    if (readable >= line.size() + DecodePadding &&
        (line.data()[line.size()] == '\n' || line.data()[line.size()] == '\r')) {
        const simdjson::padded_string_view input(line.data(), size_t(line.size()), size_t(readable));
        return withWorkspace(size_t(line.size()), [&](Workspace &workspace) {
            return decodeEvent(workspace, input, keepManagedFields);
        });
    }
    return withWorkspace(line, [&](Workspace &workspace, simdjson::padded_string_view input) {
        return decodeEvent(workspace, input, keepManagedFields);
    });
}

} // namespace cw::watch
