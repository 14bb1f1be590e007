#include "DataPage.h"
#include "ImageGridModel.h"
#include "JobController.h"
#include "LayerDiagram.h"
#include "MainWindow.h"
#include "ModelPage.h"
#include "Preferences.h"
#include "PreferencesDialog.h"
#include "QCustomPlotInclude.h"
#include "Theme.h"
#include "TrainPage.h"
#include "WelcomePage.h"

#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "train/CpuThreadLimit.h"
#include "train/RunSpec.h"

#include "DigitsSheet.h"
#include "ShapesFolder.h"
#include "ShapesProject.h"
#include "TempDir.h"
#include "TestApplication.h"
#include "TrainedShapesRun.h"

#include <QAbstractSpinBox>
#include <QAccessible>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QFile>
#include <QDropEvent>
#include <QListWidget>
#include <QMenu>
#include <QMimeData>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>
#include <QUrl>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

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

// Issue 31's first hour: from nothing open to a labelled project by dropping a folder.
TEST_F(MainWindowTest, AFolderDroppedOnTheWelcomePageBecomesALabelledProjectBesideIt) {
    testing::TempDir dir;
    testing::writeShapesFolder(dir / "leaves", 3, 4);
    ui::MainWindow window;
    ASSERT_TRUE(window.showsWelcome()) << "nothing open: the welcome page";
    auto* welcome = window.findChild<ui::WelcomePage*>();
    ASSERT_NE(welcome, nullptr);

    QMimeData data;
    data.setUrls({QUrl::fromLocalFile(QString::fromStdString((dir / "leaves").string()))});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(welcome, &enter);
    EXPECT_TRUE(enter.isAccepted()) << "a folder is welcome";
    QSignalSpy finished(window.importJob(), &ui::JobController::finished);
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(welcome, &drop);
    ASSERT_TRUE(finished.wait(60'000));
    ASSERT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
    QTest::qWait(50); // the import's finishing touches run after the spy's slot

    const auto project = dir / "leaves.graft";
    ASSERT_TRUE(std::filesystem::exists(project)) << "the project sits beside the folder, named after it";
    EXPECT_FALSE(window.showsWelcome());
    EXPECT_EQ(window.currentPage(), window.findChild<ui::DataPage*>());
    Database db = openProject(project, ProjectAccess::ReadOnly);
    ProjectStore store(db);
    EXPECT_EQ(store.imageCount(), 9);
    EXPECT_EQ(store.unlabeledCount(), 0) << "class folders are labels";
    EXPECT_TRUE(window.stepText(0).endsWith("3 classes · 0 unlabelled")) << window.stepText(0).toStdString();

    ui::MainWindow next; // Graft started again lists it (first, unless a test beside this one opened another since)
    auto* recent = next.findChild<ui::WelcomePage*>()->findChild<QListWidget*>("recentProjects");
    const auto listed = recent->findItems(QString::fromStdString(project.string()), Qt::MatchEndsWith);
    ASSERT_EQ(listed.size(), 1);
    EXPECT_TRUE(QTest::qWaitFor([&] { return listed.front()->text().contains("9 images · 3 classes · 0 unlabelled"); }, 10'000))
        << listed.front()->text().toStdString();
    EXPECT_FALSE(listed.front()->icon().isNull()) << "a thumbnail of its first image";
}

// Issue 31's empty states: a page that cannot be used yet says why, with the button that leads on.
TEST_F(MainWindowTest, AnEmptyProjectsPagesSayWhatToDoNextWithTheButtonThatDoesIt) {
    testing::TempDir dir;
    { Database db = createProject(dir / "empty.graft"); }
    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString((dir / "empty.graft").string()), &error)) << error.toStdString();
    auto* emptyState = window.findChild<QWidget*>("emptyState");
    auto* text = window.findChild<QLabel*>("emptyStateText");
    auto* action = window.findChild<QPushButton*>("emptyStateAction");
    ASSERT_TRUE(emptyState && text && action);
    window.showPage(0);
    EXPECT_FALSE(emptyState->isHidden());
    EXPECT_TRUE(text->text().contains("no images yet")) << text->text().toStdString();
    EXPECT_EQ(action->text(), "Import images…");

    window.showPage(4); // Try
    EXPECT_TRUE(text->text().contains("label at least 2 classes")) << text->text().toStdString();
    EXPECT_EQ(action->text(), "Go to Data && Labels") << "the & shown, not taken for a shortcut";
    action->click();
    EXPECT_EQ(window.currentPage(), window.findChild<ui::DataPage*>());

    const auto project = testing::createShapesProject(dir / "shapes.graft", 3);
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    window.showPage(0);
    EXPECT_TRUE(emptyState->isHidden()) << "images to label: nothing to ask for";
    window.showPage(3); // Compare
    EXPECT_FALSE(emptyState->isHidden());
    EXPECT_EQ(action->text(), "Go to Train");
    action->click();
    EXPECT_EQ(window.currentPage(), window.findChild<ui::TrainPage*>());
    EXPECT_TRUE(emptyState->isHidden()) << "Train is ready";
}

// Issue 31: labelling and starting a run without the mouse.
TEST_F(MainWindowTest, KeyboardAloneLabelsAnImageAndStartsTraining) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 3);
    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    window.findChild<QSpinBox*>("epochs")->setValue(1);
    window.show();
    window.activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(&window));

    QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
    EXPECT_EQ(window.currentPage(), window.findChild<ui::TrainPage*>());
    QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
    auto* grid = window.findChild<QListView*>("imageGrid");
    ASSERT_EQ(window.currentPage(), window.findChild<ui::DataPage*>());
    ASSERT_EQ(QApplication::focusWidget(), grid) << "Ctrl+1 lands where the label keys work";
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_End); // the last image: a triangle
    const auto sha = grid->currentIndex().data(ui::ImageGridModel::Sha256Role).toString().toStdString();
    ASSERT_NE(grid->currentIndex().data().toString(), "square") << "a change to make";
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_2);
    {
        Database db = openProject(project, ProjectAccess::ReadOnly);
        ProjectStore store(db);
        std::optional<std::int64_t> label;
        for (const auto& image : store.catalog())
            if (image.sha256 == sha) label = image.classId;
        ASSERT_TRUE(label);
        EXPECT_EQ(store.classSummaries().at(1).name, "square");
        EXPECT_EQ(*label, store.classSummaries().at(1).id) << "key 2 labelled it square";
    }

    QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
    auto* page = window.findChild<ui::TrainPage*>();
    QSignalSpy finished(page->job(), &ui::JobController::finished);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return, Qt::ControlModifier);
    ASSERT_TRUE(finished.wait(120'000)) << "Ctrl+Enter started a run";
    EXPECT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
}

// A control a person can Tab to: shown, enabled, taking focus itself (not through a proxy), and
// not the editor inside a spin box or combo box, which speaks for it.
bool isTabStop(QWidget* widget) {
    if (!widget->isVisible() || !widget->isEnabled() || widget->focusProxy()) return false;
    if ((widget->focusPolicy() & Qt::TabFocus) != Qt::TabFocus) return false;
    auto* parent = widget->parentWidget();
    return !qobject_cast<QAbstractSpinBox*>(parent) && !qobject_cast<QComboBox*>(parent);
}

// Shows every page, then each further tab of each page, as a person opens them, and calls
// `check` with where the window is ("compare, tab Errors and confusion").
void forEveryPageAndTab(ui::MainWindow& window, const std::function<void(const std::string&)>& check) {
    for (int page = 0; page < window.pageCount(); ++page) {
        window.showPage(page);
        const std::string name = window.pageName(page).toStdString();
        check(name);
        for (auto* tabs : window.currentPage()->findChildren<QTabWidget*>())
            for (int tab = 1; tab < tabs->count(); ++tab) {
                tabs->setCurrentIndex(tab);
                check(name + ", tab " + tabs->tabText(tab).toStdString());
            }
    }
}

QString describe(QWidget* widget) {
    return QString("%1 \"%2\"").arg(widget->metaObject()->className(), widget->objectName());
}

// Issue 31: a screen reader can name every control, and Tab alone reaches every control of every
// page (no table keeps it), in the order the page reads.
TEST_F(MainWindowTest, TabReachesEveryControlOfEveryPageAndEachHasAnAccessibleName) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 4);
    testing::trainRun(project, 1, 8); // Try, Export and the Data page's run choices have a run
    ui::MainWindow window;
    window.resize(1280, 800);
    window.show();
    window.activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(&window));
    const auto checkShownControls = [&](QWidget* page, const std::string& where) {
        std::vector<QWidget*> controls;
        for (auto* widget : page->findChildren<QWidget*>())
            if (isTabStop(widget)) controls.push_back(widget);
        ASSERT_FALSE(controls.empty()) << where;
        for (auto* control : controls) {
            auto* accessible = QAccessible::queryAccessibleInterface(control);
            ASSERT_NE(accessible, nullptr) << describe(control).toStdString();
            EXPECT_FALSE(accessible->text(QAccessible::Name).trimmed().isEmpty())
                << where << ": " << describe(control).toStdString() << " has no accessible name";
        }
        QSet<QWidget*> reached;
        controls.front()->setFocus(Qt::TabFocusReason);
        for (std::size_t press = 0; press < 2 * controls.size() + 20; ++press) {
            reached.insert(QApplication::focusWidget());
            QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        }
        for (auto* control : controls)
            EXPECT_TRUE(reached.contains(control)) << where << ": Tab never reaches " << describe(control).toStdString();
    };
    ASSERT_TRUE(window.showsWelcome());
    checkShownControls(window.findChild<ui::WelcomePage*>(), "welcome");
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    forEveryPageAndTab(window, [&](const std::string& where) { checkShownControls(window.currentPage(), where); });
}

