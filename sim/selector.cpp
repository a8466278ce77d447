// SPDX-License-Identifier: Apache-2.0
#include "selector.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

// Messages follow apimachinery (labels/selector.go, fields/selector.go, api/validate/content) word for word:
// clients such as kubectl show them verbatim, and tests compare against real-server transcripts.

namespace cw::sim {

namespace {

bool isAsciiAlnum(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9');
}

bool isLowerAlnum(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9');
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool matchesLabelKeyName(QStringView s)
{
    if (s.isEmpty() || !isAsciiAlnum(s.front()) || !isAsciiAlnum(s.back()))
        return false;
    return std::all_of(s.begin(), s.end(),
                       [](QChar c) { return isAsciiAlnum(c) || c == u'-' || c == u'_' || c == u'.'; });
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*
bool matchesDns1123Subdomain(QStringView s)
{
    if (s.isEmpty())
        return false;
    for (const QStringView label : s.split(u'.')) {
        if (label.isEmpty() || !isLowerAlnum(label.front()) || !isLowerAlnum(label.back()))
            return false;
        if (!std::all_of(label.begin(), label.end(), [](QChar c) { return isLowerAlnum(c) || c == u'-'; }))
            return false;
    }
    return true;
}

// Go measures lengths in bytes.
qsizetype byteLength(const QString &s)
{
    return s.toUtf8().size();
}

QString maxLenError(int length)
{
    return QStringLiteral("must be no more than %1 bytes").arg(length);
}

QString regexError(const QString &msg, const QString &re, const QStringList &examples)
{
    QString out = msg + QStringLiteral(" (e.g. ");
    for (qsizetype i = 0; i < examples.size(); ++i) {
        if (i > 0)
            out += QStringLiteral(" or ");
        out += QLatin1Char('\'') + examples[i] + QStringLiteral("', ");
    }
    return out + QStringLiteral("regex used for validation is '") + re + QStringLiteral("')");
}

const QString &labelKeyFmt()
{
    static const QString fmt = QStringLiteral("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    return fmt;
}

QString labelKeyRegexError()
{
    return regexError(
        QStringLiteral("must consist of alphanumeric characters, '-', '_' or '.', and must start and "
                       "end with an alphanumeric character"),
        labelKeyFmt(), {QStringLiteral("MyName"), QStringLiteral("my.name"), QStringLiteral("123-abc")});
}

QStringList isDns1123Subdomain(const QString &value)
{
    QStringList errs;
    if (byteLength(value) > 253)
        errs << maxLenError(253);
    if (!matchesDns1123Subdomain(value)) {
        errs << regexError(
            QStringLiteral("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                           "characters, '-' or '.', and must start and end with an alphanumeric "
                           "character"),
            QStringLiteral("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"),
            {QStringLiteral("example.com")});
    }
    return errs;
}

// content.IsLabelKey (a.k.a. validation.IsQualifiedName).
QStringList isLabelKey(const QString &value)
{
    QStringList errs;
    const QStringList parts = value.split(QLatin1Char('/'));
    QString name;
    if (parts.size() == 1) {
        name = parts[0];
    } else if (parts.size() == 2) {
        const QString &prefix = parts[0];
        name = parts[1];
        if (prefix.isEmpty()) {
            errs << QStringLiteral("prefix part must be non-empty");
        } else {
            for (const QString &msg : isDns1123Subdomain(prefix))
                errs << QStringLiteral("prefix part ") + msg;
        }
    } else {
        return {QStringLiteral("a valid label key ") + labelKeyRegexError() +
                QStringLiteral(" with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")};
    }
    if (name.isEmpty())
        errs << QStringLiteral("name part must be non-empty");
    else if (byteLength(name) > 63)
        errs << QStringLiteral("name part ") + maxLenError(63);
    if (!matchesLabelKeyName(name))
        errs << QStringLiteral("name part ") + labelKeyRegexError();
    return errs;
}

// content.IsLabelValue.
QStringList isLabelValue(const QString &value)
{
    QStringList errs;
    if (byteLength(value) > 63)
        errs << maxLenError(63);
    if (!value.isEmpty() && !matchesLabelKeyName(value)) {
        errs << regexError(QStringLiteral("a valid label must be an empty string or consist of alphanumeric "
                                          "characters, '-', '_' or '.', and must start and end with an "
                                          "alphanumeric character"),
                           QStringLiteral("(") + labelKeyFmt() + QStringLiteral(")?"),
                           {QStringLiteral("MyValue"), QStringLiteral("my_value"), QStringLiteral("12345")});
    }
    return errs;
}

// Go's %q for the strings a selector can contain.
QString goQuote(const QString &s)
{
    QString out = QStringLiteral("\"");
    for (const QChar c : s) {
        switch (c.unicode()) {
        case u'"':
            out += QStringLiteral("\\\"");
            break;
        case u'\\':
            out += QStringLiteral("\\\\");
            break;
        case u'\n':
            out += QStringLiteral("\\n");
            break;
        case u'\r':
            out += QStringLiteral("\\r");
            break;
        case u'\t':
            out += QStringLiteral("\\t");
            break;
        default:
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    return out + QLatin1Char('"');
}

// field.Invalid(path, value, detail).Error()
QString fieldInvalid(const QString &path, const QString &renderedValue, const QString &detail)
{
    QString out = path + QStringLiteral(": Invalid value: ") + renderedValue;
    if (!detail.isEmpty())
        out += QStringLiteral(": ") + detail;
    return out;
}

QString jsonStrings(const QStringList &values, bool nilWhenEmpty)
{
    if (values.isEmpty() && nilWhenEmpty)
        return QStringLiteral("null");
    return QString::fromUtf8(
        QJsonDocument(QJsonArray::fromStringList(values)).toJson(QJsonDocument::Compact));
}

// utilerrors.NewAggregate(...).Error(): duplicates collapse, several messages are bracketed.
QString aggregate(const QStringList &messages)
{
    QStringList unique;
    for (const QString &m : messages) {
        if (!unique.contains(m))
            unique << m;
    }
    if (unique.size() <= 1)
        return unique.value(0);
    return QLatin1Char('[') + unique.join(QStringLiteral(", ")) + QLatin1Char(']');
}

// strconv.ParseInt(s, 10, 64)
std::optional<qint64> parseGoInt(const QString &s)
{
    qsizetype i = 0;
    if (s.startsWith(QLatin1Char('+')) || s.startsWith(QLatin1Char('-')))
        i = 1;
    if (i >= s.size())
        return std::nullopt;
    for (qsizetype j = i; j < s.size(); ++j) {
        if (s[j].unicode() < u'0' || s[j].unicode() > u'9')
            return std::nullopt;
    }
    bool ok = false;
    const qint64 v = s.toLongLong(&ok, 10);
    return ok ? std::optional<qint64>(v) : std::nullopt;
}

} // namespace

// ---------------------------------------------------------------------------------------------------------
// Label selector parser: a port of the apimachinery lexer/parser shape, so the same input fails at the same
// token.

class LabelParser
{
public:
    enum class Tok
    {
        Error,
        End,
        ClosedPar,
        Comma,
        DoesNotExist,
        DoubleEquals,
        Equals,
        GreaterThan,
        Identifier,
        In,
        LessThan,
        NotEquals,
        NotIn,
        OpenPar
    };
    // In a value position `in` and `notin` are ordinary identifiers (`a in (in)` is valid).
    enum class Context
    {
        KeyAndOperator,
        Values
    };
    using Op = LabelSelector::Op;
    using Requirement = LabelSelector::Requirement;

    explicit LabelParser(const QString &text) : m_text(text) {}

    std::optional<QList<Requirement>> parse(QString *error)
    {
        scan();
        QList<Requirement> requirements;
        for (;;) {
            const auto [tok, lit] = lookahead(Context::Values);
            switch (tok) {
            case Tok::Identifier:
            case Tok::DoesNotExist: {
                QString err;
                auto r = parseRequirement(&err);
                if (!r) {
                    *error = QStringLiteral("unable to parse requirement: ") + err;
                    return std::nullopt;
                }
                requirements << *r;
                const auto [t, l] = consume(Context::Values);
                if (t == Tok::End)
                    return requirements;
                if (t == Tok::Comma) {
                    const auto [t2, l2] = lookahead(Context::Values);
                    if (t2 != Tok::Identifier && t2 != Tok::DoesNotExist) {
                        *error = QStringLiteral("found '%1', expected: identifier after ','").arg(l2);
                        return std::nullopt;
                    }
                    break;
                }
                *error = QStringLiteral("found '%1', expected: ',' or 'end of string'").arg(l);
                return std::nullopt;
            }
            case Tok::End:
                return requirements;
            default:
                *error = QStringLiteral("found '%1', expected: !, identifier, or 'end of string'").arg(lit);
                return std::nullopt;
            }
        }
    }

private:
    struct Item
    {
        Tok tok = Tok::Error;
        QString lit;
    };

    static bool isWhitespace(QChar c) { return c == u' ' || c == u'\t' || c == u'\r' || c == u'\n'; }
    static bool isSpecial(QChar c)
    {
        switch (c.unicode()) {
        case u'=':
        case u'!':
        case u'(':
        case u')':
        case u',':
        case u'>':
        case u'<':
            return true;
        default:
            return false;
        }
    }
    static std::optional<Tok> keyword(const QString &s)
    {
        static const QHash<QString, Tok> tokens{
            {QStringLiteral(")"), Tok::ClosedPar},    {QStringLiteral(","), Tok::Comma},
            {QStringLiteral("!"), Tok::DoesNotExist}, {QStringLiteral("=="), Tok::DoubleEquals},
            {QStringLiteral("="), Tok::Equals},       {QStringLiteral(">"), Tok::GreaterThan},
            {QStringLiteral("in"), Tok::In},          {QStringLiteral("<"), Tok::LessThan},
            {QStringLiteral("!="), Tok::NotEquals},   {QStringLiteral("notin"), Tok::NotIn},
            {QStringLiteral("("), Tok::OpenPar},
        };
        const auto it = tokens.constFind(s);
        return it == tokens.cend() ? std::nullopt : std::optional<Tok>(*it);
    }

    // Like the Go lexer, NUL reads as "end of input" and reading past the end does not advance.
    QChar read()
    {
        if (m_pos < m_text.size())
            return m_text[m_pos++];
        return QChar(0);
    }
    void unread() { --m_pos; }

    Item scanIdOrKeyword()
    {
        QString buffer;
        for (;;) {
            const QChar c = read();
            if (c.isNull())
                break;
            if (isSpecial(c) || isWhitespace(c)) {
                unread();
                break;
            }
            buffer += c;
        }
        if (const auto tok = keyword(buffer))
            return {*tok, buffer};
        return {Tok::Identifier, buffer};
    }

    // Longest operator match ("!=" over "!").
    Item scanSpecialSymbol()
    {
        std::optional<Item> last;
        QString buffer;
        for (;;) {
            const QChar c = read();
            if (c.isNull())
                break;
            if (!isSpecial(c)) {
                unread();
                break;
            }
            buffer += c;
            if (const auto tok = keyword(buffer)) {
                last = Item{*tok, buffer};
            } else if (last) {
                unread();
                break;
            }
        }
        if (!last)
            return {Tok::Error, QStringLiteral("error expected: keyword found '%1'").arg(buffer)};
        return *last;
    }

    Item lex()
    {
        QChar c = read();
        while (isWhitespace(c))
            c = read();
        if (c.isNull())
            return {Tok::End, QString()};
        unread();
        return isSpecial(c) ? scanSpecialSymbol() : scanIdOrKeyword();
    }

    void scan()
    {
        for (;;) {
            m_items << lex();
            if (m_items.last().tok == Tok::End)
                break;
        }
    }

    static Item inContext(Item item, Context context)
    {
        if (context == Context::Values && (item.tok == Tok::In || item.tok == Tok::NotIn))
            item.tok = Tok::Identifier;
        return item;
    }
    std::pair<Tok, QString> lookahead(Context context) const
    {
        const Item item = inContext(m_items[m_index], context);
        return {item.tok, item.lit};
    }
    std::pair<Tok, QString> consume(Context context)
    {
        const Item item = inContext(m_items[m_index], context);
        // The End token repeats forever, as if the scanner kept returning it.
        if (m_index + 1 < m_items.size())
            ++m_index;
        return {item.tok, item.lit};
    }

    std::optional<Requirement> parseRequirement(QString *error)
    {
        Requirement r;
        if (!parseKeyAndInferOperator(&r, error))
            return std::nullopt;
        if (r.op == Op::Exists || r.op == Op::DoesNotExist)
            return r;
        if (!parseOperator(&r.op, error))
            return std::nullopt;
        std::optional<QStringList> values =
            (r.op == Op::In || r.op == Op::NotIn) ? parseValues(error) : parseExactValue(error);
        if (!values)
            return std::nullopt;
        r.values = *values;
        const QString invalid = LabelSelector::validate(r, false);
        if (!invalid.isEmpty()) {
            *error = invalid;
            return std::nullopt;
        }
        return r;
    }

    bool parseKeyAndInferOperator(Requirement *r, QString *error)
    {
        bool notExists = false;
        auto [tok, lit] = consume(Context::Values);
        if (tok == Tok::DoesNotExist) {
            notExists = true;
            std::tie(tok, lit) = consume(Context::Values);
        }
        if (tok != Tok::Identifier) {
            *error = QStringLiteral("found '%1', expected: identifier").arg(lit);
            return false;
        }
        if (const QStringList errs = isLabelKey(lit); !errs.isEmpty()) {
            // The parser validates the key with a nil field path, which Go prints as "<nil>".
            *error = fieldInvalid(QStringLiteral("<nil>"), goQuote(lit), errs.join(QStringLiteral("; ")));
            return false;
        }
        r->key = lit;
        const Tok next = lookahead(Context::Values).first;
        if (notExists)
            r->op = Op::DoesNotExist;
        else if (next == Tok::End || next == Tok::Comma)
            r->op = Op::Exists;
        else
            r->op = Op::Equals; // placeholder until parseOperator reads the real one
        return true;
    }

    bool parseOperator(Op *op, QString *error)
    {
        const auto [tok, lit] = consume(Context::KeyAndOperator);
        switch (tok) {
        case Tok::In:
            *op = Op::In;
            return true;
        case Tok::Equals:
            *op = Op::Equals;
            return true;
        case Tok::DoubleEquals:
            *op = Op::DoubleEquals;
            return true;
        case Tok::GreaterThan:
            *op = Op::GreaterThan;
            return true;
        case Tok::LessThan:
            *op = Op::LessThan;
            return true;
        case Tok::NotIn:
            *op = Op::NotIn;
            return true;
        case Tok::NotEquals:
            *op = Op::NotEquals;
            return true;
        default:
            *error = QStringLiteral("found '%1', expected: in, notin, =, ==, !=, gt, lt").arg(lit);
            return false;
        }
    }

    // Values form a set: sorted, duplicates dropped (sets.String.List()).
    static QStringList asSet(QStringList values)
    {
        values.sort();
        values.erase(std::unique(values.begin(), values.end()), values.end());
        return values;
    }

    std::optional<QStringList> parseValues(QString *error)
    {
        auto [tok, lit] = consume(Context::Values);
        if (tok != Tok::OpenPar) {
            *error = QStringLiteral("found '%1' expected: '('").arg(lit);
            return std::nullopt;
        }
        std::tie(tok, lit) = lookahead(Context::Values);
        switch (tok) {
        case Tok::Identifier:
        case Tok::Comma: {
            auto values = parseIdentifiersList(error);
            if (!values)
                return std::nullopt;
            if (consume(Context::Values).first != Tok::ClosedPar) {
                *error = QStringLiteral("found '%1', expected: ')'").arg(lit);
                return std::nullopt;
            }
            return asSet(*values);
        }
        case Tok::ClosedPar:
            consume(Context::Values);
            return QStringList{QString()};
        default:
            *error = QStringLiteral("found '%1', expected: ',', ')' or identifier").arg(lit);
            return std::nullopt;
        }
    }

    // A (possibly empty) comma separated list of (possibly empty) identifiers: "(a,,b)", "(,a)", "(a,)".
    std::optional<QStringList> parseIdentifiersList(QString *error)
    {
        QStringList values;
        for (;;) {
            const auto [tok, lit] = consume(Context::Values);
            if (tok == Tok::Identifier) {
                values << lit;
                const auto [tok2, lit2] = lookahead(Context::Values);
                if (tok2 == Tok::Comma)
                    continue;
                if (tok2 == Tok::ClosedPar)
                    return values;
                *error = QStringLiteral("found '%1', expected: ',' or ')'").arg(lit2);
                return std::nullopt;
            }
            if (tok == Tok::Comma) {
                if (values.isEmpty())
                    values << QString();
                const Tok tok2 = lookahead(Context::Values).first;
                if (tok2 == Tok::ClosedPar) {
                    values << QString();
                    return values;
                }
                if (tok2 == Tok::Comma) {
                    consume(Context::Values);
                    values << QString();
                }
                continue;
            }
            *error = QStringLiteral("found '%1', expected: ',', or identifier").arg(lit);
            return std::nullopt;
        }
    }

    std::optional<QStringList> parseExactValue(QString *error)
    {
        const Tok next = lookahead(Context::Values).first;
        if (next == Tok::End || next == Tok::Comma)
            return QStringList{QString()};
        const auto [tok, lit] = consume(Context::Values);
        if (tok == Tok::Identifier)
            return QStringList{lit};
        *error = QStringLiteral("found '%1', expected: identifier").arg(lit);
        return std::nullopt;
    }

    QString m_text;
    qsizetype m_pos = 0;
    QList<Item> m_items;
    qsizetype m_index = 0;
};

// ---------------------------------------------------------------------------------------------------------

QString LabelSelector::validate(const Requirement &r, bool checkKey)
{
    QStringList errs;
    if (checkKey) {
        if (const QStringList keyErrs = isLabelKey(r.key); !keyErrs.isEmpty())
            errs << fieldInvalid(QStringLiteral("key"), goQuote(r.key), keyErrs.join(QStringLiteral("; ")));
    }
    const QString valuesPath = QStringLiteral("values");
    switch (r.op) {
    case Op::In:
    case Op::NotIn:
        if (r.values.isEmpty()) {
            errs << fieldInvalid(valuesPath, jsonStrings(r.values, true),
                                 QStringLiteral("for 'in', 'notin' operators, values set can't be empty"));
        }
        break;
    case Op::Equals:
    case Op::DoubleEquals:
    case Op::NotEquals:
        if (r.values.size() != 1) {
            errs << fieldInvalid(valuesPath, jsonStrings(r.values, true),
                                 QStringLiteral("exact-match compatibility requires one single value"));
        }
        break;
    case Op::Exists:
    case Op::DoesNotExist:
        if (!r.values.isEmpty()) {
            errs << fieldInvalid(valuesPath, jsonStrings(r.values, true),
                                 QStringLiteral("values set must be empty for exists and does not exist"));
        }
        break;
    case Op::GreaterThan:
    case Op::LessThan:
        if (r.values.size() != 1) {
            errs << fieldInvalid(valuesPath, jsonStrings(r.values, true),
                                 QStringLiteral("for 'Gt', 'Lt' operators, exactly one value is required"));
        }
        for (qsizetype i = 0; i < r.values.size(); ++i) {
            if (!parseGoInt(r.values[i])) {
                errs << fieldInvalid(
                    QStringLiteral("values[%1]").arg(i), goQuote(r.values[i]),
                    QStringLiteral("for 'Gt', 'Lt' operators, the value must be an integer"));
            }
        }
        break;
    }
    for (qsizetype i = 0; i < r.values.size(); ++i) {
        if (const QStringList valueErrs = isLabelValue(r.values[i]); !valueErrs.isEmpty()) {
            errs << fieldInvalid(QStringLiteral("values[%1][%2]").arg(i).arg(r.key), goQuote(r.values[i]),
                                 valueErrs.join(QStringLiteral("; ")));
        }
    }
    return aggregate(errs);
}

bool LabelSelector::Requirement::matches(const QMap<QString, QString> &labels) const
{
    const auto it = labels.constFind(key);
    const bool has = it != labels.cend();
    switch (op) {
    case Op::In:
    case Op::Equals:
    case Op::DoubleEquals:
        return has && values.contains(*it);
    case Op::NotIn:
    case Op::NotEquals:
        return !has || !values.contains(*it);
    case Op::Exists:
        return has;
    case Op::DoesNotExist:
        return !has;
    case Op::GreaterThan:
    case Op::LessThan: {
        if (!has || values.size() != 1)
            return false;
        const auto actual = parseGoInt(*it);
        const auto wanted = parseGoInt(values.first());
        if (!actual || !wanted)
            return false;
        return op == Op::GreaterThan ? *actual > *wanted : *actual < *wanted;
    }
    }
    return false;
}

QString LabelSelector::Requirement::toString() const
{
    QString out;
    if (op == Op::DoesNotExist)
        out += QLatin1Char('!');
    out += key;
    switch (op) {
    case Op::Exists:
    case Op::DoesNotExist:
        return out;
    case Op::Equals:
        out += QLatin1Char('=');
        break;
    case Op::DoubleEquals:
        out += QStringLiteral("==");
        break;
    case Op::NotEquals:
        out += QStringLiteral("!=");
        break;
    case Op::In:
        out += QStringLiteral(" in ");
        break;
    case Op::NotIn:
        out += QStringLiteral(" notin ");
        break;
    case Op::GreaterThan:
        out += QLatin1Char('>');
        break;
    case Op::LessThan:
        out += QLatin1Char('<');
        break;
    }
    QStringList shown = values;
    shown.sort();
    const bool set = op == Op::In || op == Op::NotIn;
    if (set)
        out += QLatin1Char('(');
    out += shown.join(QLatin1Char(','));
    if (set)
        out += QLatin1Char(')');
    return out;
}

std::optional<LabelSelector> LabelSelector::parse(const QString &text, QString *error)
{
    QString err;
    auto requirements = LabelParser(text).parse(&err);
    if (!requirements) {
        if (error)
            *error = err;
        return std::nullopt;
    }
    // Sorted by key for a deterministic form, like the Go parser.
    std::stable_sort(requirements->begin(), requirements->end(),
                     [](const Requirement &a, const Requirement &b) { return a.key < b.key; });
    LabelSelector selector;
    selector.m_requirements = *requirements;
    return selector;
}

std::optional<LabelSelector> LabelSelector::fromJson(const QJsonValue &labelSelector, QString *error)
{
    LabelSelector selector;
    if (labelSelector.isNull() || labelSelector.isUndefined()) {
        selector.m_nothing = true;
        return selector;
    }
    const QJsonObject obj = labelSelector.toObject();
    QStringList errs;
    const QJsonObject matchLabels = obj.value(QLatin1String("matchLabels")).toObject();
    for (auto it = matchLabels.begin(); it != matchLabels.end(); ++it) {
        Requirement r{it.key(), Op::Equals, {it.value().toString()}};
        if (const QString invalid = validate(r, true); !invalid.isEmpty())
            errs << invalid;
        selector.m_requirements << r;
    }
    const QJsonArray expressions = obj.value(QLatin1String("matchExpressions")).toArray();
    for (const QJsonValue &e : expressions) {
        const QJsonObject expr = e.toObject();
        const QString op = expr.value(QLatin1String("operator")).toString();
        Requirement r;
        r.key = expr.value(QLatin1String("key")).toString();
        if (op == QLatin1String("In")) {
            r.op = Op::In;
        } else if (op == QLatin1String("NotIn")) {
            r.op = Op::NotIn;
        } else if (op == QLatin1String("Exists")) {
            r.op = Op::Exists;
        } else if (op == QLatin1String("DoesNotExist")) {
            r.op = Op::DoesNotExist;
        } else {
            if (error)
                *error = goQuote(op) + QStringLiteral(" is not a valid label selector operator");
            return std::nullopt;
        }
        for (const QJsonValue &v : expr.value(QLatin1String("values")).toArray())
            r.values << v.toString();
        if (const QString invalid = validate(r, true); !invalid.isEmpty())
            errs << invalid;
        selector.m_requirements << r;
    }
    if (!errs.isEmpty()) {
        if (error)
            *error = errs.first();
        return std::nullopt;
    }
    std::stable_sort(selector.m_requirements.begin(), selector.m_requirements.end(),
                     [](const Requirement &a, const Requirement &b) { return a.key < b.key; });
    return selector;
}

bool LabelSelector::matches(const QMap<QString, QString> &labels) const
{
    if (m_nothing)
        return false;
    return std::all_of(m_requirements.cbegin(), m_requirements.cend(),
                       [&labels](const Requirement &r) { return r.matches(labels); });
}

bool LabelSelector::isEmpty() const
{
    return !m_nothing && m_requirements.isEmpty();
}

QString LabelSelector::toString() const
{
    QStringList parts;
    for (const Requirement &r : m_requirements)
        parts << r.toString();
    return parts.join(QLatin1Char(','));
}

// ---------------------------------------------------------------------------------------------------------

namespace {

// Splits on commas that are not escaped; escapes stay in the terms (fields.splitTerms).
QStringList splitFieldTerms(const QString &text)
{
    if (text.isEmpty())
        return {};
    QStringList terms;
    qsizetype start = 0;
    bool inSlash = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (inSlash)
            inSlash = false;
        else if (c == u'\\')
            inSlash = true;
        else if (c == u',') {
            terms << text.mid(start, i - start);
            start = i + 1;
        }
    }
    terms << text.mid(start);
    return terms;
}

// The first operator occurrence splits the term; "!=" and "==" win over "=" at the same position.
bool splitFieldTerm(const QString &term, QString *lhs, QString *op, QString *rhs)
{
    static const QStringList operators{QStringLiteral("!="), QStringLiteral("=="), QStringLiteral("=")};
    for (qsizetype i = 0; i < term.size(); ++i) {
        for (const QString &candidate : operators) {
            if (QStringView(term).mid(i).startsWith(candidate)) {
                *lhs = term.left(i);
                *op = candidate;
                *rhs = term.mid(i + candidate.size());
                return true;
            }
        }
    }
    return false;
}

// fields.UnescapeValue: `\\`, `\,` and `\=` are the only escapes; bare `,` and `=` are errors.
std::optional<QString> unescapeFieldValue(const QString &s, QString *error)
{
    QString out;
    bool inSlash = false;
    for (const QChar c : s) {
        if (inSlash) {
            if (c != u'\\' && c != u',' && c != u'=') {
                *error = QStringLiteral("invalid field selector: invalid escape sequence: \\") + c;
                return std::nullopt;
            }
            out += c;
            inSlash = false;
            continue;
        }
        if (c == u'\\') {
            inSlash = true;
        } else if (c == u',' || c == u'=') {
            // Go prints the rune with %v, i.e. as its code point number.
            *error =
                QStringLiteral("invalid field selector: unescaped character in value: %1").arg(c.unicode());
            return std::nullopt;
        } else {
            out += c;
        }
    }
    if (inSlash) {
        *error = QStringLiteral("invalid field selector: invalid escape sequence: \\");
        return std::nullopt;
    }
    return out;
}

} // namespace

std::optional<FieldSelector> FieldSelector::parse(const QString &text, const QStringList &supported,
                                                  QString *error)
{
    QString err;
    QStringList parts = splitFieldTerms(text);
    parts.sort();
    FieldSelector selector;
    for (const QString &part : std::as_const(parts)) {
        if (part.isEmpty())
            continue;
        QString lhs;
        QString op;
        QString rhs;
        if (!splitFieldTerm(part, &lhs, &op, &rhs)) {
            if (error)
                *error = QStringLiteral("invalid selector: '%1'; can't understand '%2'").arg(text, part);
            return std::nullopt;
        }
        const auto value = unescapeFieldValue(rhs, &err);
        if (!value) {
            if (error)
                *error = err;
            return std::nullopt;
        }
        selector.m_terms << Term{lhs, *value, op == QLatin1String("!=")};
    }
    // The apiserver converts every label after parsing; the first unknown one (in sorted order) is reported.
    for (const Term &term : std::as_const(selector.m_terms)) {
        if (!supported.contains(term.field)) {
            if (error)
                *error = QStringLiteral("field label not supported: ") + term.field;
            return std::nullopt;
        }
    }
    return selector;
}

bool FieldSelector::matches(const QHash<QString, QString> &fields) const
{
    return std::all_of(m_terms.cbegin(), m_terms.cend(),
                       [&fields](const Term &t) { return (fields.value(t.field) == t.value) != t.negated; });
}

bool FieldSelector::isEmpty() const
{
    return m_terms.isEmpty();
}

std::optional<QString> FieldSelector::pinned(const QString &label) const
{
    for (const Term &t : m_terms) {
        if (!t.negated && t.field == label)
            return t.value;
    }
    return std::nullopt;
}

} // namespace cw::sim
