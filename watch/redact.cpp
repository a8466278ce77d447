// SPDX-License-Identifier: Apache-2.0
#include "redact.h"

#include <QRegularExpression>

namespace cw::watch {

using namespace Qt::StringLiterals;

namespace {

const QString redacted = u"[redacted]"_s;

// Shorter known secrets (an env value like "1") would shred ordinary words; the patterns still apply.
constexpr qsizetype minKnownSecretLength = 6;
// Opaque tokens (API keys, session tokens) are long runs of mixed-case letters and digits; paths and
// words rarely are.
constexpr qsizetype minOpaqueLength = 24;
// Lines of context kept from stderr: the reason is almost always at the end.
constexpr qsizetype stderrLinesKept = 3;

const QRegularExpression &pemBlock()
{
    static const QRegularExpression re(
        u"-----BEGIN [A-Z0-9 ]+-----[\\s\\S]*?(?:-----END [A-Z0-9 ]+-----|$)"_s);
    return re;
}

const QRegularExpression &jwt()
{
    static const QRegularExpression re(u"eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}(?:\\.[A-Za-z0-9_-]*)?"_s);
    return re;
}

const QRegularExpression &authScheme()
{
    static const QRegularExpression re(u"\\b(Bearer|Basic)(\\s+)[^\\s\"',;]+"_s,
                                       QRegularExpression::CaseInsensitiveOption);
    return re;
}

// token=..., "password": "...", client_secret: ..., X-Api-Key: ...
const QRegularExpression &secretPair()
{
    static const QRegularExpression re(
        u"([A-Za-z0-9_.-]*(?:token|secret|passw(?:or)?d|pwd|credential|api[_-]?key|access[_-]?key|"
        "private[_-]?key|session)[A-Za-z0-9_.-]*[\"']?\\s*[:=]\\s*[\"']?)([^\\s\"',;}]+)"_s,
        QRegularExpression::CaseInsensitiveOption);
    return re;
}

// Provider key formats short enough to slip under the opaque-run rule (e.g. AWS key ids).
const QRegularExpression &knownPrefixes()
{
    static const QRegularExpression re(
        u"\\b(?:AKIA|ASIA|ghp_|gho_|ghs_|github_pat_|glpat-|xox[abpr]-|ya29\\.)[A-Za-z0-9_.-]{8,}"_s);
    return re;
}

const QRegularExpression &opaqueRun()
{
    static const QRegularExpression re(u"[A-Za-z0-9+/_=.~-]{%1,}"_s.arg(minOpaqueLength));
    return re;
}

bool looksOpaque(QStringView run)
{
    bool upper = false;
    bool lower = false;
    bool digit = false;
    for (const QChar c : run) {
        upper = upper || (c >= u'A' && c <= u'Z');
        lower = lower || (c >= u'a' && c <= u'z');
        digit = digit || (c >= u'0' && c <= u'9');
    }
    return upper && lower && digit;
}

QString replaceOpaqueRuns(const QString &text)
{
    QString out;
    qsizetype last = 0;
    auto matches = opaqueRun().globalMatch(text);
    while (matches.hasNext()) {
        const auto match = matches.next();
        if (!looksOpaque(match.capturedView()))
            continue;
        out += QStringView(text).mid(last, match.capturedStart() - last);
        out += redacted;
        last = match.capturedEnd();
    }
    out += QStringView(text).mid(last);
    return out;
}

const QRegularExpression &ansiEscape()
{
    static const QRegularExpression re(u"\\x1b\\[[0-9;?]*[A-Za-z]"_s);
    return re;
}

} // namespace

QString redactSecrets(const QString &text, const QList<QByteArray> &knownSecrets)
{
    QString out = text;
    for (const QByteArray &secret : knownSecrets) {
        const QString needle = QString::fromUtf8(secret.trimmed());
        if (needle.size() >= minKnownSecretLength)
            out.replace(needle, redacted);
    }
    out.replace(pemBlock(), redacted);
    out.replace(jwt(), redacted);
    out.replace(authScheme(), u"\\1\\2"_s % redacted);
    out.replace(secretPair(), u"\\1"_s % redacted);
    out.replace(knownPrefixes(), redacted);
    return replaceOpaqueRuns(out);
}

QString summarizeStderr(const QByteArray &stderrData, const QList<QByteArray> &knownSecrets, int maxChars)
{
    QString text = QString::fromUtf8(stderrData);
    text.remove(ansiEscape());
    text = redactSecrets(text, knownSecrets);
    QStringList lines;
    for (const QString &line : text.split(u'\n')) {
        QString clean;
        for (const QChar c : line) {
            if (c.isPrint())
                clean += c;
            else if (c == u'\t')
                clean += u' ';
        }
        clean = clean.simplified();
        if (!clean.isEmpty())
            lines.append(clean);
    }
    if (lines.size() > stderrLinesKept)
        lines = lines.mid(lines.size() - stderrLinesKept);
    QString summary = lines.join(" | "_L1);
    if (summary.size() > maxChars)
        summary = summary.left(maxChars - 1) % u'…';
    return summary;
}

} // namespace cw::watch
