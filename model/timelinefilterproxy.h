// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eventtimelinemodel.h"

#include <QSortFilterProxyModel>
#include <QStringList>

namespace cw::model {

// Which timeline entries to show: streams, a namespace, types, recovered only. Filtering is its one job.
class TimelineFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    enum TypeFlag {
        Added = 0x01,
        Modified = 0x02,
        Deleted = 0x04,
        Connection = 0x08,
        Gap = 0x10,
        AllTypes = Added | Modified | Deleted | Connection | Gap,
    };
    Q_DECLARE_FLAGS(Types, TypeFlag)
    Q_FLAG(Types)

    explicit TimelineFilterProxy(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *model) override;
    EventTimelineModel *timeline() const { return m_timeline; }

    // Empty: every stream.
    void setStreams(const QStringList &streams);
    QStringList streams() const { return m_streams; }
    // Empty: every namespace. Connection and gap entries belong to a whole stream and pass any namespace.
    void setNamespace(const QString &ns);
    QString namespaceFilter() const { return m_namespace; }
    void setTypes(Types types);
    Types types() const { return m_types; }
    // Only changes a relist recovered: what the watch missed.
    void setRecoveredOnly(bool on);
    bool recoveredOnly() const { return m_recoveredOnly; }

    // The same decision for one entry: the lane view paints the source model through it.
    bool acceptsEntry(const TimelineEntry &entry) const;
    // The source row behind a proxy row.
    const TimelineEntry &entryAt(int proxyRow) const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void changed();

    EventTimelineModel *m_timeline = nullptr;
    QStringList m_streams;
    QString m_namespace;
    Types m_types = AllTypes;
    bool m_recoveredOnly = false;
};

} // namespace cw::model

Q_DECLARE_OPERATORS_FOR_FLAGS(cw::model::TimelineFilterProxy::Types)
