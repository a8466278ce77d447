// SPDX-License-Identifier: Apache-2.0
#include "jsonreader.h"

#include <algorithm>
#include <charconv>

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

namespace {

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

// Checks the escape sequence at `p` (a backslash); returns where the input goes on after it, or nullptr.
const char *afterEscape(const char *p, const char *end)
{
    if (end - p < 2)
        return nullptr;
    switch (p[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        return p + 2;
    case 'u': {
        unsigned unit = 0;
        if (end - p < 6 || !hex4(p + 2, unit) || (unit >= 0xDC00 && unit <= 0xDFFF))
            return nullptr;
        if (unit < 0xD800 || unit > 0xDBFF)
            return p + 6;
        unsigned low = 0; // a high surrogate must be followed by a low one
        if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || !hex4(p + 8, low) || low < 0xDC00 || low > 0xDFFF)
            return nullptr;
        return p + 12;
    }
    default:
        return nullptr;
    }
}

} // namespace

// Checks every escape sequence of the input in one pass (memchr from backslash to backslash beats a vector
// scan of our own, even on a pod with a JSON annotation), so that the walk never has to unescape a key or a
// string it does not keep: stage 1 has already checked UTF-8 and control characters, escapes are the one
// thing left. Lone UTF-16 surrogates are refused, as simdjson's own unescaping does.
const char *firstBadEscape(const char *p, const char *end)
{
    while ((p = static_cast<const char *>(std::memchr(p, '\\', size_t(end - p))))) {
        const char *next = afterEscape(p, end);
        if (!next)
            return p;
        p = next;
    }
    return nullptr;
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

void appendUtf8(std::string &out, unsigned codePoint)
{
    if (codePoint < 0x80) {
        out += char(codePoint);
    } else if (codePoint < 0x800) {
        out += char(0xC0 | (codePoint >> 6));
        out += char(0x80 | (codePoint & 0x3F));
    } else if (codePoint < 0x10000) {
        out += char(0xE0 | (codePoint >> 12));
        out += char(0x80 | ((codePoint >> 6) & 0x3F));
        out += char(0x80 | (codePoint & 0x3F));
    } else {
        out += char(0xF0 | (codePoint >> 18));
        out += char(0x80 | ((codePoint >> 12) & 0x3F));
        out += char(0x80 | ((codePoint >> 6) & 0x3F));
        out += char(0x80 | (codePoint & 0x3F));
    }
}

// Only for strings whose escapes firstBadEscape() has passed: every sequence here is complete and valid.
void unescape(std::string_view raw, std::string &out)
{
    out.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\') {
            out += raw[i];
            continue;
        }
        const char escaped = raw[++i];
        switch (escaped) {
        case 'b':
            out += '\b';
            break;
        case 'f':
            out += '\f';
            break;
        case 'n':
            out += '\n';
            break;
        case 'r':
            out += '\r';
            break;
        case 't':
            out += '\t';
            break;
        case 'u': {
            unsigned unit = 0;
            hex4(raw.data() + i + 1, unit);
            i += 4;
            if (unit >= 0xD800 && unit <= 0xDBFF) {
                unsigned low = 0;
                hex4(raw.data() + i + 3, low);
                i += 6;
                unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            }
            appendUtf8(out, unit);
            break;
        }
        default: // '"', '\\' and '/' stand for themselves
            out += escaped;
        }
    }
}

// The first allocation of a thread's index: room for any watch event short of a huge one, so that the
// index is not regrown for every slightly longer line.
constexpr size_t MinCapacity = size_t(64) << 10;

} // namespace

bool Reader::fail(const QString &message)
{
    if (m_error.message.isEmpty())
        m_error = DecodeError{message, qint64(m_tokens[m_pos])};
    return false;
}

bool Reader::failSyntax(const char *problem)
{
    return fail(QLatin1StringView("invalid JSON: ") +
                QLatin1StringView(m_pos == m_count ? "unexpected end of input" : problem));
}

bool Reader::failType(const QString &message)
{
    const uint32_t at = m_pos;
    if (!validate(0))
        return false;
    m_pos = at;
    return fail(message);
}

