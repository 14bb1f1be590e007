#include "Preferences.h"

#include <QSettings>

namespace graft::ui {

Preferences Preferences::load() {
    const QSettings settings;
    Preferences preferences;
    preferences.device = settings.value("preferences/device", preferences.device).toString();
    preferences.threads = settings.value("preferences/threads", preferences.threads).toInt();
    preferences.thumbnailCacheMegabytes =
        settings.value("preferences/thumbnailCacheMegabytes", preferences.thumbnailCacheMegabytes).toInt();
    preferences.inputMemoryMegabytes =
        settings.value("preferences/inputMemoryMegabytes", preferences.inputMemoryMegabytes).toInt();
    preferences.theme = settings.value("preferences/theme", preferences.theme).toString();
    return preferences;
}

void Preferences::save() const {
    QSettings settings;
    settings.setValue("preferences/device", device);
    settings.setValue("preferences/threads", threads);
    settings.setValue("preferences/thumbnailCacheMegabytes", thumbnailCacheMegabytes);
    settings.setValue("preferences/inputMemoryMegabytes", inputMemoryMegabytes);
    settings.setValue("preferences/theme", theme);
}

} // namespace graft::ui
