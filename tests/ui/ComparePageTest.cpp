#include "ComparePage.h"
#include "ConfusionMatrixPlot.h"
#include "ExplanationView.h"
#include "JobController.h"
#include "MainWindow.h"
#include "ReliabilityPlot.h"
#include "RunErrorsView.h"

#include "experiment/ExperimentComparison.h"
#include "explain/RunExplanation.h"
#include "experiment/ExperimentRunner.h"
#include "experiment/ExperimentSpec.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"
#include "train/RunEvaluation.h"

#include "ScriptModule.h"
#include "ShapesProject.h"
#include "TempDir.h"
#include "TwoDomainShapes.h"
#include "TwoTaskShapes.h"
#include "TestApplication.h"

#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace graft {
namespace {

class ComparePageTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { testing::ensureTestApplication(); }
};

std::set<std::string> errorImages(const RunEvaluationResult& evaluation) {
    std::set<std::string> images;
    for (const auto& error : evaluation.misclassified) images.insert(error.image);
    return images;
}

std::set<std::string> listedImages(const QListWidget* list) {
    std::set<std::string> images;
    for (int row = 0; row < list->count(); ++row) images.insert(list->item(row)->data(Qt::UserRole).toString().toStdString());
    return images;
}

// A trial evaluated on the page shows the confusion matrix and the mistakes an independent
// evaluation of its run finds, beside those of the baseline trained with the same seed and labels.
TEST_F(ComparePageTest, ATrialShowsItsConfusionMatrixAndErrorsBesideTheBaselineWithTheSameSeed) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 20);
    std::int64_t experimentId = 0;
    {
        Database db = openProject(project);
        // Two labels per class and one epoch: both arms make mistakes to browse.
        const std::string spec = R"({"name": "few", "seeds": [5], "budgets": [2], "arms": [
            {"name": "wide", "train": {"epochs": 1, "batchSize": 8}},
            {"name": "scratch", "train": {"epochs": 1, "batchSize": 8, "learningRate": 0.01}}]})";
        experimentId = ExperimentStore(db).create("few", ExperimentSpec::fromJson(spec).toJson());
    }
    ExperimentObserver quiet;
    ASSERT_EQ(runExperiment(project, experimentId, quiet, {}).trained, 2);

    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    auto* page = window.findChild<ui::ComparePage*>();
    auto* trials = page->findChild<QComboBox*>("trialChoice");
    ASSERT_EQ(trials->count(), 1) << "one trial of the arm compared with the baseline";
    QSignalSpy finished(page->inspectionJob(), &ui::JobController::finished);
    QSignalSpy explained(page->explanationJob(), &ui::JobController::finished);
    auto* tabs = page->findChild<QTabWidget*>();
    ASSERT_EQ(tabs->tabText(1), "Errors and confusion");
    tabs->setCurrentIndex(1);
    ASSERT_EQ(trials->currentIndex(), 0) << "opening the tab shows the first trial";
    ASSERT_TRUE(finished.wait(60'000));
    ASSERT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();

    Database db = openProject(project, ProjectAccess::ReadOnly);
    RunStore runs(db);
    ProjectStore store(db);
    const Split heldOut = heldOutSplit(store);
    const std::pair<const ui::RunErrorsView*, std::string> sides[] = {{page->armErrors(), "wide"},
                                                                      {page->baselineErrors(), "scratch"}};
    for (const auto& [view, arm] : sides) {
        const auto runId = runs.trialRun(experimentId, arm, 5, 2);
        ASSERT_TRUE(runId.has_value()) << arm;
        const auto evaluation = evaluateRun(project, *runId, heldOut);
        EXPECT_TRUE(view->heading().contains(QString::fromStdString(arm))) << view->heading().toStdString();
        EXPECT_TRUE(view->heading().contains("seed 5")) << view->heading().toStdString();
        EXPECT_EQ(view->matrix()->shownCounts(), evaluation.report.confusion) << arm;
        EXPECT_EQ(listedImages(view->errors()), errorImages(evaluation)) << arm;
        ASSERT_FALSE(evaluation.misclassified.empty()) << arm << " made no mistake to browse";
        const auto tip = view->errors()->item(0)->toolTip();
        EXPECT_TRUE(tip.contains("with probability")) << tip.toStdString();
        EXPECT_EQ(view->reliability()->title(), QString("ECE %1").arg(evaluation.reliability.ece, 0, 'f', 3)) << arm;
        EXPECT_TRUE(view->heading().contains(QString("ECE %1").arg(evaluation.reliability.ece, 0, 'f', 3)));
        std::size_t filledBins = 0;
        for (const auto& bin : evaluation.reliability.bins) filledBins += bin.count > 0 ? 1 : 0;
        EXPECT_EQ(view->reliability()->shownBars().size(), filledBins) << arm;
    }

    // The surest mistake is chosen at once: both models' heat maps and top classes for that image.
    auto* armList = page->armErrors()->errors();
    EXPECT_EQ(armList->currentRow(), 0);
    if (explained.isEmpty()) {
        ASSERT_TRUE(explained.wait(60'000));
    }
    ASSERT_TRUE(explained.front().at(1).toBool()) << explained.front().at(2).toString().toStdString();
    QTest::qWait(50);
    const auto chosen = armList->item(0)->data(Qt::UserRole).toString().toStdString();
    const std::vector<std::int64_t> pair = {*runs.trialRun(experimentId, "wide", 5, 2), *runs.trialRun(experimentId, "scratch", 5, 2)};
    const auto expected = explainWithRuns(project, pair, store.imageBytes(chosen), 3);
    ASSERT_EQ(page->explanation()->panelCount(), 2);
    for (int panel = 0; panel < 2; ++panel) {
        const auto text = page->explanation()->panelText(panel);
        const auto& top = expected[std::size_t(panel)].top.front();
        EXPECT_TRUE(text.contains(QString("%1: %2 %").arg(QString::fromStdString(top.label)).arg(100 * top.probability, 0, 'f', 1)))
            << text.toStdString();
        EXPECT_FALSE(page->explanation()->panelImage(panel).isNull());
    }
    EXPECT_TRUE(page->explanation()->panelText(1).contains("baseline")) << page->explanation()->panelText(1).toStdString();
    window.resize(1280, 900);
    for (int index = 0; index < window.pageCount(); ++index)
        if (window.pageName(index) == "compare") window.showPage(index);
    page->findChild<QTabWidget*>()->setCurrentIndex(1);
    testing::saveScreenshotIfAsked(window, "compare-heat-maps");

    // Reopened while a trial is being evaluated: the evaluation's result belongs to the old list.
    finished.clear();
    page->inspectTrial(0);
    page->setProject(QString::fromStdString(project.string()));
    ASSERT_TRUE(finished.wait(60'000));
    QTest::qWait(50);
    EXPECT_TRUE(page->armErrors()->heading().startsWith("Choose a trial")) << page->armErrors()->heading().toStdString();
    EXPECT_EQ(page->armErrors()->errors()->count(), 0);
}

// The chart draws each arm's mean at every budget with its 95 % interval as a bar, the numbers
// compareExperiment computes; the table shows every row, wrapped cells whole, without scrolling.
TEST_F(ComparePageTest, EachBudgetsMeanCarriesItsIntervalAndEveryRowIsInView) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 20);
    std::int64_t experimentId = 0;
    {
        Database db = openProject(project);
        const std::string spec = R"({"name": "three arms", "seeds": [1, 2], "budgets": [4, 2], "arms": [
            {"name": "wide", "train": {"epochs": 1, "batchSize": 8}},
            {"name": "scratch", "train": {"epochs": 1, "batchSize": 8, "learningRate": 0.01}},
            {"name": "slow", "train": {"epochs": 1, "batchSize": 8, "learningRate": 0.0001}}]})";
        experimentId = ExperimentStore(db).create("three arms", ExperimentSpec::fromJson(spec).toJson());
    }
    ExperimentObserver quiet;
    ASSERT_EQ(runExperiment(project, experimentId, quiet, {}).trained, 12);

    ui::ComparePage page;
    page.resize(1080, 560); // a laptop's window: left alone, the splitter gives the table 4 rows
    page.setProject(QString::fromStdString(project.string()));
    page.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&page));
    QCoreApplication::processEvents();

    const auto comparison = compareExperiment(project, experimentId);
    double widestInterval = 0;
    for (const std::string arm : {"wide", "scratch", "slow"}) {
        const auto shown = page.labelEfficiencyPoints(QString::fromStdString(arm));
        ASSERT_EQ(shown.size(), 2u) << arm;
        EXPECT_LT(shown[0].labelsPerClass, shown[1].labelsPerClass) << "drawn in budget order";
        for (const auto& point : shown) {
            const auto result = std::ranges::find_if(comparison.results, [&](const ArmBudgetResult& candidate) {
                return candidate.arm == arm && candidate.budget == int(point.labelsPerClass);
            });
            ASSERT_NE(result, comparison.results.end()) << arm << " at " << point.labelsPerClass;
            EXPECT_DOUBLE_EQ(point.mean, result->score->mean) << arm;
            EXPECT_NEAR(point.low, result->score->low, 1e-12) << arm;
            EXPECT_NEAR(point.high, result->score->high, 1e-12) << arm;
            widestInterval = std::max(widestInterval, point.high - point.low);
        }
    }
    ASSERT_GT(widestInterval, 0) << "the seeds agreed everywhere, so no bar was put to the test";

    auto* table = page.findChild<QTableWidget*>("comparisonTable");
    ASSERT_EQ(table->rowCount(), 6);
    EXPECT_EQ(table->verticalScrollBar()->maximum(), 0) << "a row is hidden below the table's edge";
    for (int row = 0; row < table->rowCount(); ++row) {
        const int shownHeight = table->rowHeight(row);
        table->resizeRowToContents(row); // the height its cells' text needs
        EXPECT_GE(shownHeight, table->rowHeight(row)) << "row " << row << " cuts its cells' text";
    }
}

