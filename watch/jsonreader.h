// SPDX-License-Identifier: Apache-2.0
// What the watch decoders (watchevent.cpp, listpage.cpp) share: simdjson's ondemand parser in a per-thread
// workspace, and the Reader that validates a document while it picks up the Kubernetes fields. Not an API.
#pragma once

#include "watchevent.h"

#include <simdjson.h>

#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cw::watch::json {

namespace od = simdjson::ondemand;
using namespace std::string_view_literals;

// Far deeper than any Kubernetes object (CRD schemas reach a few dozen levels) yet shallow enough that the
// recursive validation below cannot exhaust a thread's stack on hostile input.
constexpr int MaxDepth = 256;
// Inputs larger than this are parsed with a throwaway parser so one 50 MB list does not pin 50 MB (plus
// simdjson's index, several times that) per thread for the rest of the process.
constexpr size_t MaxRetainedInput = size_t(8) << 20;

QString toQString(std::string_view text);

// The values that repeat from object to object (kind, apiVersion, namespace): each spelling seen recently
// maps to one QString that every object shares, instead of one allocation per object (and its free, often
// on another thread). Direct-mapped: a collision only costs the allocation this saves.
class SharedStrings
{
public:
    QString get(std::string_view text)
    {
        if (text.empty() || text.size() > MaxLength)
            return toQString(text);
        Entry &entry = m_entries[std::hash<std::string_view>{}(text) % m_entries.size()];
        if (entry.bytes != text) {
            entry.bytes.assign(text);
            entry.value = toQString(text);
        }
        return entry.value;
    }

private:
    static constexpr size_t MaxLength = 64;
    struct Entry
    {
        std::string bytes;
        QString value;
    };
    std::array<Entry, 64> m_entries;
};

// simdjson wants SIMDJSON_PADDING readable bytes after the input; a QByteArrayView promises none, so the
// input is copied once into a reused buffer (a 4 KB memcpy is noise next to the parse).
struct Workspace
{
    od::parser parser;
    SharedStrings shared;
    std::unique_ptr<char[]> buffer;
    size_t capacity = 0;

    simdjson::padded_string_view load(QByteArrayView input)
    {
        const auto size = size_t(input.size());
        if (capacity < size + simdjson::SIMDJSON_PADDING) {
            capacity = size + size / 2 + simdjson::SIMDJSON_PADDING;
            buffer = std::make_unique_for_overwrite<char[]>(capacity);
        }
        if (size > 0)
            std::memcpy(buffer.get(), input.data(), size);
        std::memset(buffer.get() + size, 0, simdjson::SIMDJSON_PADDING);
        return simdjson::padded_string_view(buffer.get(), size, capacity);
    }
};

// The calling thread's workspace, kept for every input up to MaxRetainedInput: one parser per thread, however
// many kinds of input it decodes.
Workspace &threadWorkspace();

template <typename Fn> auto withWorkspace(size_t inputSize, Fn &&fn)
{
    if (inputSize > MaxRetainedInput) {
        Workspace once;
        return fn(once);
    }
    return fn(threadWorkspace());
}

template <typename Fn> auto withWorkspace(QByteArrayView input, Fn &&fn)
{
    return withWorkspace(size_t(input.size()),
                         [&](Workspace &workspace) { return fn(workspace, workspace.load(input)); });
}

inline bool isJsonSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// A raw token runs up to the next one: scalars and strings carry the whitespace after them.
inline std::string_view withoutTrailingSpace(std::string_view token)
{
    while (!token.empty() && isJsonSpace(token.back()))
        token.remove_suffix(1);
    return token;
}

// Checks every escape sequence of the input in one pass; returns the offending backslash, or nullptr.
const char *firstBadEscape(const char *p, const char *end);
// The content of a string token when it has no escape sequence, so it can be used without unescaping.
std::optional<std::string_view> plainString(std::string_view token);
// Whether a scalar token (trailing whitespace allowed) is a JSON number, or true, false or null.
bool isJsonNumber(std::string_view token);
bool isJsonLiteral(std::string_view token);

using Key = od::raw_json_string;

// The fields of a metav1.Status: an ERROR event's object or an HTTP error body.
struct StatusFields
{
    QString kind; // a Status body's; an ERROR event's object has its kind in the record
    QString status;
    int code = 0;
    QString reason;
    QString message;
    int retryAfterSeconds = 0;
    QStringList causes;
    QString continueToken;
};

// Walks one parsed document. Every value is visited (validating it: ondemand alone skips what is not read
// without checking it), Kubernetes fields are picked up on the way, and each object's byte span is taken from
// the parser's position so its raw JSON is handed on without re-serialising it.
class Reader
{
public:
    Reader(od::document &doc, simdjson::padded_string_view input, SharedStrings &shared)
        : m_doc(doc), m_begin(input.data()), m_end(input.data() + input.length()), m_shared(shared)
    {}

