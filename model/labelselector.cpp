// SPDX-License-Identifier: Apache-2.0
#include "labelselector.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace cw::model {

namespace {

bool isAlnum(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9');
}

// A qualified name part or label value: up to 63 of [A-Za-z0-9-_.], alphanumeric at both ends.
bool validName(QStringView s, bool allowEmpty)
{
    if (s.isEmpty())
        return allowEmpty;
    if (s.size() > 63 || !isAlnum(s.front()) || !isAlnum(s.back()))
        return false;
    return std::all_of(s.begin(), s.end(), [](QChar c) { return isAlnum(c) || c == u'-' || c == u'_' || c == u'.'; });
}

// A DNS subdomain: dot-separated lower-case labels of [a-z0-9-], at most 253 characters.
bool validPrefix(QStringView s)
{
    if (s.isEmpty() || s.size() > 253)
        return false;
    for (const QStringView label : s.split(u'.')) {
        if (label.isEmpty() || label.size() > 63 || label.front() == u'-' || label.back() == u'-')
            return false;
        for (const QChar c : label) {
            const char16_t u = c.unicode();
            if (!((u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-'))
                return false;
        }
    }
    return true;
}

QString keyError(const QString &key)
{
    const qsizetype slash = key.indexOf(u'/');
    if (slash >= 0) {
        if (!validPrefix(QStringView(key).left(slash)))
            return u"invalid label key \"%1\": the prefix must be a DNS subdomain"_s.arg(key);
        if (!validName(QStringView(key).mid(slash + 1), false))
            return u"invalid label key \"%1\": the name after \"/\" must be 1-63 letters, digits, '-', '_' or "
                   "'.', starting and ending with a letter or digit"_s.arg(key);
        return {};
    }
    if (!validName(key, false))
        return u"invalid label key \"%1\": must be 1-63 letters, digits, '-', '_' or '.', starting and ending "
               "with a letter or digit"_s.arg(key);
    return {};
}

bool isSpecial(QChar c) { return c == u'!' || c == u'=' || c == u',' || c == u'(' || c == u')' || c.isSpace(); }

// A hand-written lexer over the selector text.
class Parser
{
public:
    explicit Parser(const QString &text) : m_text(text) {}

    bool parse(QList<LabelSelector::Requirement> &out)
    {
        skipSpace();
        if (atEnd())
            return true;
        for (;;) {
            LabelSelector::Requirement req;
            if (!requirement(req))
                return false;
            out.append(req);
            skipSpace();
            if (atEnd())
                return true;
            if (peek() != u',')
                return fail(u"expected ',' between requirements"_s);
            ++m_pos;
            skipSpace();
            if (atEnd())
                return fail(u"expected a requirement after ','"_s);
        }
    }
    QString error() const { return m_error; }

private:
    bool atEnd() const { return m_pos >= m_text.size(); }
    QChar peek() const { return atEnd() ? QChar() : m_text.at(m_pos); }
    void skipSpace()
    {
        while (!atEnd() && m_text.at(m_pos).isSpace())
            ++m_pos;
    }
    bool fail(const QString &message)
    {
        m_error = message + u" at column "_s + QString::number(m_pos + 1);
        return false;
    }
    QString word()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && !isSpecial(m_text.at(m_pos)))
            ++m_pos;
        return m_text.mid(start, m_pos - start);
    }
    bool key(QString &out)
    {
        skipSpace();
        const qsizetype at = m_pos;
        out = word();
        if (out.isEmpty())
            return fail(u"expected a label key"_s);
        const QString problem = keyError(out);
        if (!problem.isEmpty()) {
            m_pos = at;
            return fail(problem);
        }
        return true;
    }
    bool value(QString &out)
    {
        skipSpace();
        const qsizetype at = m_pos;
        out = word();
        if (!validName(out, true)) {
            m_pos = at;
            return fail(u"invalid label value \"%1\": must be at most 63 letters, digits, '-', '_' or '.', "
                        "starting and ending with a letter or digit"_s.arg(out));
        }
        return true;
    }
    bool requirement(LabelSelector::Requirement &req)
    {
        if (peek() == u'!') {
            ++m_pos;
            req.op = LabelSelector::Op::DoesNotExist;
            if (!key(req.key))
                return false;
            skipSpace();
            if (!atEnd() && peek() != u',')
                return fail(u"'!key' takes no operator or value"_s);
            return true;
        }
        if (!key(req.key))
            return false;
        skipSpace();
        if (atEnd() || peek() == u',') {
            req.op = LabelSelector::Op::Exists;
            return true;
        }
        if (peek() == u'=' || peek() == u'!') {
            if (peek() == u'!') {
                ++m_pos;
                if (peek() != u'=')
                    return fail(u"expected '=' after '!'"_s);
                req.op = LabelSelector::Op::NotEquals;
            } else {
                req.op = LabelSelector::Op::Equals;
            }
            ++m_pos;
            if (req.op == LabelSelector::Op::Equals && peek() == u'=')
                ++m_pos;
            QString v;
            if (!value(v))
                return false;
            req.values = {v};
            return true;
        }
        const qsizetype at = m_pos;
        const QString op = word();
        if (op == "in"_L1)
            req.op = LabelSelector::Op::In;
        else if (op == "notin"_L1)
            req.op = LabelSelector::Op::NotIn;
        else {
            m_pos = at;
            return fail(u"expected '=', '==', '!=', 'in', 'notin', ',' or the end after key \"%1\""_s.arg(req.key));
        }
        skipSpace();
        if (peek() != u'(')
            return fail(u"expected '(' after '%1'"_s.arg(op));
        ++m_pos;
        for (;;) {
            QString v;
            if (!value(v))
                return false;
            req.values.append(v);
            skipSpace();
            if (peek() == u',') {
                ++m_pos;
                continue;
            }
            if (peek() == u')') {
                ++m_pos;
                break;
            }
            return fail(atEnd() ? u"missing ')'"_s : u"expected ',' or ')' in the value list"_s);
        }
        if (req.values.size() == 1 && req.values.front().isEmpty())
            return fail(u"'%1' needs at least one value"_s.arg(op));
        req.values.sort();
        req.values.removeDuplicates();
        return true;
    }

    const QString &m_text;
    qsizetype m_pos = 0;
    QString m_error;
};

} // namespace

std::optional<LabelSelector> LabelSelector::parse(const QString &text, QString *error)
{
    Parser parser(text);
    LabelSelector selector;
    if (!parser.parse(selector.m_requirements)) {
        if (error)
            *error = parser.error();
        return std::nullopt;
    }
    return selector;
}

bool LabelSelector::matches(const QVariantMap &labels) const
{
    for (const Requirement &req : m_requirements) {
        const auto it = labels.constFind(req.key);
        const bool has = it != labels.constEnd();
        switch (req.op) {
        case Op::Exists:
            if (!has)
                return false;
            break;
        case Op::DoesNotExist:
            if (has)
                return false;
            break;
        case Op::Equals:
            if (!has || it->toString() != req.values.front())
                return false;
            break;
        case Op::NotEquals:
            if (has && it->toString() == req.values.front())
                return false;
            break;
        case Op::In:
            if (!has || !std::binary_search(req.values.begin(), req.values.end(), it->toString()))
                return false;
            break;
        case Op::NotIn:
            if (has && std::binary_search(req.values.begin(), req.values.end(), it->toString()))
                return false;
            break;
        }
    }
    return true;
}

QString LabelSelector::toString() const
{
    QStringList parts;
    for (const Requirement &req : m_requirements) {
        switch (req.op) {
        case Op::Exists:
            parts.append(req.key);
            break;
        case Op::DoesNotExist:
            parts.append(u'!' + req.key);
            break;
        case Op::Equals:
            parts.append(req.key + u'=' + req.values.front());
            break;
        case Op::NotEquals:
            parts.append(req.key + "!="_L1 + req.values.front());
            break;
        case Op::In:
            parts.append(req.key + " in ("_L1 + req.values.join(u',') + u')');
            break;
        case Op::NotIn:
            parts.append(req.key + " notin ("_L1 + req.values.join(u',') + u')');
            break;
        }
    }
    return parts.join(u',');
}

namespace {

// Whitespace-separated terms; a parenthesised list stays in one term.
QStringList terms(const QString &bar)
{
    QStringList out;
    qsizetype i = 0;
    const qsizetype n = bar.size();
    while (i < n) {
        while (i < n && bar.at(i).isSpace())
            ++i;
        if (i >= n)
            break;
        const qsizetype start = i;
        int depth = 0;
        while (i < n && (depth > 0 || !bar.at(i).isSpace())) {
            if (bar.at(i) == u'(')
                ++depth;
            else if (bar.at(i) == u')' && depth > 0)
                --depth;
            ++i;
        }
        out.append(bar.mid(start, i - start));
    }
    return out;
}

bool isSetOperator(const QString &term) { return term == "in"_L1 || term == "notin"_L1; }

} // namespace

FilterQuery splitFilterQuery(const QString &bar)
{
    const QStringList parts = terms(bar);
    QStringList selector;
    QStringList text;
    bool continues = false; // the previous selector term ended with ','
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QString &term = parts.at(i);
        QString piece;
        if (i + 2 < parts.size() && isSetOperator(parts.at(i + 1)) && parts.at(i + 2).startsWith(u'(')) {
            piece = term + u' ' + parts.at(i + 1) + u' ' + parts.at(i + 2);
            i += 2;
        } else if (continues || term.contains(u'=') || term.startsWith(u'!')) {
            piece = term;
        } else {
            text.append(term);
            continues = false;
            continue;
        }
        continues = piece.endsWith(u',');
        if (continues)
            piece.chop(1);
        if (!piece.isEmpty())
            selector.append(piece);
    }
    return {selector.join(u','), text.join(u' ')};
}

} // namespace cw::model
