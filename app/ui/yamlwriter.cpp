// SPDX-License-Identifier: Apache-2.0
#include "yamlwriter.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>

#include <cmath>

using namespace Qt::StringLiterals;

namespace cw::ui {
namespace {

// Plain scalars a YAML 1.1 or 1.2 reader resolves to something other than a string (bool, null, int,
// float, sexagesimal, timestamp, value and merge keys). Anchored: the whole text.
const QRegularExpression &nonStringScalar()
{
    static const QRegularExpression re(
        uR"(^(?:)"
        // booleans and null, YAML 1.1 spellings included
        uR"(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|)"
        uR"(on|On|ON|off|Off|OFF|null|Null|NULL|~|)"
        // integers: decimal (with _), octal, hex, binary, sexagesimal
        uR"([-+]?(?:0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*|)"
        uR"([1-9][0-9_]*(?::[0-5]?[0-9])+)|)"
        // floats, sexagesimal floats, infinities, NaN
        uR"([-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?|)"
        uR"([-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|)"
        uR"([-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|)"
        uR"([-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|)"
        // timestamps: a date, optionally with a time and zone
        uR"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2})"
        uR"((?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?)"
        // "=" (value key) and "<<" (merge key): kubectl leaves them plain, but
        // YAML 1.1 readers such as PyYAML refuse them as values
        uR"(|=|<<)"
        uR"()$)"_s);
    return re;
}

bool isPrintable(char32_t c)
{
    if (c == u'\t')
        return false; // printable for YAML, but kubectl escapes it; doing the same keeps output familiar
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xfeff || c == 0x2028 || c == 0x2029)
        return false;
    return !(c >= 0xd800 && c <= 0xdfff) && c != 0xfffe && c != 0xffff;
}

bool allPrintable(const QString &text, bool allowLineBreaks)
{
    for (const char32_t c : QStringView(text).toUcs4()) {
        if (c == u'\n' && allowLineBreaks)
            continue;
        if (!isPrintable(c))
            return false;
    }
    return true;
}

// A plain (unquoted) scalar would not read back as this exact string.
bool needsSingleQuotes(const QString &text)
{
    static const QString indicators = u"-?:,[]{}#&*!|>'\"%@`"_s;
    const QChar first = text.front();
    if (indicators.contains(first)) {
        // "-x", "?x" and ":x" are plain; "- x", "-", ": x" are not.
        const bool dashLike = first == u'-' || first == u'?' || first == u':';
        if (!dashLike || text.size() == 1 || text.at(1).isSpace())
            return true;
    }
    if (text.front().isSpace() || text.back().isSpace() || text.endsWith(u':'))
        return true;
    if (text.contains(": "_L1) || text.contains(" #"_L1))
        return true;
    // Document markers read as the end of the object.
    return text == "---"_L1 || text == "..."_L1;
}

QString doubleQuoted(const QString &text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += u'"';
    for (const char32_t c : QStringView(text).toUcs4()) {
        switch (c) {
        case u'"':
            out += "\\\""_L1;
            break;
        case u'\\':
            out += "\\\\"_L1;
            break;
        case u'\n':
            out += "\\n"_L1;
            break;
        case u'\t':
            out += "\\t"_L1;
            break;
        case u'\r':
            out += "\\r"_L1;
            break;
        case 0:
            out += "\\0"_L1;
            break;
        default:
            if (isPrintable(c))
                out += QString::fromUcs4(&c, 1);
            else if (c <= 0xff)
                out += "\\x"_L1 + QString::number(uint(c), 16).rightJustified(2, u'0').toUpper();
            else if (c <= 0xffff)
                out += "\\u"_L1 + QString::number(uint(c), 16).rightJustified(4, u'0').toUpper();
            else
                out += "\\U"_L1 + QString::number(uint(c), 16).rightJustified(8, u'0').toUpper();
        }
    }
    out += u'"';
    return out;
}

QString singleQuoted(const QString &text)
{
    QString escaped = text;
    escaped.replace(u'\'', u"''"_s);
    return u'\'' + escaped + u'\'';
}

// A literal block keeps every character only when no line ends in blanks (a reader strips nothing, but
// kubectl still refuses those) and nothing needs an escape.
bool fitsLiteralBlock(const QString &text)
{
    if (!allPrintable(text, true))
        return false;
    const auto lines = QStringView(text).split(u'\n');
    for (const QStringView line : lines) {
        if (!line.isEmpty() && line.back().isSpace())
            return false;
    }
    return true;
}

void writeLiteralBlock(QString &out, const QString &text, int indent)
{
    // Chomping: "-" strips the missing final break, none keeps one, "+" keeps several.
    qsizetype trailing = 0;
    while (trailing < text.size() && text.at(text.size() - 1 - trailing) == u'\n')
        ++trailing;
    out += u'|';
    if (text.front() == u' ' || text.front() == u'\n')
        out += QString::number(2); // the first line cannot tell the reader the indentation
    if (trailing == 0)
        out += u'-';
    else if (trailing > 1 || trailing == text.size())
        out += u'+'; // only line breaks: "clip" would read back as ""
    out += u'\n';
    const QString pad(indent, u' ');
    const QStringView body = QStringView(text).first(text.size() - trailing);
    if (!body.isEmpty() || trailing > 0) {
        const auto lines = body.split(u'\n');
        for (const QStringView line : lines) {
            if (!line.isEmpty())
                out += pad + line;
            out += u'\n';
        }
    }
    // "+" keeps the extra breaks as empty lines; the first break already ended the last line above.
    for (qsizetype i = 1; i < trailing; ++i)
        out += u'\n';
}

QString scalarFor(const QString &text)
{
    if (text.isEmpty())
        return u"\"\""_s;
    if (!allPrintable(text, false) || nonStringScalar().match(text).hasMatch())
        return doubleQuoted(text);
    if (needsSingleQuotes(text))
        return singleQuoted(text);
    return text;
}

QString numberText(const QJsonValue &value)
{
    // Integers that fit qint64 stay exact (Qt keeps them as integers when parsing).
    const QVariant variant = value.toVariant();
    if (variant.typeId() == QMetaType::LongLong || variant.typeId() == QMetaType::ULongLong)
        return variant.toString();
    const double d = value.toDouble();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9007199254740992.0)
        return QString::number(qint64(d));
    QString text = QString::number(d, 'g', QLocale::FloatingPointShortest);
    // "1e+21" is a string to YAML 1.1 readers, whose floats need a dot: "1.0e+21" reads as a float in both.
    const qsizetype e = text.indexOf(u'e');
    if (e > 0 && !text.first(e).contains(u'.'))
        text.insert(e, ".0"_L1);
    return text;
}

