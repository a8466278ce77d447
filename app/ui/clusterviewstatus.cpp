// SPDX-License-Identifier: Apache-2.0
// ClusterView: the words and marks that say how fresh the view is (banner, badge, progress, status bar).
#include "clusterview.h"

#include "eventtimelinemodel.h"
#include "filterproxies.h"
#include "healthview.h"
#include "palette.h"
#include "resourcetablemodel.h"
#include "resourcetypesmodel.h"
#include "streamhealthmodel.h"

#include <QDateTime>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>

using namespace Qt::StringLiterals;

namespace cw::ui {

QString describeError(const QString &what, const watch::StreamError &error)
{
    using Kind = watch::StreamError::Kind;
    QString lead;
    switch (error.kind) {
    case Kind::Auth:
        lead = u"Authentication failed for "_s + what + u" — check the credentials of this context"_s;
        break;
    case Kind::Forbidden:
        lead = u"Not allowed to watch "_s + what;
        break;
    case Kind::NotFound:
        lead = u"The cluster does not serve "_s + what;
        break;
    case Kind::Network:
        lead = u"Cannot reach the cluster for "_s + what;
        break;
    case Kind::Config:
        lead = u"The kubeconfig cannot be used for "_s + what;
        break;
    default:
        lead = u"Watching "_s + what + u" failed"_s;
        break;
    }
    QString code = error.httpCode > 0 ? QString::number(error.httpCode) : QString();
    if (!error.reason.isEmpty())
        code += (code.isEmpty() ? QString() : u" "_s) + error.reason;
    return lead + (code.isEmpty() ? QString() : u" ("_s + code + u")"_s) +
           (error.message.isEmpty() ? QString() : u": "_s + error.message);
}

QString ClusterView::bannerText() const
{
    if (m_discoveryError)
        return describeError(tr("the API"), *m_discoveryError) + tr(" — retrying every %1 s").arg(RediscoverMs / 1000);
    const Resource *r = current();
    if (!r)
        return m_served.isEmpty() ? tr("Connecting to %1…").arg(m_contextName) : QString();
    if (r->error)
        return describeError(r->api.resource, *r->error) + tr(" — the rest of the app keeps working");
    return m_healthModel->bannerText(r->stream, QDateTime::currentMSecsSinceEpoch());
}

QString ClusterView::freshnessText() const
{
    const Resource *r = current();
    if (!r)
        return QString();
    return m_healthModel->freshnessText(r->stream, QDateTime::currentMSecsSinceEpoch());
}

QString ClusterView::progressText() const
{
    const Resource *r = current();
    if (!r)
        return QString();
    const watch::StreamSample s = m_healthModel->sample(r->stream);
    if (!s.listing)
        return QString();
    const QLocale locale;
    return tr("Listing %1: %2 / %3")
        .arg(r->api.resource, locale.toString(s.listed),
             s.listTotal >= 0 ? locale.toString(s.listTotal) : tr("?"));
}

void ClusterView::refreshStatus()
{
    const QString banner = bannerText();
    const StateColors colors = stateColors(palette());
    if (banner != m_banner->text() || banner.isEmpty() == m_banner->isVisible()) {
        m_banner->setText(banner);
        m_banner->setVisible(!banner.isEmpty());
        const Resource *r = current();
        const bool failed = m_discoveryError || (r && r->error);
        QPalette p = m_banner->palette();
        QColor bg = failed ? colors.failed : colors.stale;
        bg.setAlpha(60);
        p.setColor(QPalette::Window, bg);
        m_banner->setPalette(p);
    }
    QString fresh = freshnessText();
    if (!m_verifyText.isEmpty())
        fresh += u"  ·  "_s + m_verifyText;
    m_freshness->setText(fresh);
    const Resource *r = current();
    const watch::StreamSample s = r ? m_healthModel->sample(r->stream) : watch::StreamSample{};
    m_progress->setVisible(s.listing);
    if (s.listing) {
        m_progress->setRange(0, int(std::max<qint64>(s.listTotal, s.listed)));
        m_progress->setValue(int(s.listed));
        m_progress->setFormat(progressText());
    }
    m_healthView->refresh();
    emit statusChanged();
}

QString ClusterView::statusText() const
{
    const Resource *r = current();
    if (!r)
        return m_contextName;
    const QLocale locale;
    const int shown = r->byText->rowCount();
    QString text = model::ResourceTypesModel::displayName(r->api) + u" "_s + locale.toString(r->model->liveCount());
    if (shown != r->model->rowCount())
        text += tr(" · %1 shown").arg(locale.toString(shown));
    text += tr(" · %1 streams").arg(m_byStream.size());
    text += tr(" · %1 events in the timeline").arg(locale.toString(m_timelineModel->rowCount()));
    return text;
}

} // namespace cw::ui
