// SPDX-License-Identifier: Apache-2.0
#include "resourcetablemodel.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;
using cw::watch::Batch;
using cw::watch::Change;
using cw::watch::ChangeType;
using cw::watch::ObjectRecord;
using cw::watch::ObjectRef;

namespace cw::model {

namespace {
// The AGE columns show whole seconds: refreshing more often would only repaint the same text.
constexpr int TickMs = 1000;
// Sweeps closer together than this would cost more than the few ms of extra fading they save.
constexpr int MinSweepMs = 20;
} // namespace

ResourceTableModel::ResourceTableModel(QObject *parent)
    : QAbstractTableModel(parent), m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    m_tickTimer.setInterval(TickMs);
    connect(&m_tickTimer, &QTimer::timeout, this, &ResourceTableModel::tick);
    m_sweepTimer.setSingleShot(true);
    connect(&m_sweepTimer, &QTimer::timeout, this, &ResourceTableModel::removeFaded);
}

ResourceTableModel::~ResourceTableModel() = default;

void ResourceTableModel::setResource(const cw::watch::ApiResource &api, const QString &stream)
{
    const int rowsBefore = rowCount();
    const int liveBefore = m_liveCount;
    beginResetModel();
    m_api = api;
    m_stream = stream;
    m_printer = TablePrinter::forResource(api);
    m_rows.clear();
    m_index.clear();
    m_liveCount = 0;
    m_tickColumns.clear();
    for (int c = 0; c < m_printer.columnCount(); ++c) {
        if (m_printer.columns().at(c).ticks)
            m_tickColumns.append(c);
    }
    endResetModel();
    m_sweepTimer.stop();
    if (m_tickColumns.isEmpty())
        m_tickTimer.stop();
    else
        m_tickTimer.start();
    emitCountsIfChanged(rowsBefore, liveBefore);
}

void ResourceTableModel::setFadeMs(int ms)
{
    m_fadeMs = std::max(0, ms);
    if (m_fadeMs > 0)
        return;
    for (Row &row : m_rows) {
        if (row.fading)
            row.fadeAtMs = 0; // rows already fading go now too
    }
    removeFaded();
}

void ResourceTableModel::setClock(std::function<qint64()> nowMs)
{
    m_clock = std::move(nowMs);
}

QString ResourceTableModel::keyOf(const ObjectRecord &object)
{
    return object.ns + u'/' + object.name;
}

ResourceTableModel::Row ResourceTableModel::makeRow(const ObjectRef &object) const
{
    Row row;
    row.object = object;
    row.key = keyOf(*object);
    const QJsonObject root = QJsonDocument::fromJson(object->object).object();
    row.cells = m_printer.print(root);
    row.sortText.reserve(row.cells.size());
    for (qsizetype c = 0; c < row.cells.size(); ++c) {
        const bool text = m_printer.columns().at(c).sort == Column::Sort::Text;
        row.sortText.append(text ? row.cells.at(c).text.toLower() : QString());
    }
    row.labels = root.value("metadata"_L1).toObject().value("labels"_L1).toObject().toVariantMap();
    // Time cells change every second and are left out: a filter matching "5m" would flicker.
    qsizetype size = object->name.size() + object->ns.size() + 2;
    for (const Cell &cell : std::as_const(row.cells))
        size += cell.isTime() ? 0 : cell.text.size() + 1;
    QString search;
    search.reserve(size);
    search += object->name;
    search += u'\n';
    search += object->ns;
    for (const Cell &cell : std::as_const(row.cells)) {
        if (!cell.isTime()) {
            search += u'\n';
            search += cell.text;
        }
    }
    row.searchText = search.toLower();
    return row;
}

void ResourceTableModel::applyBatch(const Batch &batch)
{
    if (batch.stream != m_stream)
        return;
    const int rowsBefore = rowCount();
    const int liveBefore = m_liveCount;
    if (batch.reset) {
        applyReset(batch);
    } else {
        for (const Change &change : batch.changes) {
            if (!change.object)
                continue;
            const qint64 at = change.receivedMs > 0 ? change.receivedMs : m_clock();
            if (change.type == ChangeType::Deleted)
                markDeleted(change, at);
            else
                upsert(change, at);
        }
    }
    if (m_fadeMs == 0)
        sweep();
    scheduleSweep();
    emitCountsIfChanged(rowsBefore, liveBefore);
}

