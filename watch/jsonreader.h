// SPDX-License-Identifier: Apache-2.0
// What the watch decoders (watchevent.cpp, listpage.cpp) share: simdjson's stage 1 in a per-thread workspace,
// and the Reader that checks a document's grammar while it picks up the Kubernetes fields. Not an API.
#pragma once

#include "watchevent.h"

#include <simdjson.h>

#include <array>
#include <cstring>
#include <forward_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// The Reader walks stage 1's structural index, an interface simdjson keeps public but calls internal: held to
// the major version it was written against.
static_assert(simdjson::SIMDJSON_VERSION_MAJOR == 3,
              "written against simdjson 3's dom_parser_implementation");

namespace cw::watch::json {

using namespace std::string_view_literals;

// Far deeper than any Kubernetes object (CRD schemas reach a few dozen levels), and a bound on what hostile
// input can make the walk track.
constexpr int MaxDepth = 256;
// Inputs larger than this are indexed in a throwaway workspace so one 50 MB list does not pin 50 MB (plus
// its index, four times that) per thread for the rest of the process.
constexpr size_t MaxRetainedInput = size_t(8) << 20;

QString toQString(std::string_view text);

// The values that repeat from object to object (kind, apiVersion, namespace): each spelling seen recently
// maps to one QString that every object shares, instead of one allocation per object (and its free, often
// on another thread). Two-way set-associative: "Pod" and a namespace that hash to the same set would
// otherwise evict each other on every event.
class SharedStrings
{
public:
    QString get(std::string_view text)
    {
        if (text.empty() || text.size() > MaxLength)
            return toQString(text);
        Set &set = m_sets[std::hash<std::string_view>{}(text) % m_sets.size()];
        for (int way = 0; way < 2; ++way) {
            if (set.ways[way].bytes == text) {
                set.recent = way;
                return set.ways[way].value;
            }
        }
        set.recent ^= 1; // the way used less recently
        Entry &entry = set.ways[set.recent];
        entry.bytes.assign(text);
        entry.value = toQString(text);
        return entry.value;
    }

private:
    static constexpr size_t MaxLength = 64;
    struct Entry
    {
        std::string bytes;
        QString value;
    };
    struct Set
    {
        std::array<Entry, 2> ways;
        int recent = 0;
    };
    std::array<Set, 64> m_sets;
};

// simdjson wants SIMDJSON_PADDING readable bytes after the input; a QByteArrayView promises none, so the
// input is copied once into a reused buffer (a 4 KB memcpy is noise next to the parse).
struct Workspace
{
    // simdjson's stage 1, the kernel picked at run time for this CPU (AVX-512, AVX2 or SSE4.2): it indexes
    // every structural character and the start of every string and scalar, and checks UTF-8, control
    // characters and string termination. Its index is all the Reader needs; simdjson's own walks are built
    // for the baseline CPU of the package and cost more than the index itself.
    std::unique_ptr<simdjson::internal::dom_parser_implementation> stage1;
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

// The calling thread's workspace, kept for every input up to MaxRetainedInput: one index per thread, however
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
// Whether a scalar token (trailing whitespace allowed) is a JSON number, or true, false or null.
bool isJsonNumber(std::string_view token);
bool isJsonLiteral(std::string_view token);

// An indexed input: the text and the offsets of its tokens, followed by one more entry holding the text's
// length (stage 1 puts it there), so every token has an end. The byte at that length (padding or the line's
// terminator) starts no token, so a walk stops there without checking the count.
struct Document
{
    const char *text = nullptr;
    const uint32_t *tokens = nullptr;
    uint32_t count = 0;
};

// Indexes `input` into `doc` and checks its escape sequences (which the Reader relies on); the error if
// either fails.
std::optional<DecodeError> openDocument(Workspace &workspace, simdjson::padded_string_view input,
                                        Document &doc);

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

// Walks one indexed document, token by token. Every value is checked against the JSON grammar (stage 1
// checked the characters, not their order), Kubernetes fields are picked up on the way, and each object's
// raw JSON is cut from the input at its tokens' offsets instead of being re-serialised.
//
// Each read* and validate() consumes exactly one value, the one at the current token; members() and
// elements() call their function once per member or element, with the current token at its value.
class Reader
{
public:
    explicit Reader(const Document &doc, SharedStrings &shared)
        : m_text(doc.text), m_tokens(doc.tokens), m_count(doc.count), m_shared(shared)
    {}

    // Both record the first error only (with the token where it was noticed) and return false, to be
    // returned in turn. Out of line and cold: they must not weigh on the inlined success path.
    [[gnu::cold, gnu::noinline]] bool fail(const QString &message);
    [[gnu::cold, gnu::noinline]] bool failSyntax(const char *problem);
    // For a value of the wrong type: the grammar error if the value is not even valid JSON, else `message`.
    [[gnu::cold, gnu::noinline]] bool failType(const QString &message);
    const DecodeError &error() const { return m_error; }