bool Reader::validate(int depth)
{
    // The closing character of each container this call has open, innermost last. Iterative, not recursive:
    // it runs for every value of every event, and hostile nesting cannot reach the stack. The cursor lives
    // in locals here: the compiler keeps them in registers across the loop.
    std::array<char, MaxDepth> closers;
    size_t open = 0;
    const size_t maxOpen = depth < MaxDepth ? size_t(MaxDepth - depth) : 0;
    const char *const text = m_text;
    const uint32_t *const tokens = m_tokens;
    uint32_t pos = m_pos;
    const auto at = [&] { return text[tokens[pos]]; };
    const auto token = [&] {
        return std::string_view(text + tokens[pos], size_t(tokens[pos + 1] - tokens[pos]));
    };
    const auto failAt = [&](const char *problem) {
        m_pos = pos;
        return failSyntax(problem);
    };
    const auto memberName = [&] {
        if (at() != '"')
            return failAt("expected a member name");
        ++pos;
        if (at() != ':')
            return failAt("expected ':' after a member name");
        ++pos;
        return true;
    };
    for (;;) {
        const char c = at();
        switch (c) {
        case '{':
        case '[': {
            if (open == maxOpen)
                return failAt("nested too deeply");
            const char closer = c == '{' ? '}' : ']';
            ++pos;
            if (at() == closer) {
                ++pos;
                break;
            }
            closers[open++] = closer;
            if (closer == '}' && !memberName())
                return false;
            continue; // at the container's first value
        }
        case '"': // stage 1 ends a string's token at its closing quote: nothing left to check
            ++pos;
            break;
        case 't':
        case 'f':
        case 'n':
            if (!isJsonLiteral(token()))
                return failAt("invalid literal");
            ++pos;
            break;
        default:
            if (!isNumberStart(c))
                return failAt("expected a value");
            if (!isJsonNumber(token()))
                return failAt("invalid number");
            ++pos;
            break;
        }
        // After a value: close the containers that end here, then move on to the next value, if any.
        for (;;) {
            if (open == 0) {
                m_pos = pos;
                return true;
            }
            const char closer = closers[open - 1];
            const char next = at();
            if (next == ',') {
                ++pos;
                if (closer == '}' && !memberName())
                    return false;
                break;
            }
            if (next != closer)
                return failAt(closer == '}' ? "expected ',' or '}' after an object member"
                                            : "expected ',' or ']' after an array element");
            ++pos;
            --open;
        }
    }
}

bool Reader::readText(std::string_view &out, const char *what)
{
    if (peek() != '"')
        return failType(QLatin1StringView(what) + QLatin1StringView(" is not a string"));
    if (!checkString())
        return failSyntax("unterminated string");
    const std::string_view raw = rawString();
    ++m_pos;
    if (!std::memchr(raw.data(), '\\', raw.size())) {
        out = raw;
        return true;
    }
    m_unescaped.emplace_front();
    unescape(raw, m_unescaped.front());
    out = m_unescaped.front();
    return true;
}

bool Reader::readString(QString &out, const char *what)
{
    std::string_view text;
    if (!readText(text, what))
        return false;
    out = toQString(text);
    return true;
}

bool Reader::readSharedString(QString &out, const char *what)
{
    std::string_view text;
    if (!readText(text, what))
        return false;
    out = m_shared.get(text);
    return true;
}

bool Reader::readInt(qint64 &out, const char *what)
{
    if (!isNumberStart(peek()))
        return failType(QLatin1StringView(what) + QLatin1StringView(" is not a number"));
    const std::string_view token = withoutTrailingSpace(scalar());
    if (!isJsonNumber(token))
        return failSyntax("invalid number");
    int64_t number = 0;
    const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), number);
    if (error != std::errc() || end != token.data() + token.size())
        return fail(QLatin1StringView(what) + QLatin1StringView(" is not a 64-bit integer"));
    ++m_pos;
    out = number;
    return true;
}