// A multi-task arm's tasks each get a row, with the verdict against the arm that learns the task alone.
TEST_F(ComparePageTest, EachTaskOfAMultiTaskArmHasARowWithItsVerdictAgainstTheTaskAlone) {
    testing::TempDir dir;
    const auto project = dir / "shapes.graft";
    testing::createTwoTaskShapesProject(project, 10);
    std::int64_t experimentId = 0;
    {
        Database db = openProject(project);
        const std::string spec = R"({"name": "tasks", "seeds": [1, 2], "budgets": ["all"], "baseline": "class alone", "arms": [
            {"name": "class alone", "train": {"epochs": 1, "batchSize": 8, "tasks": "class"}},
            {"name": "corners alone", "train": {"epochs": 1, "batchSize": 8, "tasks": "corners"}},
            {"name": "both", "train": {"epochs": 1, "batchSize": 8, "tasks": "class,corners"}}]})";
        experimentId = ExperimentStore(db).create("tasks", ExperimentSpec::fromJson(spec).toJson());
    }
    ExperimentObserver quiet;
    ASSERT_EQ(runExperiment(project, experimentId, quiet, {}).trained, 6);

    ui::ComparePage page;
    page.setProject(QString::fromStdString(project.string()));
    auto* table = page.findChild<QTableWidget*>("comparisonTable");
    ASSERT_EQ(table->rowCount(), 5) << "three arms, then a row per task of the multi-task arm";
    const auto comparison = compareExperiment(project, experimentId);
    for (int row = 3; row < 5; ++row) {
        const auto& task = comparison.tasks[std::size_t(row - 3)];
        EXPECT_EQ(table->item(row, 0)->text().toStdString(), "both · task " + task.task);
        ASSERT_TRUE(task.shared[0].versusAlone);
        EXPECT_EQ(table->item(row, 6)->text().toStdString(), sharingVerdictText(task.shared[0].versusAlone->verdict, task.task));
        EXPECT_EQ(table->item(row, 8)->text().toStdString(), "against " + task.task + " alone");
    }
}