void ResourceTableModel::applyReset(const Batch &batch)
{
    const qint64 now = m_clock();
    beginResetModel();
    m_rows.clear();
    m_index.clear();
    m_rows.reserve(batch.snapshot.size());
    m_index.reserve(batch.snapshot.size());
    for (const ObjectRef &object : batch.snapshot) {
        if (!object)
            continue;
        const QString key = keyOf(*object);
        const auto it = m_index.constFind(key);
        if (it != m_index.constEnd()) {
            m_rows[*it] = makeRow(object);
            continue;
        }
        m_index.insert(key, int(m_rows.size()));
        m_rows.push_back(makeRow(object));
    }
    m_liveCount = int(m_rows.size());
    // Changes a relist recovered are marked so the view can flash them; recovered deletions stay visible
    // for one fade, so the user sees what the gap hid.
    for (const Change &change : batch.changes) {
        if (!change.recovered || !change.object)
            continue;
        const qint64 at = change.receivedMs > 0 ? change.receivedMs : now;
        const QString key = keyOf(*change.object);
        const auto it = m_index.constFind(key);
        if (change.type == ChangeType::Deleted) {
            if (it != m_index.constEnd() || m_fadeMs == 0)
                continue;
            Row row = makeRow(change.object);
            row.fading = true;
            row.change = ChangeKind::Deleted;
            row.changedAtMs = at;
            row.fadeAtMs = now + m_fadeMs;
            m_index.insert(key, int(m_rows.size()));
            m_rows.push_back(std::move(row));
        } else if (it != m_index.constEnd()) {
            Row &row = m_rows[*it];
            row.change = change.type == ChangeType::Added ? ChangeKind::Added : ChangeKind::Modified;
            row.changedAtMs = at;
        }
    }
    endResetModel();
}

void ResourceTableModel::upsert(const Change &change, qint64 at)
{
    const QString key = keyOf(*change.object);
    const auto it = m_index.constFind(key);
    if (it == m_index.constEnd()) {
        // Added, or a Modified for a key the table never saw: either way a new row.
        const int row = int(m_rows.size());
        beginInsertRows({}, row, row);
        Row fresh = makeRow(change.object);
        fresh.change = ChangeKind::Added;
        fresh.changedAtMs = at;
        m_rows.push_back(std::move(fresh));
        m_index.insert(key, row);
        ++m_liveCount;
        endInsertRows();
        return;
    }
    const int r = *it;
    Row &row = m_rows[r];
    const bool revived = row.fading;
    Row updated = makeRow(change.object);
    row.object = std::move(updated.object);
    row.cells = std::move(updated.cells);
    row.sortText = std::move(updated.sortText);
    row.labels = std::move(updated.labels);
    row.searchText = std::move(updated.searchText);
    row.changedAtMs = at;
    row.fadeAtMs = 0;
    row.fading = false;
    // A re-added key while fading is the object coming back; an Added for a present key is a modification.
    row.change = revived ? ChangeKind::Added : ChangeKind::Modified;
    if (revived)
        ++m_liveCount;
    Q_EMIT dataChanged(index(r, 0), index(r, columnCount() - 1));
}

void ResourceTableModel::markDeleted(const Change &change, qint64 at)
{
    const auto it = m_index.constFind(keyOf(*change.object));
    if (it == m_index.constEnd())
        return;
    const int r = *it;
    Row &row = m_rows[r];
    if (row.fading)
        return;
    if (change.object != row.object) {
        // Show the last known state (e.g. its final status) while it fades.
        Row last = makeRow(change.object);
        row.object = std::move(last.object);
        row.cells = std::move(last.cells);
        row.sortText = std::move(last.sortText);
        row.labels = std::move(last.labels);
        row.searchText = std::move(last.searchText);
    }
    row.fading = true;
    row.change = ChangeKind::Deleted;
    row.changedAtMs = at;
    row.fadeAtMs = m_clock() + m_fadeMs;
    --m_liveCount;
    if (m_fadeMs > 0)
        Q_EMIT dataChanged(index(r, 0), index(r, columnCount() - 1));
}

void ResourceTableModel::removeFaded()
{
    const int rowsBefore = rowCount();
    const int liveBefore = m_liveCount;
    sweep();
    scheduleSweep();
    emitCountsIfChanged(rowsBefore, liveBefore);
}

void ResourceTableModel::sweep()
{
    if (m_liveCount == int(m_rows.size()))
        return;
    const qint64 now = m_clock();
    // Remove contiguous runs from the bottom up, so the rows above a run keep their numbers while the
    // signals for it go out; the index is then fixed once from the lowest removed row down.
    int lowest = -1;
    int r = int(m_rows.size()) - 1;
    while (r >= 0) {
        if (!(m_rows[r].fading && m_rows[r].fadeAtMs <= now)) {
            --r;
            continue;
        }
        const int last = r;
        while (r - 1 >= 0 && m_rows[r - 1].fading && m_rows[r - 1].fadeAtMs <= now)
            --r;
        const int first = r;
        beginRemoveRows({}, first, last);
        for (int i = first; i <= last; ++i)
            m_index.remove(m_rows[i].key);
        m_rows.erase(m_rows.begin() + first, m_rows.begin() + last + 1);
        endRemoveRows();
        lowest = first;
        --r;
    }
    if (lowest >= 0) {
        for (int i = lowest; i < int(m_rows.size()); ++i)
            m_index[m_rows[i].key] = i;
    }
}