bool Reader::readObject(ObjectRecord &record, StatusFields *status, bool &initialEventsEnd,
                        bool keepManagedFields)
{
    if (peek() != '{')
        return failType(QStringLiteral("the object is not a JSON object"));
    const char *begin = tokenBegin();
    Cut cut;
    const bool ok = members(1, [&](std::string_view key, const char *) {
        if (key == "metadata"sv)
            return readMetadata(record, initialEventsEnd, keepManagedFields, cut);
        if (key == "kind"sv)
            return readSharedString(record.kind, "kind");
        if (key == "apiVersion"sv)
            return readSharedString(record.apiVersion, "apiVersion");
        return status ? readStatusField(key, *status, 2) : validate(2);
    });
    if (!ok)
        return false;
    const char *end = m_text + m_tokens[m_pos - 1] + 1; // just past the closing brace
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

bool Reader::readMetadata(ObjectRecord &record, bool &initialEventsEnd, bool keepManagedFields, Cut &cut)
{
    if (peek() != '{')
        return failType(QStringLiteral("metadata is not a JSON object"));
    return members(2, [&](std::string_view key, const char *keyQuote) {
        if (key == "name"sv)
            return readString(record.name, "metadata.name");
        if (key == "namespace"sv)
            return readSharedString(record.ns, "metadata.namespace");
        if (key == "uid"sv)
            return readString(record.uid, "metadata.uid");
        if (key == "resourceVersion"sv)
            return readString(record.resourceVersion, "metadata.resourceVersion");
        if (key == "annotations"sv) {
            if (peek() != '{')
                return validate(3);
            return members(3, [&](std::string_view name, const char *) {
                if (name != "k8s.io/initial-events-end"sv)
                    return validate(4);
                std::string_view flag;
                if (!readText(flag, "the k8s.io/initial-events-end annotation"))
                    return false;
                initialEventsEnd = flag == "true"sv;
                return true;
            });
        }
        if (key != "managedFields"sv || keepManagedFields || cut.begin)
            return validate(3);
        if (!validate(3))
            return false;
        // Remove the member and exactly one neighbouring comma so that the rest stays valid JSON.
        const char *next = tokenBegin();
        if (peek() == ',') {
            cut = {keyQuote, next + 1};
        } else {
            const char *before = keyQuote;
            while (before > m_text && isJsonSpace(before[-1]))
                --before;
            cut = before > m_text && before[-1] == ',' ? Cut{before - 1, next} : Cut{keyQuote, next};
        }
        return true;
    });
}

bool Reader::readStatusField(std::string_view key, StatusFields &status, int depth)
{
    const char c = peek();
    if (key == "code"sv && isNumberStart(c)) {
        qint64 code = 0;
        if (!readInt(code, "code"))
            return false;
        status.code = int(std::clamp<qint64>(code, 0, 999));
        return true;
    }
    if (c == '"') {
        QString *target = key == "reason"sv    ? &status.reason
                          : key == "message"sv ? &status.message
                          : key == "status"sv  ? &status.status
                          : key == "kind"sv    ? &status.kind
                                               : nullptr;
        if (target)
            return readString(*target, "a Status field");
    }
    if (key == "details"sv && c == '{')
        return readDetails(status, depth + 1);
    if (key == "metadata"sv && c == '{') {
        return members(depth + 1, [&](std::string_view name, const char *) {
            if (name == "continue"sv && peek() == '"')
                return readString(status.continueToken, "metadata.continue");
            return validate(depth + 1);
        });
    }
    return validate(depth);
}

bool Reader::readDetails(StatusFields &status, int depth)
{
    return members(depth, [&](std::string_view key, const char *) {
        if (key == "retryAfterSeconds"sv && isNumberStart(peek())) {
            qint64 seconds = 0;
            if (!readInt(seconds, "details.retryAfterSeconds"))
                return false;
            // Clamped: a hostile or buggy hint must not overflow a millisecond timer.
            status.retryAfterSeconds = int(std::clamp<qint64>(seconds, 0, 86'400));
            return true;
        }
        if (key != "causes"sv || peek() != '[')
            return validate(depth + 1);
        return elements(depth + 1, [&] {
            if (peek() != '{')
                return validate(depth + 2);
            return members(depth + 2, [&](std::string_view name, const char *) {
                if (name != "reason"sv || peek() != '"')
                    return validate(depth + 3);
                QString reason;
                if (!readString(reason, "details.causes[].reason"))
                    return false;
                status.causes.append(reason);
                return true;
            });
        });
    });
}

std::optional<DecodeError> openDocument(Workspace &workspace, simdjson::padded_string_view input,
                                        Document &doc)
{
    const size_t length = input.length();
    auto &stage1 = workspace.stage1;
    simdjson::error_code error = simdjson::SUCCESS;
    if (!stage1)
        error = simdjson::get_active_implementation()->create_dom_parser_implementation(
            std::max(length, MinCapacity), MaxDepth, stage1);
    else if (stage1->capacity() < length)
        error = stage1->set_capacity(std::max(length, std::min(length + length / 2, MaxRetainedInput)));
    if (error == simdjson::SUCCESS)
        error = stage1->stage1(reinterpret_cast<const uint8_t *>(input.data()), length,
                               simdjson::stage1_mode::regular);
    if (error != simdjson::SUCCESS)
        return DecodeError{
            QLatin1StringView("invalid JSON: ") + QLatin1StringView(simdjson::error_message(error)), -1};
    // What the Reader relies on to stop at the end; every caller pads with zeros or ends at a line break.
    const char after = input.data()[length];
    if (after != '\0' && !isJsonSpace(after))
        return DecodeError{QStringLiteral("internal error: the input is not terminated"), -1};
    doc = Document{input.data(), stage1->structural_indexes.get(), stage1->n_structural_indexes};
    const char *bad = firstBadEscape(input.data(), input.data() + length);
    if (!bad)
        return std::nullopt;
    return DecodeError{QStringLiteral("invalid JSON: invalid escape sequence in a string"),
                       qint64(bad - input.data())};
}

} // namespace cw::watch::json
