// SPDX-License-Identifier: Apache-2.0
#include "timelinefilterproxy.h"

using namespace Qt::StringLiterals;

namespace cw::model {

namespace {

TimelineFilterProxy::TypeFlag typeFlag(const TimelineEntry &e)
{
    switch (e.kind) {
    case TimelineEntry::Kind::Connection: return TimelineFilterProxy::Connection;
    case TimelineEntry::Kind::Gap: return TimelineFilterProxy::Gap;
    case TimelineEntry::Kind::Watch: break;
    }
    switch (e.changeType()) {
    case watch::ChangeType::Modified: return TimelineFilterProxy::Modified;
    case watch::ChangeType::Deleted: return TimelineFilterProxy::Deleted;
    case watch::ChangeType::Added: break;
    }
    return TimelineFilterProxy::Added;
}

} // namespace

TimelineFilterProxy::TimelineFilterProxy(QObject *parent) : QSortFilterProxyModel(parent) {}

void TimelineFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_timeline = qobject_cast<EventTimelineModel *>(model);
    Q_ASSERT(model == nullptr || m_timeline != nullptr);
    QSortFilterProxyModel::setSourceModel(model);
}

void TimelineFilterProxy::changed()
{
    invalidateRowsFilter();
}

void TimelineFilterProxy::setStreams(const QStringList &streams)
{
    if (streams == m_streams)
        return;
    m_streams = streams;
    changed();
}

void TimelineFilterProxy::setNamespace(const QString &ns)
{
    if (ns == m_namespace)
        return;
    m_namespace = ns;
    changed();
}

void TimelineFilterProxy::setTypes(Types types)
{
    if (types == m_types)
        return;
    m_types = types;
    changed();
}

void TimelineFilterProxy::setRecoveredOnly(bool on)
{
    if (on == m_recoveredOnly)
        return;
    m_recoveredOnly = on;
    changed();
}

bool TimelineFilterProxy::acceptsEntry(const TimelineEntry &e) const
{
    if (!m_types.testFlag(typeFlag(e)))
        return false;
    if (m_recoveredOnly && !e.recovered)
        return false;
    if (!m_streams.isEmpty() && !m_streams.contains(e.stream()))
        return false;
    if (!m_namespace.isEmpty() && e.kind == TimelineEntry::Kind::Watch && e.ns() != m_namespace)
        return false;
    return true;
}

const TimelineEntry &TimelineFilterProxy::entryAt(int proxyRow) const
{
    return m_timeline->entry(mapToSource(index(proxyRow, 0)).row());
}

bool TimelineFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid() || m_timeline == nullptr)
        return false;
    return acceptsEntry(m_timeline->entry(sourceRow));
}

} // namespace cw::model
