// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QColor>
#include <QPalette>

namespace cw::ui {

// Dark when the window background is darker than its text: the same test KDE uses to pick a theme.
bool isDark(const QPalette &palette);

// Colours the views share, so a state looks the same in the table, the timeline and the charts.
struct StateColors
{
    QColor live;
    QColor stale;
    QColor failed;
    QColor recovered;
    QColor gap; // translucent, for shaded spans
};
StateColors stateColors(const QPalette &palette);

} // namespace cw::ui
