#pragma once

#include <QString>

namespace graft::ui {

// A desktop notification through the freedesktop Notifications service on the session bus; false
// when there is no bus or no service to show it.
bool notifyDesktop(const QString& summary, const QString& body);

} // namespace graft::ui
