#include "DesktopNotification.h"

#include <QDBusConnection>
#include <QDBusInterface>
#include <QDBusReply>
#include <QStringList>
#include <QVariantMap>

namespace graft::ui {

bool notifyDesktop(const QString& summary, const QString& body) {
    const auto bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) return false;
    QDBusInterface notifications("org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                 "org.freedesktop.Notifications", bus);
    if (!notifications.isValid()) return false;
    // Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout: -1 = the server's)
    const QDBusReply<uint> reply = notifications.call("Notify", QString("Graft"), uint(0), QString("graft"), summary, body,
                                                      QStringList(), QVariantMap(), -1);
    return reply.isValid();
}

} // namespace graft::ui
