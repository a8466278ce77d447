// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "printers.h"
#include "watchtypes.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QTimer>
#include <QVariantMap>

#include <functional>
#include <vector>

namespace cw::model {

// The table of one stream, as `kubectl get` prints it, fed by the stream's batches. A relist is one model
// reset; every other change is a row-level insert, dataChanged or (after fading) removal, so views keep their
// selection and scroll position. Each object version is parsed once when it arrives: cells, labels and the
// search text are stored per row and data() only reads them. Time columns (AGE, LAST SEEN, "3 (5m ago)") are
// formatted against the clock when read, and a 1 s tick announces them with one dataChanged per column.
//
// ObjectRef travels in QVariant through Qt 6's automatic metatype registration; it is deliberately not
// Q_DECLARE_METATYPE'd here (a second declaration elsewhere would be an ODR hazard).
class ResourceTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role
    {
        ObjectRole = Qt::UserRole + 1, // QVariant::fromValue(cw::watch::ObjectRef)
        SortRole,                      // double for counts and durations (seconds), lower-case QString otherwise
        NamespaceRole,
        NameRole,
        LabelsRole,       // QVariantMap
        SearchTextRole,   // lower-case name, namespace and every fixed display cell, '\n'-separated
        ChangedAtRole,    // qint64 ms of the row's last change; 0 for rows from a snapshot
        FadingRole,       // bool: deleted, shown until the fade ends
        ChangeKindRole,   // "added" / "modified" / "deleted" / ""
    };
    Q_ENUM(Role)

    explicit ResourceTableModel(QObject *parent = nullptr);
    ~ResourceTableModel() override;

    // Picks the columns for the kind and clears the table (one reset).
    void setResource(const cw::watch::ApiResource &api, const QString &stream);
    QString stream() const { return m_stream; }
    cw::watch::ApiResource resource() const { return m_api; }
    const QList<Column> &columns() const { return m_printer.columns(); }
    // -1 for cluster-scoped resources.
    int namespaceColumn() const { return m_printer.namespaceColumn(); }

    // Ignores batches of other streams.
    void applyBatch(const cw::watch::Batch &batch);

    // How long a deleted row stays (FadingRole true) before it is removed; 0 removes it at once.
    void setFadeMs(int ms);
    int fadeMs() const { return m_fadeMs; }
    // The clock for AGE, fading and ChangedAtRole; ms since the epoch. Tests inject their own.
    void setClock(std::function<qint64()> nowMs);
    qint64 now() const { return m_clock(); }
    // Removes the rows whose fade has ended. The sweep timer calls this; tests with an injected clock too.
    void removeFaded();

    cw::watch::ObjectRef objectAt(int row) const;
    // -1 when absent.
    int rowOf(const QString &ns, const QString &name) const;
    // Rows not fading.
    int liveCount() const { return m_liveCount; }
    // The SortRole order of two rows in `column`, without building QVariants: sorting proxies call this
    // hundreds of thousands of times per sort. Text compares case-insensitively, as SortRole does.
    bool lessThan(int leftRow, int rightRow, int column) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    // The row count or liveCount() changed.
    void countsChanged();

private:
    enum class ChangeKind : quint8 { None, Added, Modified, Deleted };
    struct Row
    {
        cw::watch::ObjectRef object;
        QString key; // "ns/name", kept so re-indexing after removals allocates nothing
        QList<Cell> cells;
        // Per column: the lower-cased text Text columns sort by (shares the cell's text when it is lower-case
        // already, as Kubernetes names are), so a sort compares code units instead of folding case.
        QStringList sortText;
        QVariantMap labels;
        QString searchText;
        qint64 changedAtMs = 0;
        qint64 fadeAtMs = 0; // when fading: when the sweep removes it
        ChangeKind change = ChangeKind::None;
        bool fading = false;
    };

    Row makeRow(const cw::watch::ObjectRef &object) const;
    static QString keyOf(const cw::watch::ObjectRecord &object);
    void upsert(const cw::watch::Change &change, qint64 at);
    void markDeleted(const cw::watch::Change &change, qint64 at);
    void applyReset(const cw::watch::Batch &batch);
    void sweep();
    void scheduleSweep();
    void tick();
    void emitCountsIfChanged(int rowsBefore, int liveBefore);

    cw::watch::ApiResource m_api;
    QString m_stream;
    TablePrinter m_printer;
    std::vector<Row> m_rows;
    QHash<QString, int> m_index; // "ns/name" -> row
    int m_liveCount = 0;
    int m_fadeMs = 1500;
    std::function<qint64()> m_clock;
    QList<int> m_tickColumns;
    QTimer m_tickTimer;
    QTimer m_sweepTimer;
};

} // namespace cw::model