void ResourceTableModel::scheduleSweep()
{
    if (m_liveCount == int(m_rows.size())) {
        m_sweepTimer.stop();
        return;
    }
    if (m_sweepTimer.isActive())
        return; // it fires for the earliest fade; later ones are caught by the rescheduling after it
    qint64 earliest = std::numeric_limits<qint64>::max();
    for (const Row &row : m_rows) {
        if (row.fading)
            earliest = std::min(earliest, row.fadeAtMs);
    }
    const qint64 wait = std::clamp<qint64>(earliest - m_clock(), MinSweepMs, std::max(m_fadeMs, MinSweepMs));
    m_sweepTimer.start(int(wait));
}

void ResourceTableModel::tick()
{
    if (m_rows.empty())
        return;
    // Durations all grow alike, so the sort order holds: only the text is announced.
    const int last = int(m_rows.size()) - 1;
    for (const int c : std::as_const(m_tickColumns))
        Q_EMIT dataChanged(index(0, c), index(last, c), {Qt::DisplayRole});
}

void ResourceTableModel::emitCountsIfChanged(int rowsBefore, int liveBefore)
{
    if (rowsBefore != rowCount() || liveBefore != m_liveCount)
        Q_EMIT countsChanged();
}

ObjectRef ResourceTableModel::objectAt(int row) const
{
    if (row < 0 || row >= int(m_rows.size()))
        return {};
    return m_rows[row].object;
}

int ResourceTableModel::rowOf(const QString &ns, const QString &name) const
{
    return m_index.value(ns + u'/' + name, -1);
}

bool ResourceTableModel::lessThan(int leftRow, int rightRow, int column) const
{
    const Row &left = m_rows[size_t(leftRow)];
    const Row &right = m_rows[size_t(rightRow)];
    const Cell &l = left.cells.at(column);
    const Cell &r = right.cells.at(column);
    switch (m_printer.columns().at(column).sort) {
    case Column::Sort::Text:
        return left.sortText.at(column) < right.sortText.at(column);
    case Column::Sort::Number:
        return l.number < r.number;
    case Column::Sort::Duration:
        if (l.isTime() && r.isTime())
            return l.sinceMs > r.sinceMs; // the later start is the shorter duration
        if (!l.isTime() && !r.isTime())
            return l.number < r.number;
        const qint64 now = m_clock();
        const double ld = l.isTime() ? double(now - l.sinceMs) / 1000.0 : l.number;
        const double rd = r.isTime() ? double(now - r.sinceMs) / 1000.0 : r.number;
        return ld < rd;
    }
    return false;
}

int ResourceTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ResourceTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_printer.columnCount();
}

QVariant ResourceTableModel::data(const QModelIndex &index, int role) const
{
    if (!hasIndex(index.row(), index.column(), index.parent()))
        return {};
    const Row &row = m_rows[index.row()];
    const Cell &cell = row.cells.at(index.column());
    switch (role) {
    case Qt::DisplayRole:
        return cell.isTime() ? cell.display(m_clock()) : cell.text;
    case ObjectRole:
        return QVariant::fromValue(row.object);
    case SortRole:
        switch (m_printer.columns().at(index.column()).sort) {
        case Column::Sort::Text:
            return row.sortText.at(index.column());
        case Column::Sort::Number:
            return cell.number;
        case Column::Sort::Duration:
            return cell.isTime() ? double(m_clock() - cell.sinceMs) / 1000.0 : cell.number;
        }
        return {};
    case NamespaceRole:
        return row.object->ns;
    case NameRole:
        return row.object->name;
    case LabelsRole:
        return row.labels;
    case SearchTextRole:
        return row.searchText;
    case ChangedAtRole:
        return row.changedAtMs;
    case FadingRole:
        return row.fading;
    case ChangeKindRole:
        switch (row.change) {
        case ChangeKind::None:
            return QString();
        case ChangeKind::Added:
            return u"added"_s;
        case ChangeKind::Modified:
            return u"modified"_s;
        case ChangeKind::Deleted:
            return u"deleted"_s;
        }
        return {};
    default:
        return {};
    }
}

QVariant ResourceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    return m_printer.columns().at(section).title;
}

QHash<int, QByteArray> ResourceTableModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(ObjectRole, "object");
    names.insert(SortRole, "sortKey");
    names.insert(NamespaceRole, "namespace");
    names.insert(NameRole, "name");
    names.insert(LabelsRole, "labels");
    names.insert(SearchTextRole, "searchText");
    names.insert(ChangedAtRole, "changedAt");
    names.insert(FadingRole, "fading");
    names.insert(ChangeKindRole, "changeKind");
    return names;
}

} // namespace cw::model