// Issue 31: the smallest screen Graft supports is 1280 x 800; no page or tab asks for more.
TEST_F(MainWindowTest, EveryPageAndTabFitsA1280By800Window) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 4);
    testing::trainRun(project, 1, 8);
    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    window.resize(1280, 800);
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    const auto expectFits = [&](const std::string& where) {
        QTest::qWait(20); // layouts settle
        const QSize needed = window.minimumSizeHint().expandedTo(window.minimumSize());
        EXPECT_LE(needed.width(), 1280) << where;
        EXPECT_LE(needed.height(), 800) << where;
        EXPECT_EQ(window.size(), QSize(1280, 800)) << where << ": the window grew";
    };
    forEveryPageAndTab(window, expectFits);
}

TEST_F(MainWindowTest, TheStepBarFollowsLabelsTheFreezePlanAndRuns) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 4);
    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    EXPECT_TRUE(window.stepText(0).endsWith("3 classes · 0 unlabelled")) << window.stepText(0).toStdString();
    EXPECT_TRUE(window.stepText(1).endsWith("tinynet · all blocks train")) << window.stepText(1).toStdString();
    EXPECT_TRUE(window.stepText(2).endsWith("ready to train")) << window.stepText(2).toStdString();
    EXPECT_TRUE(window.stepText(4).endsWith("train a run first")) << window.stepText(4).toStdString();

    auto* grid = window.findChild<QListView*>("imageGrid");
    grid->setCurrentIndex(grid->model()->index(0, 0));
    QTest::keyClick(grid, Qt::Key_0);
    EXPECT_TRUE(window.stepText(0).endsWith("1 unlabelled")) << window.stepText(0).toStdString();

    auto* model = window.findChild<ui::ModelPage*>();
    model->diagram()->setFrozen({"stage1", "stage2"});
    EXPECT_TRUE(window.stepText(1).endsWith("2 blocks frozen")) << window.stepText(1).toStdString();

    auto* page = window.findChild<ui::TrainPage*>();
    window.findChild<QSpinBox*>("epochs")->setValue(1);
    QStringList notified;
    window.setNotifier([&](const QString& summary, const QString& body) {
        notified << summary + ": " + body;
        return true;
    });
    QSignalSpy finished(page->job(), &ui::JobController::finished);
    window.findChild<QPushButton*>("startTraining")->click();
    EXPECT_TRUE(window.stepText(2).contains("training · ")) << window.stepText(2).toStdString();
    // The job indicator follows the run from another page and leads back to it.
    window.showPage(0);
    auto* indicator = window.findChild<QPushButton*>("jobIndicator");
    ASSERT_NE(indicator, nullptr);
    EXPECT_FALSE(indicator->isHidden());
    EXPECT_TRUE(indicator->text().startsWith("Training: ")) << indicator->text().toStdString();
    indicator->click();
    EXPECT_EQ(window.currentPage(), page);
    ASSERT_TRUE(finished.wait(120'000));
    QTest::qWait(50);
    EXPECT_TRUE(indicator->isHidden()) << "gone once the run ends";
    ASSERT_EQ(notified.size(), 1) << "the window was not active: the desktop is told";
    EXPECT_TRUE(notified.front().contains("Run 1: finished")) << notified.front().toStdString();
    EXPECT_TRUE(window.stepText(2).endsWith("1 run finished")) << window.stepText(2).toStdString();
    EXPECT_TRUE(window.stepText(4).endsWith("ready")) << window.stepText(4).toStdString();
}

TEST_F(MainWindowTest, TheDemoProjectIsCreatedInTheBackgroundAndOpensOnTrainWithItsExperimentReady) {
    testing::TempDir dir;
    testing::writeDigitsSheet(dir / "digits.png");
    const auto project = dir / "demo" / "demo.graft";
    ui::MainWindow window;
    ASSERT_TRUE(window.openDemoProject(QString::fromStdString(project.string()), QString::fromStdString((dir / "digits.png").string())));
    auto* train = window.findChild<ui::TrainPage*>();
    ASSERT_TRUE(QTest::qWaitFor([&] { return window.currentPage() == train; }, 120'000)) << "the window moves to Train";
    EXPECT_TRUE(std::filesystem::exists(project));
    EXPECT_TRUE(window.windowTitle().contains("demo.graft")) << window.windowTitle().toStdString();
    auto* run = window.findChild<QPushButton*>("continueExperiment");
    EXPECT_FALSE(run->isHidden());
    EXPECT_TRUE(run->isEnabled());
    EXPECT_TRUE(run->text().startsWith("Run experiment 1, Digits")) << run->text().toStdString();
    EXPECT_TRUE(run->text().endsWith("(60 trials)")) << "3 arms x 10 seeds x 2 budgets: " << run->text().toStdString();

    // A second time the file is there: it opens at once, without a job.
    ui::MainWindow again;
    ASSERT_TRUE(again.openDemoProject(QString::fromStdString(project.string()), "/nonexistent/digits.png"));
    EXPECT_EQ(again.currentPage(), again.findChild<ui::TrainPage*>());
}

TEST_F(MainWindowTest, WithoutTheDigitsSheetTheDemoNamesThePackageAndCreatesNothing) {
    testing::TempDir dir;
    const auto project = dir / "demo.graft";
    ui::MainWindow window;
    ASSERT_TRUE(window.openDemoProject(QString::fromStdString(project.string()), QString::fromStdString((dir / "digits.png").string())));
    QMessageBox* notice = nullptr;
    ASSERT_TRUE(QTest::qWaitFor([&] { return (notice = window.findChild<QMessageBox*>("demoError")) != nullptr; }, 30'000));
    EXPECT_TRUE(notice->text().contains("digits.png")) << notice->text().toStdString();
    EXPECT_TRUE(notice->text().contains("opencv-doc")) << notice->text().toStdString();
    EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "no project, no temporary file";
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

// Preferences outlive the window: a cap of one thread, a CPU device and an input memory budget
// that the next run records, a thumbnail cache size, and a dark palette that the charts follow too.
TEST_F(MainWindowTest, PreferencesPersistAndApplyToTheNextRunTheGridAndThePalette) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 10);
    {
        ui::MainWindow window;
        auto* dialog = window.showPreferences();
        dialog->findChild<QComboBox*>("device")->setCurrentText("gpu");
        dialog->accept();
        EXPECT_TRUE(dialog->isVisible()) << "an unknown device is refused";
        EXPECT_TRUE(dialog->findChild<QLabel*>("preferencesError")->text().contains("'gpu'"));
        dialog->findChild<QComboBox*>("device")->setCurrentText("cpu");
        dialog->findChild<QSpinBox*>("threads")->setValue(1);
        dialog->findChild<QSpinBox*>("thumbnailCache")->setValue(64);
        dialog->findChild<QSpinBox*>("inputMemory")->setValue(96);
        auto* theme = dialog->findChild<QComboBox*>("theme");
        theme->setCurrentIndex(theme->findData("dark"));
        dialog->accept();
    }
    ui::MainWindow window; // a new window reads them back
    EXPECT_EQ(cpuThreadLimit(), 1);
    EXPECT_EQ(window.findChild<ui::DataPage*>()->gridModel()->thumbnailCacheMegabytes(), 64);
    EXPECT_LT(QApplication::palette().color(QPalette::Window).lightness(), 80);
    EXPECT_GT(QApplication::palette().color(QPalette::WindowText).lightness(), 180);
    auto* plot = window.findChild<QWidget*>("lossPlot");
    ASSERT_NE(plot, nullptr);
    plot->resize(300, 200);
    EXPECT_LT(plot->grab().toImage().pixelColor(2, 2).lightness(), 80) << "the chart is not left white";
    auto* map = window.findChild<QCustomPlot*>("dataMap");
    ASSERT_NE(map, nullptr);
    auto* mapTitle = qobject_cast<QCPTextElement*>(map->plotLayout()->element(0, 0));
    ASSERT_NE(mapTitle, nullptr);
    EXPECT_GT(mapTitle->textColor().lightness(), 180) << "the map's title is light on the dark chart";

    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    window.findChild<QSpinBox*>("epochs")->setValue(1);
    auto* page = window.findChild<ui::TrainPage*>();
    QSignalSpy finished(page->job(), &ui::JobController::finished);
    window.findChild<QPushButton*>("startTraining")->click();
    ASSERT_TRUE(finished.wait(60'000));
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const auto recorded = RunSpec::fromJson(RunStore(db).run(finished.front().at(0).toLongLong()).configJson).config;
    EXPECT_EQ(recorded.device, "cpu");
    EXPECT_EQ(recorded.inputMemoryBudgetBytes, std::int64_t(96) << 20);

    ui::Preferences{}.save(); // the next test starts from the defaults
    window.applyPreferences(ui::Preferences{});
    ui::applyTheme("system");
    EXPECT_EQ(cpuThreadLimit(), 0);
    EXPECT_GT(QApplication::palette().color(QPalette::Window).lightness(), 150) << "back to the light palette";
}

} // namespace
} // namespace graft
