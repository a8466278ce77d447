// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStyledItemDelegate>

#include <functional>

namespace cw::ui {

// Resource rows as they change: a changed row flashes and the flash fades over FlashMs; a deleted row's
// text fades out until the model removes it. Reads the model's ChangedAtRole and FadingRole.
class RowDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    static constexpr int FlashMs = 1500;

    explicit RowDelegate(QObject *parent = nullptr);
    void setClock(std::function<qint64()> nowMs) { m_clock = std::move(nowMs); }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    std::function<qint64()> m_clock;
};

} // namespace cw::ui
