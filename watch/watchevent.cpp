// SPDX-License-Identifier: Apache-2.0
#include "watchevent.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace cw::watch {

namespace {

namespace od = simdjson::ondemand;
using namespace std::string_view_literals;

// Far deeper than any Kubernetes object (CRD schemas reach a few dozen levels) yet shallow enough that the
// recursive validation below cannot exhaust a thread's stack on hostile input.
constexpr int MaxDepth = 256;
// Inputs larger than this are parsed with a throwaway parser so one 50 MB list does not pin 50 MB (plus
// simdjson's index, several times that) per thread for the rest of the process.
constexpr size_t MaxRetainedInput = size_t(8) << 20;

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

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

template <typename Fn> auto withWorkspace(size_t inputSize, Fn &&fn)
{
    if (inputSize > MaxRetainedInput) {
        Workspace once;
        return fn(once);
    }
    thread_local Workspace workspace;
    return fn(workspace);
}

template <typename Fn> auto withWorkspace(QByteArrayView input, Fn &&fn)
{
    return withWorkspace(size_t(input.size()),
                         [&](Workspace &workspace) { return fn(workspace, workspace.load(input)); });
}

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

bool hex4(const char *p, unsigned &value)
{
    value = 0;
    for (int i = 0; i < 4; ++i) {
        const char c = p[i];
        const int digit = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
        if (digit < 0)
            return false;
        value = value * 16 + unsigned(digit);
    }
    return true;
}

// Checks every escape sequence of the input in one pass (backslashes are rare, memchr skips the rest), so
// that the walk below never has to unescape a key or a string it does not keep: simdjson's stage 1 has
// already checked UTF-8, control characters and the structure, escapes are the one thing left. Lone UTF-16
// surrogates are refused like simdjson's own unescaping does. Returns the offending backslash, or nullptr.
const char *firstBadEscape(const char *p, const char *end)
{
    while ((p = static_cast<const char *>(std::memchr(p, '\\', size_t(end - p))))) {
        if (end - p < 2)
            return p;
        switch (p[1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            p += 2;
            continue;
        case 'u': {
            unsigned unit = 0;
            if (end - p < 6 || !hex4(p + 2, unit) || (unit >= 0xDC00 && unit <= 0xDFFF))
                return p;
            if (unit < 0xD800 || unit > 0xDBFF) {
                p += 6;
                continue;
            }
            unsigned low = 0; // a high surrogate must be followed by a low one
            if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || !hex4(p + 8, low) || low < 0xDC00 ||
                low > 0xDFFF)
                return p;
            p += 12;
            continue;
        }
        default:
            return p;
        }
    }
    return nullptr;
}

// The content of a string token (quotes and trailing whitespace included) when it has no escape sequence, so
// it can be used as is without unescaping (which costs a virtual call per string).
std::optional<std::string_view> plainString(std::string_view token)
{
    while (!token.empty() && isJsonSpace(token.back()))
        token.remove_suffix(1);
    if (token.size() < 2 || token.front() != '"' || token.back() != '"')
        return std::nullopt;
    token = token.substr(1, token.size() - 2);
    if (std::memchr(token.data(), '\\', token.size()))
        return std::nullopt;
    return token;
}

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

bool Reader::validate(od::value value, int depth)
{
    if (depth > MaxDepth)
        return fail(simdjson::DEPTH_ERROR);
    od::json_type valueType{};
    if (!type(value, valueType))
        return false;
    switch (valueType) {
    case od::json_type::object:
        return members(value,
                       [&](Key, od::value member, const char *) { return validate(member, depth + 1); });
    case od::json_type::array: {
        od::array array;
        CW_JSON_TRY(value.get_array().get(array));
        for (auto element : array) {
            od::value item;
            CW_JSON_TRY(std::move(element).get(item));
            if (!validate(item, depth + 1))
                return false;
        }
        return true;
    }
    case od::json_type::string: {
        od::raw_json_string text; // escapes were checked up front; nothing to unescape for a value not kept
        CW_JSON_TRY(value.get_raw_json_string().get(text));
        return true;
    }
    case od::json_type::number: {
        double number; // get_double accepts every JSON number, integers beyond 64 bits too
        CW_JSON_TRY(value.get_double().get(number));
        return true;
    }
    case od::json_type::boolean: {
        bool flag;
        CW_JSON_TRY(value.get_bool().get(flag));
        return true;
    }
    case od::json_type::null: {
        bool isNull = false;
        CW_JSON_TRY(value.is_null().get(isNull));
        return isNull || fail(simdjson::INCORRECT_TYPE);
    }
    }
    return fail(simdjson::TAPE_ERROR);
}

bool Reader::readText(od::value value, std::string_view &out, const char *what)
{
    od::json_type valueType{};
    if (!type(value, valueType))
        return false;
    if (valueType != od::json_type::string)
        return fail(QLatin1StringView(what) + QLatin1StringView(" is not a string"));
    if (const auto plain = plainString(value.raw_json_token())) {
        od::raw_json_string consumed;
        CW_JSON_TRY(value.get_raw_json_string().get(consumed));
        out = *plain;
        return true;
    }
    CW_JSON_TRY(value.get_string().get(out));
    return true;
}

bool Reader::readString(od::value value, QString &out, const char *what)
{
    std::string_view text;
    if (!readText(value, text, what))
        return false;
    out = toQString(text);
    return true;
}

bool Reader::readSharedString(od::value value, QString &out, const char *what)
{
    std::string_view text;
    if (!readText(value, text, what))
        return false;
    out = m_shared.get(text);
    return true;
}

bool Reader::readInt(od::value value, qint64 &out, const char *what)
{
    od::json_type valueType{};
    if (!type(value, valueType))
        return false;
    if (valueType != od::json_type::number)
        return fail(QLatin1StringView(what) + QLatin1StringView(" is not a number"));
    int64_t number = 0;
    CW_JSON_TRY(value.get_int64().get(number));
    out = number;
    return true;
}

bool Reader::readObject(od::value value, ObjectRecord &record, StatusFields *status, bool &initialEventsEnd,
                        bool keepManagedFields)
{
    od::json_type valueType{};
    if (!type(value, valueType))
        return false;
    if (valueType != od::json_type::object)
        return fail(QStringLiteral("the object is not a JSON object"));
    const char *begin = value.raw_json_token().data();
    Cut cut;
    const bool ok = members(value, [&](Key key, od::value member, const char *) {
        if (key == "metadata"sv)
            return readMetadata(member, record, initialEventsEnd, keepManagedFields, cut);
        if (key == "kind"sv)
            return readSharedString(member, record.kind, "kind");
        if (key == "apiVersion"sv)
            return readSharedString(member, record.apiVersion, "apiVersion");
        return status ? readStatusField(key, member, *status, 2) : validate(member, 2);
    });
    if (!ok)
        return false;
    const char *end = endOfConsumed();
    if (cut.begin) {
        // One allocation, two copies: the spans before and after the cut member.
        const auto head = size_t(cut.begin - begin);
        const auto tail = size_t(end - cut.end);
        record.object = QByteArray(qsizetype(head + tail), Qt::Uninitialized);
        std::memcpy(record.object.data(), begin, head);
        std::memcpy(record.object.data() + head, cut.end, tail);
    } else {
        record.object = QByteArray(begin, qsizetype(end - begin));
    }
    return true;
}

bool Reader::readMetadata(od::value value, ObjectRecord &record, bool &initialEventsEnd,
                          bool keepManagedFields, Cut &cut)
{
    od::json_type valueType{};
    if (!type(value, valueType))
        return false;
    if (valueType != od::json_type::object)
        return fail(QStringLiteral("metadata is not a JSON object"));
    return members(value, [&](Key key, od::value member, const char *keyQuote) {
        if (key == "name"sv)
            return readString(member, record.name, "metadata.name");
        if (key == "namespace"sv)
            return readSharedString(member, record.ns, "metadata.namespace");
        if (key == "uid"sv)
            return readString(member, record.uid, "metadata.uid");
        if (key == "resourceVersion"sv)
            return readString(member, record.resourceVersion, "metadata.resourceVersion");
        if (key == "annotations"sv) {
            od::json_type annotationsType{};
            if (!type(member, annotationsType))
                return false;
            if (annotationsType != od::json_type::object)
                return validate(member, 3);
            return members(member, [&](Key name, od::value annotation, const char *) {
                if (name != "k8s.io/initial-events-end"sv)
                    return validate(annotation, 4);
                std::string_view flag;
                if (!readText(annotation, flag, "the k8s.io/initial-events-end annotation"))
                    return false;
                initialEventsEnd = flag == "true"sv;
                return true;
            });
        }
        if (key != "managedFields"sv || keepManagedFields || cut.begin)
            return validate(member, 3);
        if (!validate(member, 3))
            return false;
        // Remove the member and exactly one neighbouring comma so that the rest stays valid JSON.
        const char *next = location();
        if (*next == ',') {
            cut = {keyQuote, next + 1};
        } else {
            const char *before = keyQuote;
            while (before > m_begin && isJsonSpace(before[-1]))
                --before;
            cut = before > m_begin && before[-1] == ',' ? Cut{before - 1, next} : Cut{keyQuote, next};
        }
        return true;
    });
}

bool Reader::readStatusField(Key key, od::value value, StatusFields &status, int depth)
{
    od::json_type valueType{};
    if (!type(value, valueType))
        return false;
    if (key == "code"sv && valueType == od::json_type::number) {
        qint64 code = 0;
        if (!readInt(value, code, "code"))
            return false;
        status.code = int(std::clamp<qint64>(code, 0, 999));
        return true;
    }
    if (valueType == od::json_type::string) {
        QString *target = key == "reason"sv    ? &status.reason
                          : key == "message"sv ? &status.message
                          : key == "status"sv  ? &status.status
                          : key == "kind"sv    ? &status.kind
                                               : nullptr;
        if (target)
            return readString(value, *target, "a Status field");
    }
    if (key == "details"sv && valueType == od::json_type::object)
        return readDetails(value, status, depth + 1);
    if (key == "metadata"sv && valueType == od::json_type::object) {
        return members(value, [&](Key name, od::value member, const char *) {
            od::json_type memberType{};
            if (!type(member, memberType))
                return false;
            if (name == "continue"sv && memberType == od::json_type::string)
                return readString(member, status.continueToken, "metadata.continue");
            return validate(member, depth + 1);
        });
    }
    return validate(value, depth);
}

bool Reader::readDetails(od::value value, StatusFields &status, int depth)
{
    return members(value, [&](Key key, od::value member, const char *) {
        od::json_type memberType{};
        if (!type(member, memberType))
            return false;
        if (key == "retryAfterSeconds"sv && memberType == od::json_type::number) {
            qint64 seconds = 0;
            if (!readInt(member, seconds, "details.retryAfterSeconds"))
                return false;
            // Clamped: a hostile or buggy hint must not overflow a millisecond timer.
            status.retryAfterSeconds = int(std::clamp<qint64>(seconds, 0, 86'400));
            return true;
        }
        if (key != "causes"sv || memberType != od::json_type::array)
            return validate(member, depth + 1);
        od::array causes;
        CW_JSON_TRY(member.get_array().get(causes));
        for (auto element : causes) {
            od::value cause;
            CW_JSON_TRY(std::move(element).get(cause));
            od::json_type causeType{};
            if (!type(cause, causeType))
                return false;
            const bool ok = causeType != od::json_type::object
                                ? validate(cause, depth + 2)
                                : members(cause, [&](Key name, od::value field, const char *) {
                                      od::json_type fieldType{};
                                      if (!type(field, fieldType))
                                          return false;
                                      if (name != "reason"sv || fieldType != od::json_type::string)
                                          return validate(field, depth + 3);
                                      QString reason;
                                      if (!readString(field, reason, "details.causes[].reason"))
                                          return false;
                                      status.causes.append(reason);
                                      return true;
                                  });
            if (!ok)
                return false;
        }
        return true;
    });
}

#undef CW_JSON_TRY

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

DecodeError iterateError(simdjson::error_code error)
{
    return DecodeError{
        QLatin1StringView("invalid JSON: ") + QLatin1StringView(simdjson::error_message(error)), -1};
}

std::optional<DecodeError> escapeError(simdjson::padded_string_view input)
{
    const char *bad = firstBadEscape(input.data(), input.data() + input.length());
    if (!bad)
        return std::nullopt;
    return DecodeError{QStringLiteral("invalid JSON: invalid escape sequence in a string"),
                       qint64(bad - input.data())};
}

DecodeResult decodeEvent(Workspace &workspace, simdjson::padded_string_view input, bool keepManagedFields)
{
    od::document doc;
    if (const auto error = workspace.parser.iterate(input).get(doc); error != simdjson::SUCCESS)
        return iterateError(error);
    if (auto error = escapeError(input))
        return *error;
    Reader reader(doc, input, workspace.shared);
    WatchEvent event;
    std::string_view typeName;
    bool haveType = false;
    bool haveObject = false;
    std::optional<StatusFields> status;
    const bool ok = reader.rootMembers([&](Key key, od::value value, const char *) {
        if (key == "type"sv) {
            haveType = true;
            return reader.readText(value, typeName, "type");
        }
        if (key == "object"sv) {
            haveObject = true;
            // Only an ERROR's object is a Status. Servers send "type" first, so that is known by now.
            if (!haveType || typeName == "ERROR"sv)
                status.emplace();
            return reader.readObject(value, event, status ? &*status : nullptr, event.initialEventsEnd,
                                     keepManagedFields);
        }
        return reader.validate(value, 1);
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

ListPageResult decodeList(Workspace &workspace, simdjson::padded_string_view input, bool keepManagedFields)
{
    od::document doc;
    if (const auto error = workspace.parser.iterate(input).get(doc); error != simdjson::SUCCESS)
        return iterateError(error);
    if (auto error = escapeError(input))
        return *error;
    Reader reader(doc, input, workspace.shared);
    ListPage page;
    bool haveItems = false;
    const auto readItems = [&](od::value value) {
        od::json_type itemsType{};
        if (!reader.type(value, itemsType))
            return false;
        if (itemsType ==
            od::json_type::null) // Go's encoding of an empty slice; the server sends [], be lenient
            return reader.validate(value, 1);
        od::array items;
        if (itemsType != od::json_type::array || value.get_array().get(items) != simdjson::SUCCESS)
            return reader.fail(QStringLiteral("\"items\" is not an array"));
        for (auto element : items) {
            od::value item;
            if (const auto error = std::move(element).get(item); error != simdjson::SUCCESS)
                return reader.fail(error);
            ObjectRecord record;
            bool unusedInitialEventsEnd = false;
            if (!reader.readObject(item, record, nullptr, unusedInitialEventsEnd, keepManagedFields))
                return false;
            page.items.append(std::move(record));
        }
        return true;
    };
    const bool ok = reader.rootMembers([&](Key key, od::value value, const char *) {
        if (key == "kind"sv)
            return reader.readString(value, page.kind, "kind");
        if (key == "apiVersion"sv)
            return reader.readString(value, page.apiVersion, "apiVersion");
        if (key == "items"sv) {
            haveItems = true;
            return readItems(value);
        }
        if (key != "metadata"sv)
            return reader.validate(value, 1);
        od::json_type metadataType{};
        if (!reader.type(value, metadataType))
            return false;
        if (metadataType != od::json_type::object)
            return reader.fail(QStringLiteral("list metadata is not a JSON object"));
        return reader.members(value, [&](Key name, od::value member, const char *) {
            if (name == "resourceVersion"sv)
                return reader.readString(member, page.resourceVersion, "metadata.resourceVersion");
            if (name == "continue"sv)
                return reader.readString(member, page.continueToken, "metadata.continue");
            if (name != "remainingItemCount"sv)
                return reader.validate(member, 2);
            qint64 count = 0;
            if (!reader.readInt(member, count, "metadata.remainingItemCount"))
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
    od::document doc;
    if (workspace.parser.iterate(input).get(doc) != simdjson::SUCCESS || escapeError(input))
        return std::nullopt;
    Reader reader(doc, input, workspace.shared);
    StatusFields status;
    const bool ok = reader.rootMembers([&](Key key, od::value value, const char *) {
        return reader.readStatusField(key, value, status, 1);
    });
    if (!ok)
        return std::nullopt;
    return status;
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
