#include "MainWindow.h"

#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"

#include "TempDir.h"

#include <QApplication>
#include <QTableWidget>
#include <gtest/gtest.h>

namespace graft {
namespace {

class MainWindowTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        static int argc = 1;
        static char name[] = "graft_ui_tests";
        static char* argv[] = {name, nullptr};
        static QApplication application(argc, argv);
    }
};

TEST_F(MainWindowTest, ShowsClassCountsOfTheOpenedProject) {
    testing::TempDir dir;
    const auto project = dir / "shapes.graft";
    {
        Database db = createProject(project);
        importSyntheticShapes(db, 10, 0);
    }
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
