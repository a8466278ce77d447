// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "labelselector.h"

#include <QList>
#include <QPointer>
#include <QSortFilterProxyModel>
#include <QStringMatcher>

namespace cw::model {

// The filter chain over a ResourceTableModel, one job per proxy:
//   ResourceTableModel -> NamespaceFilterProxy -> LabelSelectorProxy -> TextFilterProxy
// Every proxy reads only the roles the table model precomputes (NamespaceRole, LabelsRole, SearchTextRole),
// so a keystroke costs one string test per row and no allocation. All three are dynamic and non-recursive
// and use ResourceTableModel::SortRole as sortRole. The view sorts the last one (TextFilterProxy), which
// forwards the request to the first (forwardSortTo): the order is kept by everything above it, so typing in
// the filter never re-sorts.

// What the three share: SortRole sorting that reads the table's sort keys directly when the chain below
// ends in a ResourceTableModel, and the way a changed filter is applied. QSortFilterProxyModel's
// invalidateFilter() applies a change row by row at O(rows) per contiguous run of changed rows, and every
// proxy downstream pays that again per run: on 50,000 rows a selector matching every tenth row took
// seconds. A filter change is therefore one layout change (invalidate()): one filter pass here, one rebuild
// downstream, and views keep their selection and current item through their persistent indexes. Changes
// of the table's rows still arrive row by row.
class TableFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit TableFilterProxy(int filterRole, QObject *parent = nullptr);

    // Sorting happens in `proxy`, lower in the chain, whose order this one keeps: a filter change here then
    // never re-sorts (widening a 4-row result back to 50,000 rows would sort them all again). The view
    // sorts the last proxy; with this set, the last proxy passes the request down.
    void forwardSortTo(QSortFilterProxyModel *proxy) { m_sortProxy = proxy; }
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
    // Re-applies the filter after its parameters changed.
    void refilter();

private:
    QPointer<QSortFilterProxyModel> m_sortProxy;
};

// Keeps the rows of one namespace; the empty namespace keeps all.
class NamespaceFilterProxy : public TableFilterProxy
{
    Q_OBJECT
public:
    explicit NamespaceFilterProxy(QObject *parent = nullptr);
    void setNamespace(const QString &ns);
    QString ns() const { return m_ns; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_ns;
};

// Keeps the rows whose labels match a Kubernetes label selector.
class LabelSelectorProxy : public TableFilterProxy
{
    Q_OBJECT
public:
    explicit LabelSelectorProxy(QObject *parent = nullptr);
    // False with a readable `error` when `text` does not parse; the previous selector then stays in force.
    bool setSelector(const QString &text, QString *error = nullptr);
    QString selector() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    LabelSelector m_selector;
};

// Keeps the rows whose SearchTextRole contains every whitespace-separated word, case-insensitively.
class TextFilterProxy : public TableFilterProxy
{
    Q_OBJECT
public:
    explicit TextFilterProxy(QObject *parent = nullptr);
    void setText(const QString &text);
    QString text() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    QList<QStringMatcher> m_words; // lower-case; the search text is lower-case already
};

} // namespace cw::model