// Without target labels, which weights an adapted arm kept is a choice the page must state.
TEST_F(ComparePageTest, ArmsThatNameDomainsSayHowTheirWeightsWereChosenAndWhatJudgedThem) {
    testing::TempDir dir;
    const auto project = testing::createTwoDomainShapesProject(dir / "shapes.graft", dir.path(), 6);
    {
        Database db = openProject(project);
        const std::string spec = R"({"name": "adapted", "seeds": 1, "baseline": "source only", "arms": [
            {"name": "source only", "train": {"trainingDomains": "plain", "targetDomain": "inverted"}},
            {"name": "DANN", "train": {"trainingDomains": "plain", "targetDomain": "inverted", "domainAdaptation": "dann"}}]})";
        ExperimentStore(db).create("adapted", ExperimentSpec::fromJson(spec).toJson());
    }
    ui::ComparePage page;
    page.setProject(QString::fromStdString(project.string()));
    const auto* note = page.findChild<QLabel*>("comparisonNote");
    ASSERT_TRUE(note);
    EXPECT_TRUE(note->text().contains("DANN kept the best validation loss on the")) << note->text().toStdString();
    EXPECT_TRUE(note->text().contains("validation images of plain; judged on the held-out images of inverted"))
        << note->text().toStdString();
}

