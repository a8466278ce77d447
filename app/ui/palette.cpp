// SPDX-License-Identifier: Apache-2.0
#include "palette.h"

namespace cw::ui {

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < palette.color(QPalette::WindowText).lightness();
}

StateColors stateColors(const QPalette &palette)
{
    const bool dark = isDark(palette);
    StateColors c;
    c.live = dark ? QColor(0x5c, 0xc9, 0x7b) : QColor(0x1e, 0x8e, 0x3e);
    c.stale = dark ? QColor(0xf2, 0xb3, 0x4c) : QColor(0xb0, 0x6d, 0x00);
    c.failed = dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc6, 0x28, 0x28);
    c.recovered = dark ? QColor(0xc3, 0x8b, 0xff) : QColor(0x7b, 0x3f, 0xc4);
    c.gap = dark ? QColor(0xf2, 0xb3, 0x4c, 60) : QColor(0xe6, 0x9a, 0x1e, 50);
    return c;
}

} // namespace cw::ui