    // The first character of the current token: what kind of value starts there. Past the last token it is
    // the byte after the input, which openDocument() made sure starts none.
    char peek() const { return m_text[m_tokens[m_pos]]; }
    static bool isNumberStart(char c) { return c == '-' || (c >= '0' && c <= '9'); }

    template <typename Fn> bool members(int depth, Fn &&fn);
    template <typename Fn> bool elements(int depth, Fn &&fn);
    template <typename Fn> bool rootMembers(Fn &&fn);

    bool validate(int depth);
    // The text stays valid while the Reader lives (it points into the input or into the Reader).
    bool readText(std::string_view &out, const char *what);
    bool readString(QString &out, const char *what);
    // The same for a value many objects share (see SharedStrings).
    bool readSharedString(QString &out, const char *what);
    bool readInt(qint64 &out, const char *what);
    // A Kubernetes object: identity fields, its JSON (managedFields cut unless kept), Status fields if asked.
    bool readObject(ObjectRecord &record, StatusFields *status, bool &initialEventsEnd,
                    bool keepManagedFields);
    // One member of a metav1.Status; members of unexpected type are only validated.
    bool readStatusField(std::string_view key, StatusFields &status, int depth);

private:
    struct Cut
    {
        const char *begin = nullptr;
        const char *end = nullptr;
    };
    bool readMetadata(ObjectRecord &record, bool &initialEventsEnd, bool keepManagedFields, Cut &cut);
    bool readDetails(StatusFields &status, int depth);

    const char *tokenBegin() const { return m_text + m_tokens[m_pos]; }
    // A string token's content between its quotes, escapes left as they are. Stage 1 ends a string's
    // token at its closing quote (and any whitespace after it): whatever follows is a token of its own.
    std::string_view rawString() const
    {
        const std::string_view token = withoutTrailingSpace(
            std::string_view(tokenBegin(), size_t(m_tokens[m_pos + 1] - m_tokens[m_pos])));
        return token.substr(1, token.size() - 2);
    }
    std::string_view scalar() const
    {
        return std::string_view(tokenBegin(), size_t(m_tokens[m_pos + 1] - m_tokens[m_pos]));
    }
    bool checkString() const
    {
        const uint32_t begin = m_tokens[m_pos];
        const uint32_t end = m_tokens[m_pos + 1];
        if (Q_LIKELY(end - begin >= 2 && m_text[end - 1] == '"'))
            return true;
        const std::string_view token = withoutTrailingSpace(scalar());
        return token.size() >= 2 && token.back() == '"';
    }

    const char *m_text;
    const uint32_t *m_tokens;
    uint32_t m_count;
    uint32_t m_pos = 0;
    SharedStrings &m_shared;
    std::forward_list<std::string> m_unescaped; // strings read that had escape sequences
    DecodeError m_error;
};

// The walks stay inline in the decoders: they run for every member of every object.

template <typename Fn> bool Reader::members(int depth, Fn &&fn)
{
    if (depth > MaxDepth)
        return failSyntax("nested too deeply");
    if (peek() != '{')
        return failSyntax("expected an object");
    ++m_pos;
    if (peek() == '}') {
        ++m_pos;
        return true;
    }
    for (;;) {
        if (peek() != '"' || !checkString())
            return failSyntax("expected a member name");
        // Keys are compared raw (escapes were checked up front): no unescaping on the hot path. A known key
        // spelled with escape sequences counts as unknown, which no API server produces.
        const char *keyQuote = tokenBegin();
        const std::string_view key = rawString();
        ++m_pos;
        if (peek() != ':')
            return failSyntax("expected ':' after a member name");
        ++m_pos;
        if (!fn(key, keyQuote))
            return false;
        const char next = peek();
        if (next == '}') {
            ++m_pos;
            return true;
        }
        if (next != ',')
            return failSyntax("expected ',' or '}' after an object member");
        ++m_pos;
    }
}

template <typename Fn> bool Reader::elements(int depth, Fn &&fn)
{
    if (depth > MaxDepth)
        return failSyntax("nested too deeply");
    if (peek() != '[')
        return failSyntax("expected an array");
    ++m_pos;
    if (peek() == ']') {
        ++m_pos;
        return true;
    }
    for (;;) {
        if (!fn())
            return false;
        const char next = peek();
        if (next == ']') {
            ++m_pos;
            return true;
        }
        if (next != ',')
            return failSyntax("expected ',' or ']' after an array element");
        ++m_pos;
    }
}

template <typename Fn> bool Reader::rootMembers(Fn &&fn)
{
    if (peek() != '{')
        return fail(QStringLiteral("invalid JSON: the input is not a JSON object"));
    if (!members(0, fn))
        return false;
    return m_pos == m_count || fail(QStringLiteral("invalid JSON: unexpected content after the object"));
}

} // namespace cw::watch::json
