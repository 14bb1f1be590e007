#pragma once

#include <QString>

namespace graft::ui {

// "dark" and "light" use Qt's Fusion style with Graft's palette, the same on every desktop;
// "system" goes back to the platform's style and palette.
void applyTheme(const QString& theme);

} // namespace graft::ui
