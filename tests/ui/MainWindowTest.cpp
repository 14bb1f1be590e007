#include "MainWindow.h"

#include "project/ProjectFile.h"

#include "ShapesProject.h"
#include "TempDir.h"
#include "TestApplication.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QMenu>
#include <QSettings>
#include <QStandardPaths>
#include <QTableWidget>
#include <gtest/gtest.h>

namespace graft {
namespace {

class MainWindowTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { testing::ensureTestApplication(); }
};

TEST_F(MainWindowTest, ShowsClassCountsOfTheOpenedProject) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 10);
    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    auto* table = window.findChild<QTableWidget*>("classTable");
    ASSERT_NE(table, nullptr);
    ASSERT_EQ(table->rowCount(), 3);
    EXPECT_EQ(table->item(0, 0)->text(), "circle");
    EXPECT_EQ(table->item(0, 1)->text(), "10");
    EXPECT_EQ(table->item(0, 2)->text(), "8");
    EXPECT_TRUE(window.windowTitle().contains("shapes.graft"));
}

TEST_F(MainWindowTest, OpenedProjectsAreRememberedMostRecentFirst) {
    // Settings of this process alone: tests running beside it open projects too.
    const QString sharedName = QCoreApplication::applicationName();
    QCoreApplication::setApplicationName(sharedName + "-" + QString::number(QCoreApplication::applicationPid()));
    QSettings().remove("recentProjects");
    testing::TempDir dir;
    for (const auto* name : {"a.graft", "b.graft"}) createProject(dir / name);
    ui::MainWindow window;
    QString error;
    for (const auto* name : {"a.graft", "b.graft", "a.graft"})
        ASSERT_TRUE(window.openProject(QString::fromStdString((dir / name).string()), &error)) << error.toStdString();
    const QStringList expected = {QString::fromStdString((dir / "a.graft").string()),
                                  QString::fromStdString((dir / "b.graft").string())};
    EXPECT_EQ(ui::MainWindow::recentProjects(), expected);
    auto* recent = window.findChild<QMenu*>("recentMenu");
    ASSERT_NE(recent, nullptr);
    ASSERT_EQ(recent->actions().size(), 2);
    EXPECT_EQ(recent->actions().front()->text(), expected.front());
    QFile::remove(QSettings().fileName());
    QCoreApplication::setApplicationName(sharedName);
}

TEST_F(MainWindowTest, RefusesANonProjectFileAndSaysWhich) {
    testing::TempDir dir;
    testing::writeFile(dir / "photo.graft", std::string(300, 'p'));
    ui::MainWindow window;
    QString error;
    EXPECT_FALSE(window.openProject(QString::fromStdString((dir / "photo.graft").string()), &error));
    EXPECT_TRUE(error.contains("photo.graft")) << error.toStdString();
    EXPECT_TRUE(window.projectPath().isEmpty());
}

} // namespace
} // namespace graft
