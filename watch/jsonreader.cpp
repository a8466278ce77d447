// SPDX-License-Identifier: Apache-2.0
#include "jsonreader.h"

namespace cw::watch::json {

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

Workspace &threadWorkspace()
{
    thread_local Workspace workspace;
    return workspace;
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
    token = withoutTrailingSpace(token);
    if (token.size() < 2 || token.front() != '"' || token.back() != '"')
        return std::nullopt;
    token = token.substr(1, token.size() - 2);
    if (std::memchr(token.data(), '\\', token.size()))
        return std::nullopt;
    return token;
}

bool isJsonNumber(std::string_view token)
{
    token = withoutTrailingSpace(token);
    const char *p = token.data();
    const char *const end = p + token.size();
    const auto digits = [&p, end] {
        const char *const start = p;
        while (p < end && *p >= '0' && *p <= '9')
            ++p;
        return p > start;
    };
    if (p < end && *p == '-')
        ++p;
    if (p < end && *p == '0')
        ++p; // no leading zeros
    else if (!digits())
        return false;
    if (p < end && *p == '.' && (++p, !digits()))
        return false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        ++p;
        if (p < end && (*p == '+' || *p == '-'))
            ++p;
        if (!digits())
            return false;
    }
    return p == end;
}

bool isJsonLiteral(std::string_view token)
{
    token = withoutTrailingSpace(token);
    return token == "true"sv || token == "false"sv || token == "null"sv;
}

namespace {

// The recursive walk behind Reader::validate. It visits every value of every event, so it is local to this
// file: the compiler may then specialise how it is called (an external function keeps the full ABI).
bool validateValue(Reader &reader, od::value value, int depth)
{
    if (depth > MaxDepth)
        return reader.fail(simdjson::DEPTH_ERROR);
    od::json_type valueType{};
    if (!reader.type(value, valueType))
        return false;
    const auto ok = [&reader](simdjson::error_code error) {
        return error == simdjson::SUCCESS || reader.fail(error);
    };
    switch (valueType) {
    case od::json_type::object:
        return reader.members(value, [&](Key, od::value member, const char *) {
            return validateValue(reader, member, depth + 1);
        });
    case od::json_type::array: {
        od::array array;
        if (!ok(value.get_array().get(array)))
            return false;
        for (auto element : array) {
            od::value item;
            if (!ok(std::move(element).get(item)) || !validateValue(reader, item, depth + 1))
                return false;
        }
        return true;
    }
    case od::json_type::string: {
        od::raw_json_string text; // escapes were checked up front; nothing to unescape for a value not kept
        return ok(value.get_raw_json_string().get(text));
    }
    // Scalars not kept are checked against the grammar on their raw text, without being converted (the
    // walk moves past a value it did not consume).
    case od::json_type::number:
        return isJsonNumber(value.raw_json_token()) || reader.fail(simdjson::NUMBER_ERROR);
    case od::json_type::boolean:
    case od::json_type::null:
        return isJsonLiteral(value.raw_json_token()) ||
               reader.fail(valueType == od::json_type::null ? simdjson::N_ATOM_ERROR : simdjson::T_ATOM_ERROR);
    }
    return reader.fail(simdjson::TAPE_ERROR);
}

} // namespace

bool Reader::validate(od::value value, int depth)
{
    return validateValue(*this, value, depth);
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

std::optional<DecodeError> openDocument(Workspace &workspace, simdjson::padded_string_view input,
                                        od::document &doc)
{
    if (const auto error = workspace.parser.iterate(input).get(doc); error != simdjson::SUCCESS)
        return DecodeError{
            QLatin1StringView("invalid JSON: ") + QLatin1StringView(simdjson::error_message(error)), -1};
    const char *bad = firstBadEscape(input.data(), input.data() + input.length());
    if (!bad)
        return std::nullopt;
    return DecodeError{QStringLiteral("invalid JSON: invalid escape sequence in a string"),
                       qint64(bad - input.data())};
}

} // namespace cw::watch::json