    // Both record the first error only (with where it was noticed) and return false, to be returned in turn.
    // Out of line and cold: they must not weigh on the inlined success path of every value.
    [[gnu::cold, gnu::noinline]] bool fail(simdjson::error_code error)
    {
        return fail(QLatin1StringView("invalid JSON: ") + QLatin1StringView(simdjson::error_message(error)));
    }
    [[gnu::cold, gnu::noinline]] bool fail(const QString &message)
    {
        if (m_error.message.isEmpty())
            m_error = DecodeError{message, qint64(location() - m_begin)};
        return false;
    }
    const DecodeError &error() const { return m_error; }

    // Where the parser stands (the next unread token), or the end of the input once everything was read.
    const char *location()
    {
        const char *where = nullptr;
        if (m_doc.current_location().get(where) != simdjson::SUCCESS || where == nullptr)
            return m_end;
        return where;
    }
    bool atEnd()
    {
        const char *where = nullptr;
        return m_doc.current_location().get(where) != simdjson::SUCCESS;
    }

    // Called for every value: forced inline (GCC otherwise keeps it out of line, ~20 % of the decode time).
    Q_ALWAYS_INLINE bool type(od::value &value, od::json_type &out)
    {
        const auto error = value.type().get(out);
        return Q_LIKELY(error == simdjson::SUCCESS) || fail(error);
    }
    // Calls fn(key, value, keyQuote) for each member of an object; keyQuote points at the key's opening
    // quote.
    template <typename Fn> bool members(od::value value, Fn &&fn);
    template <typename Fn> bool members(od::object &object, Fn &&fn);
    template <typename Fn> bool rootMembers(Fn &&fn);

    bool validate(od::value value, int depth);
    // The text stays valid while the document lives (it sits in the parser's string buffer).
    bool readText(od::value value, std::string_view &out, const char *what);
    bool readString(od::value value, QString &out, const char *what);
    // The same for a value many objects share (see SharedStrings).
    bool readSharedString(od::value value, QString &out, const char *what);
    bool readInt(od::value value, qint64 &out, const char *what);
    // A Kubernetes object: identity fields, its JSON (managedFields cut unless kept), Status fields if asked.
    bool readObject(od::value value, ObjectRecord &record, StatusFields *status, bool &initialEventsEnd,
                    bool keepManagedFields);
    // One member of a metav1.Status; members of unexpected type are only validated.
    bool readStatusField(Key key, od::value value, StatusFields &status, int depth);

private:
    struct Cut
    {
        const char *begin = nullptr;
        const char *end = nullptr;
    };
    bool readMetadata(od::value value, ObjectRecord &record, bool &initialEventsEnd, bool keepManagedFields,
                      Cut &cut);
    bool readDetails(od::value value, StatusFields &status, int depth);
    // The end of the value just consumed: the next token, minus the whitespace before it.
    const char *endOfConsumed()
    {
        const char *next = location();
        while (next > m_begin && isJsonSpace(next[-1]))
            --next;
        return next;
    }

    od::document &m_doc;
    const char *m_begin;
    const char *m_end;
    SharedStrings &m_shared;
    DecodeError m_error;
};

// Left defined: the walks in jsonreader.cpp use it too.
#define CW_JSON_TRY(expr)                                                                                    \
    do {                                                                                                     \
        if (const simdjson::error_code cwJsonError = (expr); cwJsonError != simdjson::SUCCESS)               \
            return fail(cwJsonError);                                                                        \
    } while (false)

template <typename Fn> bool Reader::members(od::value value, Fn &&fn)
{
    od::object object;
    CW_JSON_TRY(value.get_object().get(object));
    return members(object, fn);
}

template <typename Fn> bool Reader::members(od::object &object, Fn &&fn)
{
    for (auto member : object) {
        od::field field;
        CW_JSON_TRY(std::move(member).get(field));
        // Keys are compared raw (escapes were checked up front): no unescaping on the hot path. A known key
        // spelled with escape sequences counts as unknown, which no API server produces.
        const od::raw_json_string key = field.key();
        if (!fn(key, field.value(), key.raw() - 1))
            return false;
    }
    return true;
}

template <typename Fn> bool Reader::rootMembers(Fn &&fn)
{
    od::json_type rootType{};
    CW_JSON_TRY(m_doc.type().get(rootType));
    if (rootType != od::json_type::object)
        return fail(QStringLiteral("invalid JSON: the input is not a JSON object"));
    od::object root;
    CW_JSON_TRY(m_doc.get_object().get(root));
    if (!members(root, fn))
        return false;
    return atEnd() || fail(QStringLiteral("invalid JSON: unexpected content after the object"));
}

// Starts parsing `input` into `doc`, and checks its escape sequences (which the Reader relies on); the
// error if either fails.
std::optional<DecodeError> openDocument(Workspace &workspace, simdjson::padded_string_view input,
                                        od::document &doc);

} // namespace cw::watch::json
