// SPDX-License-Identifier: Apache-2.0
// ClusterView: what leaves the window (exports) and what outlives it (settings).
#include "clusterview.h"

#include "eventtimelinemodel.h"
#include "healthview.h"
#include "outputs.h"
#include "resourcetablemodel.h"
#include "timelineexport.h"
#include "timelinewidget.h"

#include <QHeaderView>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QTableView>

using namespace Qt::StringLiterals;

namespace cw::ui {

bool ClusterView::exportEventLog(const QString &path, bool filteredOnly, QString *error) const
{
    QList<int> rows;
    if (filteredOnly) {
        rows = m_timeline->exportRows();
    } else {
        rows.reserve(m_timelineModel->rowCount());
        for (int i = 0; i < m_timelineModel->rowCount(); ++i)
            rows << i;
    }
    const bool csv = app::EventWriter::formatForPath(path) == app::EventWriter::Format::Csv;
    const QByteArray content = csv ? TimelineExport::toCsv(*m_timelineModel, rows, m_contextName)
                                   : TimelineExport::toJsonLines(*m_timelineModel, rows, m_contextName, false);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() || !file.commit()) {
        *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool ClusterView::exportHealthLog(const QString &path, QString *error) const
{
    QByteArray content;
    for (const watch::HealthEvent &e : m_healthLog)
        content += app::HealthWriter::healthLine(m_contextName, e);
    for (const watch::Gap &g : m_gapLog)
        content += app::HealthWriter::gapLine(m_contextName, g);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() || !file.commit()) {
        *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool ClusterView::exportChart(const QString &path, QString *error) const
{
    if (!m_healthView->saveChartPng(path)) {
        *error = tr("Cannot write the chart to %1").arg(path);
        return false;
    }
    return true;
}

void ClusterView::saveHeader()
{
    if (const Resource *r = current())
        m_headerStates.insert(r->api.groupResource(), m_table->horizontalHeader()->saveState());
}

void ClusterView::restoreHeader()
{
    const Resource *r = current();
    if (!r)
        return;
    const QByteArray state = m_headerStates.value(r->api.groupResource());
    if (state.isEmpty() || !m_table->horizontalHeader()->restoreState(state)) {
        m_table->resizeColumnsToContents();
        m_table->sortByColumn(-1, Qt::AscendingOrder);
    }
}

void ClusterView::saveState(QSettings &settings) const
{
    settings.setValue(u"mainSplitter"_s, m_mainSplitter->saveState());
    settings.setValue(u"centerSplitter"_s, m_centerSplitter->saveState());
    settings.setValue(u"tableSplitter"_s, m_tableSplitter->saveState());
    settings.setValue(u"resource"_s, currentResource());
    settings.setValue(u"namespace"_s, m_namespace);
    QHash<QString, QByteArray> headers = m_headerStates;
    if (const Resource *r = current())
        headers.insert(r->api.groupResource(), m_table->horizontalHeader()->saveState());
    settings.beginGroup(u"columns"_s);
    for (auto it = headers.cbegin(); it != headers.cend(); ++it)
        settings.setValue(it.key(), it.value());
    settings.endGroup();
}

void ClusterView::restoreState(QSettings &settings)
{
    m_mainSplitter->restoreState(settings.value(u"mainSplitter"_s).toByteArray());
    m_centerSplitter->restoreState(settings.value(u"centerSplitter"_s).toByteArray());
    m_tableSplitter->restoreState(settings.value(u"tableSplitter"_s).toByteArray());
    settings.beginGroup(u"columns"_s);
    for (const QString &key : settings.childKeys())
        m_headerStates.insert(key, settings.value(key).toByteArray());
    settings.endGroup();
    m_namespace = settings.value(u"namespace"_s).toString();
    const QString resource = settings.value(u"resource"_s).toString();
    if (!resource.isEmpty()) {
        // Applied once discovery says the cluster serves it.
        connect(this, &ClusterView::discoveredResources, this, [this, resource] { selectResource(resource); },
                Qt::SingleShotConnection);
    }
}

} // namespace cw::ui
