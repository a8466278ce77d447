// SPDX-License-Identifier: Apache-2.0
#include "filterproxies.h"

#include "resourcetablemodel.h"

namespace cw::model {

TableFilterProxy::TableFilterProxy(int filterRole, QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    setRecursiveFilteringEnabled(false);
    setSortRole(ResourceTableModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    // The role the filter reads, for whoever inspects the proxy; filterAcceptsRow reads it directly.
    setFilterRole(filterRole);
}

bool TableFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // Follow both indexes down the proxy chain to the table; anything else sorts the generic way.
    QModelIndex l = left;
    QModelIndex r = right;
    const QAbstractItemModel *model = sourceModel();
    while (const auto *proxy = qobject_cast<const QAbstractProxyModel *>(model)) {
        l = proxy->mapToSource(l);
        r = proxy->mapToSource(r);
        model = proxy->sourceModel();
    }
    const auto *table = qobject_cast<const ResourceTableModel *>(model);
    if (!table || sortRole() != ResourceTableModel::SortRole || !l.isValid() || !r.isValid())
        return QSortFilterProxyModel::lessThan(left, right);
    return table->lessThan(l.row(), r.row(), l.column());
}

void TableFilterProxy::sort(int column, Qt::SortOrder order)
{
    if (m_sortProxy)
        m_sortProxy->sort(column, order);
    else
        QSortFilterProxyModel::sort(column, order);
}

void TableFilterProxy::refilter()
{
    invalidate();
}

NamespaceFilterProxy::NamespaceFilterProxy(QObject *parent)
    : TableFilterProxy(ResourceTableModel::NamespaceRole, parent)
{
}

void NamespaceFilterProxy::setNamespace(const QString &ns)
{
    if (ns == m_ns)
        return;
    m_ns = ns;
    refilter();
}

bool NamespaceFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_ns.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    return index.data(ResourceTableModel::NamespaceRole).toString() == m_ns;
}

LabelSelectorProxy::LabelSelectorProxy(QObject *parent) : TableFilterProxy(ResourceTableModel::LabelsRole, parent)
{
}

bool LabelSelectorProxy::setSelector(const QString &text, QString *error)
{
    std::optional<LabelSelector> parsed = LabelSelector::parse(text, error);
    if (!parsed)
        return false;
    const bool same = parsed->toString() == m_selector.toString();
    m_text = text;
    m_selector = std::move(*parsed);
    if (!same)
        refilter();
    return true;
}

bool LabelSelectorProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_selector.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const QVariant labels = index.data(ResourceTableModel::LabelsRole);
    // Read the map in place: toMap() would copy it for every row of every keystroke.
    if (labels.metaType() == QMetaType::fromType<QVariantMap>())
        return m_selector.matches(*static_cast<const QVariantMap *>(labels.constData()));
    return m_selector.matches(labels.toMap());
}

TextFilterProxy::TextFilterProxy(QObject *parent) : TableFilterProxy(ResourceTableModel::SearchTextRole, parent)
{
}

void TextFilterProxy::setText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    m_words.clear();
    const QStringList words = text.simplified().toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &word : words)
        m_words.append(QStringMatcher(word, Qt::CaseSensitive));
    refilter();
}

bool TextFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_words.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const QVariant search = index.data(ResourceTableModel::SearchTextRole);
    const QString text = search.metaType() == QMetaType::fromType<QString>()
        ? *static_cast<const QString *>(search.constData())
        : search.toString().toLower();
    for (const QStringMatcher &word : m_words) {
        if (word.indexIn(text) < 0)
            return false;
    }
    return true;
}

} // namespace cw::model
