// SPDX-License-Identifier: Apache-2.0
#include "rowdelegate.h"

#include "palette.h"
#include "resourcetablemodel.h"

#include <QDateTime>
#include <QPainter>

namespace cw::ui {

using model::ResourceTableModel;

RowDelegate::RowDelegate(QObject *parent)
    : QStyledItemDelegate(parent), m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
}

void RowDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const qint64 now = m_clock();
    const bool fading = index.data(ResourceTableModel::FadingRole).toBool();
    const qint64 changedAt = index.data(ResourceTableModel::ChangedAtRole).toLongLong();
    const StateColors colors = stateColors(opt.palette);
    if (fading) {
        // Deleted: struck through, and the text goes towards the background as the fade runs out.
        const qreal left = changedAt > 0 ? std::clamp(1.0 - qreal(now - changedAt) / FlashMs, 0.25, 1.0) : 0.5;
        QColor text = opt.palette.color(QPalette::Text);
        text.setAlphaF(float(left));
        opt.palette.setColor(QPalette::Text, text);
        opt.palette.setColor(QPalette::HighlightedText, text);
        opt.font.setStrikeOut(true);
    } else if (changedAt > 0 && now - changedAt < FlashMs && !(opt.state & QStyle::State_Selected)) {
        QColor flash = index.data(ResourceTableModel::ChangeKindRole).toString() == QLatin1StringView("added")
                           ? colors.live
                           : colors.stale;
        flash.setAlphaF(float(0.35 * (1.0 - qreal(now - changedAt) / FlashMs)));
        painter->fillRect(opt.rect, flash);
    }
    QStyledItemDelegate::paint(painter, opt, index);
}

} // namespace cw::ui