bool isEmptyCollection(const QJsonValue &value)
{
    return (value.isObject() && value.toObject().isEmpty()) || (value.isArray() && value.toArray().isEmpty());
}

bool isCollection(const QJsonValue &value)
{
    return (value.isObject() || value.isArray()) && !isEmptyCollection(value);
}

void writeNode(QString &out, const QJsonValue &value, int indent);

// What follows "key:" or "- " on the same line: a scalar with its line break, or a break before a block.
void writeInline(QString &out, const QJsonValue &value, int childIndent)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null\n"_L1;
        return;
    case QJsonValue::Bool:
        out += value.toBool() ? "true\n"_L1 : "false\n"_L1;
        return;
    case QJsonValue::Double:
        out += numberText(value) + u'\n';
        return;
    case QJsonValue::String: {
        const QString text = value.toString();
        if (text.contains(u'\n') && fitsLiteralBlock(text))
            writeLiteralBlock(out, text, childIndent);
        else
            out += scalarFor(text) + u'\n';
        return;
    }
    case QJsonValue::Array:
    case QJsonValue::Object:
        if (isEmptyCollection(value)) {
            out += value.isObject() ? "{}\n"_L1 : "[]\n"_L1;
            return;
        }
        out += u'\n';
        writeNode(out, value, childIndent);
        return;
    }
}

// A non-empty map or list whose every line starts at `indent`.
void writeNode(QString &out, const QJsonValue &value, int indent)
{
    const QString pad(indent, u' ');
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            out += pad + scalarFor(it.key()) + u':';
            const QJsonValue child = it.value();
            if (!isCollection(child))
                out += u' ';
            // kubectl's lists sit at their key's indentation; maps go one level deeper.
            writeInline(out, child, child.isArray() ? indent : indent + 2);
        }
        return;
    }
    const QJsonArray array = value.toArray();
    for (const QJsonValue &item : array) {
        out += pad + u'-';
        if (isCollection(item)) {
            // The item's first line shares the dash line: "- name: x", "- - a".
            QString block;
            writeNode(block, item, indent + 2);
            out += u' ' + QStringView(block).sliced(indent + 2);
        } else {
            out += u' ';
            writeInline(out, item, indent + 2);
        }
    }
}

} // namespace

QString toYaml(const QJsonValue &value)
{
    QString out;
    if (isCollection(value))
        writeNode(out, value, 0);
    else
        writeInline(out, value, 2);
    return out;
}

} // namespace cw::ui
