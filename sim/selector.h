// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace cw::sim {

// Kubernetes label selector (apimachinery labels.Parse). Besides the documented operators the real parser
// also accepts `a>1` / `a<1` (integer comparison), so this one does too: clients never see a difference.
class LabelSelector
{
public:
    // `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a` (exists), `!a` (does not exist), comma = AND,
    // whitespace tolerant; keys/values validated like the apiserver (qualified names, 63-byte values).
    // Empty text selects everything. On error returns nullopt and the apiserver's message text.
    static std::optional<LabelSelector> parse(const QString &text, QString *error);
    // A metav1.LabelSelector object (matchLabels/matchExpressions), as workload specs carry it. An absent
    // (null) selector selects nothing, an empty one everything, like metav1.LabelSelectorAsSelector.
    static std::optional<LabelSelector> fromJson(const QJsonValue &labelSelector, QString *error);

    bool matches(const QMap<QString, QString> &labels) const;
    bool isEmpty() const;
    // Canonical form (requirements sorted by key), as the printers and `kubectl describe` show it.
    QString toString() const;

private:
    enum class Op
    {
        In,
        NotIn,
        Equals,
        DoubleEquals,
        NotEquals,
        Exists,
        DoesNotExist,
        GreaterThan,
        LessThan
    };
    struct Requirement
    {
        QString key;
        Op op = Op::Exists;
        QStringList values;
        bool matches(const QMap<QString, QString> &labels) const;
        QString toString() const;
    };
    friend class LabelParser;
    // Validates one requirement like labels.NewRequirement; returns the aggregated field errors or "".
    static QString validate(const Requirement &r, bool checkKey);

    QList<Requirement> m_requirements;
    bool m_nothing = false; // a null metav1.LabelSelector: matches no object
};

// Kubernetes field selector (apimachinery fields.ParseSelector plus the apiserver's field-label check).
class FieldSelector
{
public:
    // `a=b`, `a==b`, `a!=b`, comma = AND. Labels not in `supported` are rejected with the apiserver's message
    // ('field label not supported: X'). Values may use the escape rules of fields.ParseSelector.
    static std::optional<FieldSelector> parse(const QString &text, const QStringList &supported,
                                              QString *error);
    bool matches(const QHash<QString, QString> &fields) const; // a missing field compares as ""
    bool isEmpty() const;
    // Value pinned by `label=value` if any (lets the server narrow metadata.namespace / metadata.name
    // lookups).
    std::optional<QString> pinned(const QString &label) const;

private:
    struct Term
    {
        QString field;
        QString value;
        bool negated = false;
    };
    QList<Term> m_terms; // sorted by their source text, like the apiserver, so errors name the same term
};

} // namespace cw::sim
