// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <optional>

namespace cw::model {

// A Kubernetes label selector, parsed once and matched many times: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
// `a notin (x)`, `a` (exists), `!a` (does not exist), requirements joined by commas (AND). Spaces around
// tokens are allowed. Keys and values follow the label syntax rules (optional DNS-subdomain prefix and "/",
// names of at most 63 characters of [A-Za-z0-9-_.] beginning and ending alphanumeric). The empty selector
// matches everything.
class LabelSelector
{
public:
    enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist };
    struct Requirement
    {
        QString key;
        Op op = Op::Exists;
        QStringList values; // sorted for In/NotIn; one for Equals/NotEquals
    };

    // The selector, or nullopt with a message naming what is wrong and where (1-based column).
    static std::optional<LabelSelector> parse(const QString &text, QString *error = nullptr);

    bool isEmpty() const { return m_requirements.isEmpty(); }
    const QList<Requirement> &requirements() const { return m_requirements; }
    bool matches(const QVariantMap &labels) const;
    // The canonical form: requirements as written, normalised spacing ("a in (x,y),b!=c").
    QString toString() const;

private:
    QList<Requirement> m_requirements;
};

// What one filter bar holds: a label selector part and a free-text part.
struct FilterQuery
{
    QString selector; // comma-joined selector terms, "" if none
    QString text;     // the remaining words, space-joined
};

// Splits what the user types into one bar, e.g. `web app=web,tier!=db` -> selector "app=web,tier!=db",
// text "web". The rule: the bar is cut into whitespace-separated terms (a parenthesised list stays one term);
// a term is a selector term when it contains `=` (so `==` and `!=` too) or starts with `!`, and
// `key in (…)` / `key notin (…)` (three terms) is one selector term. A selector term that ends with a comma
// continues with the next term (`app=web, tier`). Everything else is free text. Selector terms are joined
// with commas (AND).
FilterQuery splitFilterQuery(const QString &bar);

} // namespace cw::model
