#pragma once

#include <QString>

namespace graft::ui {

// "dark" and "light" use Qt's Fusion style with Graft's palette, the same on every desktop;
// "system" goes back to the platform's style and palette.
void applyTheme(const QString& theme);

// Icons from the desktop's theme, and from Adwaita (a dependency) where it lacks one or where there
// is no desktop theme at all (Qt then searches only its resources, so the XDG icon folders are
// added). Call once, before the first icon is made.
void useIconTheme();

} // namespace graft::ui
