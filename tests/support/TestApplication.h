#pragma once

#include <QApplication>
#include <QStandardPaths>

namespace graft::testing {

// The process's QApplication, created on first use, with QSettings and other standard paths
// redirected to Qt's test locations so tests never touch the user's configuration.
inline void ensureTestApplication() {
    static int argc = 1;
    static char name[] = "graft_ui_tests";
    static char* argv[] = {name, nullptr};
    QStandardPaths::setTestModeEnabled(true);
    static QApplication application(argc, argv);
}

} // namespace graft::testing
