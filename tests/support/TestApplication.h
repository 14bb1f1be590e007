#pragma once

#include <QApplication>
#include <QDir>
#include <QStandardPaths>
#include <QWidget>

#include <cstdlib>

namespace graft::testing {

// The process's QApplication, created on first use, with QSettings and other standard paths
// redirected to Qt's test locations so tests never touch the user's configuration. It is never
// destroyed: QTest's input devices are static objects that must not outlive it, and the order of
// static destruction would otherwise crash the process at exit.
inline void ensureTestApplication() {
    static int argc = 1;
    static char name[] = "graft_ui_tests";
    static char* argv[] = {name, nullptr};
    QStandardPaths::setTestModeEnabled(true);
    [[maybe_unused]] static auto* application = new QApplication(argc, argv);
}

// With GRAFT_TEST_SCREENSHOTS=DIR in the environment, saves what `widget` shows as DIR/NAME.png,
// to look at a view in the state a test leaves it.
inline void saveScreenshotIfAsked(QWidget& widget, const QString& name) {
    if (const char* folder = std::getenv("GRAFT_TEST_SCREENSHOTS"))
        widget.grab().save(QDir(QString::fromLocal8Bit(folder)).filePath(name + ".png"), "PNG");
}

} // namespace graft::testing
