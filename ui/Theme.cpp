#include "Theme.h"

#include <QApplication>
#include <QIcon>
#include <QPalette>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleFactory>

namespace graft::ui {
namespace {

QPalette darkPalette() {
    QPalette palette;
    const QColor window(45, 47, 52), base(30, 31, 35), text(225, 227, 230), disabled(128, 130, 136);
    const QColor highlight(59, 125, 216);
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, window);
    palette.setColor(QPalette::ToolTipBase, base);
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, disabled);
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, window);
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, Qt::white);
    palette.setColor(QPalette::Link, highlight.lighter(130));
    palette.setColor(QPalette::Highlight, highlight);
    palette.setColor(QPalette::HighlightedText, Qt::white);
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, disabled);
    return palette;
}

} // namespace

void applyTheme(const QString& theme) {
    static const QString platformStyle = QApplication::style()->name(); // before Graft changes it
    static bool themed = false; // "system" leaves an untouched application alone
    if (theme == "dark" || theme == "light") {
        QApplication::setStyle(QStyleFactory::create("Fusion"));
        QApplication::setPalette(theme == "dark" ? darkPalette() : QApplication::style()->standardPalette());
        themed = true;
    } else if (themed) {
        QApplication::setStyle(QStyleFactory::create(platformStyle));
        QApplication::setPalette(QApplication::style()->standardPalette());
        themed = false;
    }
}

void useIconTheme() {
    auto paths = QIcon::themeSearchPaths();
    for (const auto& folder : QStandardPaths::locateAll(QStandardPaths::GenericDataLocation, "icons", QStandardPaths::LocateDirectory))
        if (!paths.contains(folder)) paths << folder;
    QIcon::setThemeSearchPaths(paths);
    if (QIcon::themeName().isEmpty()) QIcon::setThemeName("Adwaita");
    else QIcon::setFallbackThemeName("Adwaita");
}

} // namespace graft::ui