TEST_F(ComparePageTest, RankingScoresEveryCachedBackboneIntoTheTable) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 20);
    const auto cache = dir / "cache";
    testing::importPixelsAndNoiseBackbones(dir.path(), cache);
    setenv("GRAFT_CACHE_DIR", cache.c_str(), 1);

    ui::ComparePage page;
    page.setProject(QString::fromStdString(project.string()));
    QSignalSpy finished(page.rankingJob(), &ui::JobController::finished);
    page.findChild<QPushButton*>("rankBackbones")->click();
    ASSERT_TRUE(finished.wait(120'000));
    unsetenv("GRAFT_CACHE_DIR");
    ASSERT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
    const auto* table = page.findChild<QTableWidget*>("rankingTable");
    ASSERT_EQ(table->rowCount(), 2);
    EXPECT_EQ(table->item(0, 0)->text(), "pixels") << "pixels carry the shapes; noise does not";
    EXPECT_EQ(table->item(1, 0)->text(), "noise");
    EXPECT_GT(table->item(0, 2)->text().toDouble(), table->item(1, 2)->text().toDouble()) << "ranked by LogME";
    EXPECT_EQ(table->item(0, 3)->text(), "–") << "a feature extractor has no LEEP";
}

TEST_F(ComparePageTest, RankingWithAnEmptyCacheSaysWhereItLookedAndWhatToDo) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 5);
    setenv("GRAFT_CACHE_DIR", (dir / "empty").c_str(), 1);
    ui::ComparePage page;
    page.setProject(QString::fromStdString(project.string()));
    QSignalSpy finished(page.rankingJob(), &ui::JobController::finished);
    page.rankBackbones();
    ASSERT_TRUE(finished.wait(30'000));
    unsetenv("GRAFT_CACHE_DIR");
    EXPECT_FALSE(finished.front().at(1).toBool());
    const auto message = finished.front().at(2).toString();
    EXPECT_TRUE(message.contains((dir / "empty").c_str())) << message.toStdString();
    EXPECT_TRUE(message.contains("Model page")) << message.toStdString();
}

} // namespace
} // namespace graft
