#include "ComparePage.h"
#include "MainWindow.h"
#include "MetricChart.h"
#include "TrainPage.h"
#include "JobController.h"

#include "experiment/ComparisonReport.h"
#include "experiment/EpochCurves.h"
#include "experiment/ExperimentRunner.h"
#include "experiment/ExperimentSpec.h"
#include "experiment/TransferVerdict.h"
#include "data/ProjectSplits.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "train/RunSpec.h"
#include "train/SelfSupervisedPretraining.h"

#include "ShapesProject.h"
#include "TempDir.h"
#include "TwoDomainShapes.h"
#include "TwoTaskShapes.h"
#include "TestApplication.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTest>
#include <gtest/gtest.h>

#include <algorithm>
#include <semaphore>
#include <stop_token>
#include <thread>
#include <utility>

namespace graft {
namespace {

class TrainPageTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { testing::ensureTestApplication(); }
};

TEST_F(TrainPageTest, ARunTrainsLiveAndReopeningTheProjectRedrawsTheSamePointsFromTheFile) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 20);
    std::vector<std::pair<double, double>> live;
    qint64 runId = 0;
    {
        ui::MainWindow window;
        QString error;
        ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
        auto* page = window.findChild<ui::TrainPage*>();
        ASSERT_NE(page, nullptr);
        window.findChild<QSpinBox*>("epochs")->setValue(2);
        window.findChild<QSpinBox*>("batchSize")->setValue(16);
        QSignalSpy steps(page->job(), &ui::JobController::stepDone);
        QSignalSpy finished(page->job(), &ui::JobController::finished);
        window.findChild<QPushButton*>("startTraining")->click();
        EXPECT_FALSE(window.findChild<QPushButton*>("startTraining")->isEnabled()) << "one run at a time";
        ASSERT_TRUE(finished.wait(120'000)) << "the run did not finish";
        runId = finished.front().at(0).toLongLong();
        ASSERT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
        ASSERT_GT(steps.size(), 2);
        for (const auto& step : steps) live.emplace_back(double(step.at(0).toLongLong()), step.at(3).toDouble());
        EXPECT_EQ(page->runCount(), 1);
    }
    // The file holds what was streamed.
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const auto recorded = RunStore(db).metric(runId, "loss");
    ASSERT_EQ(recorded.size(), live.size());
    for (std::size_t i = 0; i < live.size(); ++i) EXPECT_EQ(recorded[i].value, live[i].second) << "step " << live[i].first;

    ui::MainWindow reopened;
    QString error;
    ASSERT_TRUE(reopened.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    auto* runs = reopened.findChild<QTableWidget*>("runTable");
    ASSERT_EQ(runs->rowCount(), 1);
    runs->setCurrentCell(0, 0);
    auto* chart = reopened.findChild<ui::TrainPage*>()->chart();
    EXPECT_EQ(chart->lossPoints(), live);
    EXPECT_EQ(chart->accuracyPoints().size(), 2u) << "one validation point per epoch";
    using Panel = ui::MetricChart::Panel;
    const std::pair<Panel, const char*> epochCurves[] = {{Panel::Loss, "train_loss"}, {Panel::Loss, "val_loss"},
                                                         {Panel::Accuracy, "train_accuracy"}, {Panel::Accuracy, "val_accuracy"}};
    const QString names[] = {"training loss", "validation loss", "training accuracy", "validation accuracy"};
    for (std::size_t i = 0; i < std::size(epochCurves); ++i) {
        std::vector<std::pair<double, double>> expected;
        for (const auto& point : RunStore(db).metric(runId, epochCurves[i].second)) expected.emplace_back(double(point.step), point.value);
        EXPECT_EQ(expected.size(), 2u);
        EXPECT_EQ(chart->points(epochCurves[i].first, names[i]), expected) << epochCurves[i].second;
    }
}

// Experiment "two": arms "wide" and "scratch", one seed, every image, 2 epochs each.
std::int64_t createTwoArmExperiment(const std::filesystem::path& project) {
    Database db = openProject(project);
    const std::string spec = R"({"name": "two", "seeds": 1, "budgets": ["all"], "arms": [
        {"name": "wide", "train": {"epochs": 2, "batchSize": 8}},
        {"name": "scratch", "train": {"epochs": 2, "batchSize": 8}}]})";
    return ExperimentStore(db).create("two", ExperimentSpec::fromJson(spec).toJson());
}

// An experiment another process trains: opening the project shows its arms, follows the epochs
// as they are recorded, and stops following once the trials are done.
TEST_F(TrainPageTest, OpeningAProjectWhileAnExperimentTrainsFollowsItsArmsToTheEnd) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 12);
    const std::int64_t experimentId = createTwoArmExperiment(project);
    // Holds the first trial at its first step until the window is open.
    class HeldAtFirstStep : public ExperimentObserver {
    public:
        void onStep(const StepEvent&) override {
            if (std::exchange(first_, false)) {
                reached.release();
                proceed.acquire();
            }
        }
        std::binary_semaphore reached{0}, proceed{0};

    private:
        bool first_ = true;
    } observer;
    std::jthread otherProcess([&] { runExperiment(project, experimentId, observer, {}); });
    observer.reached.acquire();

    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    auto* page = window.findChild<ui::TrainPage*>();
    EXPECT_GT(page->followedRun(), 0) << "the running trial is followed";
    EXPECT_TRUE(page->chart()->title().startsWith(QString("Experiment %1").arg(experimentId))) << page->chart()->title().toStdString();
    observer.proceed.release();
    otherProcess.join();
    EXPECT_TRUE(QTest::qWaitFor([&] { return page->followedRun() == 0; }, 20'000)) << "following ends with the experiment";

    using Panel = ui::MetricChart::Panel;
    const auto* chart = page->chart();
    EXPECT_EQ(chart->legend(Panel::Accuracy), QStringList({"wide", "scratch"})) << "the baseline is drawn last, over the arms";
    Database db = openProject(project, ProjectAccess::ReadOnly);
    for (const auto& curve : graft::epochCurves(db, experimentId, 0, "val_accuracy")) {
        const QString arm = QString::fromStdString(curve.arm);
        ASSERT_EQ(curve.points.size(), 2u) << curve.arm;
        std::vector<std::pair<double, double>> mean, low, high;
        for (const auto& point : curve.points) {
            mean.emplace_back(double(point.epoch), point.mean);
            low.emplace_back(double(point.epoch), point.low);
            high.emplace_back(double(point.epoch), point.high);
        }
        EXPECT_EQ(chart->points(Panel::Accuracy, arm), mean) << curve.arm;
        EXPECT_EQ(chart->points(Panel::Accuracy, arm + " low"), low) << curve.arm;
        EXPECT_EQ(chart->points(Panel::Accuracy, arm + " high"), high) << curve.arm;
    }
}

// The demo's trials hold no images out for validation: the chart follows their training loss and
// accuracy instead of staying empty, says so, and the run table still counts their epochs.
TEST_F(TrainPageTest, AnExperimentWithoutValidationImagesIsChartedByItsTrainingFigures) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 12);
    {
        Database db = openProject(project);
        ProjectStore store(db);
        auto assignments = currentSplits(store);
        for (auto& assignment : assignments)
            if (assignment.split == Split::Val) assignment.split = Split::Test;
        restoreSplits(store, readSplitPolicy(store), assignments);
    }
    const std::int64_t experimentId = createTwoArmExperiment(project);
    ExperimentObserver quiet;
    ASSERT_EQ(runExperiment(project, experimentId, quiet, {}).trained, 2);

    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    using Panel = ui::MetricChart::Panel;
    const auto* chart = window.findChild<ui::TrainPage*>()->chart();
    EXPECT_TRUE(chart->title().contains("training figures")) << chart->title().toStdString();
    EXPECT_EQ(chart->valueAxisLabel(Panel::Loss), "training loss");
    EXPECT_EQ(chart->valueAxisLabel(Panel::Accuracy), "training accuracy");
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const auto accuracies = graft::epochCurves(db, experimentId, 0, "train_accuracy");
    ASSERT_EQ(accuracies.size(), 2u);
    for (const auto& curve : accuracies) {
        ASSERT_EQ(curve.points.size(), 2u) << curve.arm;
        std::vector<std::pair<double, double>> mean;
        for (const auto& point : curve.points) mean.emplace_back(double(point.epoch), point.mean);
        EXPECT_EQ(chart->points(Panel::Accuracy, QString::fromStdString(curve.arm)), mean) << curve.arm;
    }
    const auto* runs = window.findChild<QTableWidget*>("runTable");
    ASSERT_EQ(runs->rowCount(), 2);
    for (int row = 0; row < runs->rowCount(); ++row) {
        EXPECT_EQ(runs->item(row, 5)->text(), "2") << "epochs trained";
        EXPECT_EQ(runs->item(row, 6)->text(), "–") << "nothing validated";
    }
}

TEST_F(TrainPageTest, AStoppedExperimentContinuesFromItsButtonWithOnlyTheTrialsLeft) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 12);
    const std::int64_t experimentId = createTwoArmExperiment(project);
    // Stopped once its first trial has finished, as Ctrl+C or a closed window would.
    class StopAfterFirstTrial : public ExperimentObserver {
    public:
        void onProgress(const ExperimentProgress& progress) override {
            if (progress.runsDone == 1) stop.request_stop();
        }
        std::stop_source stop;
    } observer;
    ASSERT_TRUE(runExperiment(project, experimentId, observer, observer.stop.get_token()).cancelled);

    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    auto* page = window.findChild<ui::TrainPage*>();
    auto* button = window.findChild<QPushButton*>("continueExperiment");
    ASSERT_FALSE(button->isHidden());
    EXPECT_EQ(button->text(), QString("Continue experiment %1, two (1 of 2 trials left)").arg(experimentId));
    QSignalSpy finished(page->job(), &ui::JobController::finished);
    button->click();
    ASSERT_TRUE(finished.wait(120'000)) << "the experiment did not finish";
    ASSERT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();

    Database db = openProject(project, ProjectAccess::ReadOnly);
    const auto state = experimentState(db, experimentId);
    EXPECT_EQ(state.finished, 2);
    const auto runs = RunStore(db).runs();
    EXPECT_EQ(std::count_if(runs.begin(), runs.end(), [&](const RunRecord& run) { return run.experimentId == experimentId; }), 2)
        << "one run per trial: the finished one is not trained again";
    EXPECT_TRUE(button->isHidden()) << "nothing is left to continue";
    EXPECT_EQ(window.currentPage(), window.findChild<ui::ComparePage*>());
}

TEST_F(TrainPageTest, PauseKeepsTheStepsAndResumeFinishesTheSameRun) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 20);
    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    auto* page = window.findChild<ui::TrainPage*>();
    window.findChild<QSpinBox*>("epochs")->setValue(3);
    window.findChild<QSpinBox*>("batchSize")->setValue(16);
    auto* pause = window.findChild<QPushButton*>("pauseTraining");
    auto* resume = window.findChild<QPushButton*>("resumeTraining");
    QObject::connect(page->job(), &ui::JobController::stepDone, pause, [pause](qint64 step) {
        if (step == 3 && pause->isEnabled()) pause->click();
    });
    QSignalSpy finished(page->job(), &ui::JobController::finished);
    window.findChild<QPushButton*>("startTraining")->click();
    ASSERT_TRUE(finished.wait(120'000));
    EXPECT_FALSE(finished.front().at(1).toBool()) << "paused, not finished";
    auto* runs = window.findChild<QTableWidget*>("runTable");
    ASSERT_EQ(runs->rowCount(), 1);
    EXPECT_EQ(runs->item(0, 4)->text(), "cancelled");
    ASSERT_TRUE(resume->isEnabled());

    QSignalSpy steps(page->job(), &ui::JobController::stepDone);
    QSignalSpy status(page, &ui::TrainPage::status);
    finished.clear();
    resume->click();
    ASSERT_TRUE(finished.wait(120'000));
    ASSERT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
    EXPECT_EQ(runs->item(0, 4)->text(), "finished");
    EXPECT_FALSE(resume->isEnabled());
    ASSERT_FALSE(steps.isEmpty());
    const auto firstResumed = steps.front().at(0).toLongLong();
    EXPECT_GE(firstResumed, 4) << "no step before the pause is repeated";
    ASSERT_GE(status.size(), 2);
    const auto progress = status.at(status.size() - 2).front().toString(); // the last step's, before the end
    EXPECT_TRUE(progress.contains("of 3,")) << "the resumed run's own epochs: " << progress.toStdString();
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const auto losses = RunStore(db).metric(finished.front().at(0).toLongLong(), "loss");
    EXPECT_EQ(qint64(losses.size()), steps.back().at(0).toLongLong()) << "one loss per step, none lost or doubled";
    EXPECT_EQ(page->chart()->lossPoints().size(), losses.size()) << "the chart continues the paused curve";
}

TEST_F(TrainPageTest, AnExperimentFromThePageEndsOnCompareWithTheVerdictsOfItsTrials) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 20);
    TrainingRequest pretraining;
    pretraining.project = project;
    pretraining.config.epochs = 2;
    pretraining.config.batchSize = 16;
    pretraining.saveWeightsTo = dir / "pretrained.pt";
    TrainObserver quiet;
    ASSERT_EQ(runTraining(pretraining, quiet, {}).status, RunStatus::Finished);

    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    auto* page = window.findChild<ui::TrainPage*>();
    window.findChild<QLineEdit*>("initialWeights")->setText(QString::fromStdString((dir / "pretrained.pt").string()));
    window.findChild<QSpinBox*>("epochs")->setValue(2);
    window.findChild<QSpinBox*>("batchSize")->setValue(16);
    window.findChild<QSpinBox*>("seeds")->setValue(2);
    window.findChild<QSpinBox*>("scratchEpochs")->setValue(2);
    window.findChild<QLineEdit*>("budgets")->setText("4, all");
    QSignalSpy finished(page->job(), &ui::JobController::finished);
    QSignalSpy trials(page->job(), &ui::JobController::trialsDone);
    window.findChild<QPushButton*>("runExperiment")->click();
    ASSERT_TRUE(finished.wait(300'000)) << "the experiment did not finish";
    ASSERT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
    EXPECT_EQ(trials.back().at(0).toInt(), 8) << "2 arms x 2 seeds x 2 budgets";

    auto* compare = window.findChild<ui::ComparePage*>();
    EXPECT_EQ(window.currentPage(), compare) << "the window moves to Compare";
    auto* table = compare->findChild<QTableWidget*>("comparisonTable");
    const auto comparison = compareExperiment(project, finished.front().at(0).toLongLong());
    ASSERT_EQ(table->rowCount(), int(comparison.results.size()));
    ASSERT_EQ(table->rowCount(), 4);
    int verdicts = 0;
    for (int row = 0; row < table->rowCount(); ++row) {
        const auto& result = comparison.results[std::size_t(row)];
        EXPECT_EQ(table->item(row, 0)->text().toStdString(), result.arm);
        EXPECT_EQ(table->item(row, 2)->text(), "2");
        EXPECT_EQ(table->item(row, 4)->text().toStdString(), calibrationText(result)) << "ECE beside the score";
        if (!result.versusBaseline) continue;
        ++verdicts;
        EXPECT_EQ(table->item(row, 6)->text().toStdString(), verdictText(result.versusBaseline->verdict));
        EXPECT_EQ(table->item(row, 5)->text().toStdString(), deltaText(result));
    }
    EXPECT_EQ(verdicts, 2) << "transfer against scratch at both budgets";

    // The Train page shows the arms of the last budget run, a mean and a band across the 2 seeds.
    using Panel = ui::MetricChart::Panel;
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const auto accuracies = graft::epochCurves(db, finished.front().at(0).toLongLong(), 0, "val_accuracy");
    ASSERT_EQ(accuracies.size(), 2u);
    EXPECT_EQ(page->chart()->legend(Panel::Accuracy), QStringList({"transfer", "scratch"}));
    for (const auto& curve : accuracies) {
        ASSERT_EQ(curve.points.size(), 2u);
        EXPECT_EQ(curve.points.back().seeds, 2);
        const auto high = page->chart()->points(Panel::Accuracy, QString::fromStdString(curve.arm) + " high");
        ASSERT_EQ(high.size(), 2u);
        EXPECT_EQ(high.back().second, curve.points.back().high);
    }
}

TEST_F(TrainPageTest, ALabellingSimulationFromThePageTrainsEveryStrategyRoundAndComparesThemByLabels) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 12);
    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    auto* page = window.findChild<ui::TrainPage*>();
    window.findChild<QLineEdit*>("initialWeights")->setText("scratch");
    window.findChild<QSpinBox*>("epochs")->setValue(1);
    window.findChild<QSpinBox*>("batchSize")->setValue(8);
    window.findChild<QSpinBox*>("seeds")->setValue(1);
    window.findChild<QSpinBox*>("simulationPerRound")->setValue(3);
    window.findChild<QSpinBox*>("simulationRounds")->setValue(2);
    auto* strategies = window.findChild<QLineEdit*>("simulationStrategies");
    strategies->setText("random, typical");
    window.findChild<QPushButton*>("runSimulation")->click();
    EXPECT_FALSE(page->job()->isRunning()) << "typical needs features, and scratch has none worth clustering";
    auto* notice = window.findChild<QMessageBox*>("trainError");
    ASSERT_NE(notice, nullptr);
    EXPECT_TRUE(notice->text().contains("weights file")) << notice->text().toStdString();
    notice->close();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);

    strategies->setText("random, psychic");
    window.findChild<QPushButton*>("runSimulation")->click();
    EXPECT_FALSE(page->job()->isRunning());
    notice = window.findChild<QMessageBox*>("trainError");
    ASSERT_NE(notice, nullptr);
    EXPECT_TRUE(notice->text().contains("psychic")) << notice->text().toStdString();
    notice->close();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    {
        Database db = openProject(project, ProjectAccess::ReadOnly);
        EXPECT_TRUE(ExperimentStore(db).experiments().empty()) << "a refused simulation stores nothing";
    }

    window.findChild<QLineEdit*>("initialWeights")->setText("builtin:tinynet-fmnist");
    strategies->setText("random, typical");
    QSignalSpy finished(page->job(), &ui::JobController::finished);
    QSignalSpy trials(page->job(), &ui::JobController::trialsDone);
    window.findChild<QPushButton*>("runSimulation")->click();
    if (auto* refused = window.findChild<QMessageBox*>("trainError")) FAIL() << refused->text().toStdString();
    ASSERT_TRUE(finished.wait(300'000)) << "the simulation did not finish";
    ASSERT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
    EXPECT_EQ(trials.back().at(0).toInt(), 4) << "2 strategies x 1 seed x 2 rounds";

    Database db = openProject(project, ProjectAccess::ReadOnly);
    const auto spec = ExperimentSpec::fromJson(ExperimentStore(db).experiment(finished.front().at(0).toLongLong()).specJson);
    ASSERT_TRUE(spec.simulation);
    EXPECT_EQ(spec.simulation->strategies, (std::vector<std::string>{"random", "typical"}));
    EXPECT_EQ(spec.simulation->perRound, 3);
    EXPECT_EQ(spec.arms.front().config.epochs, 1) << "the form's settings are the recipe";
    EXPECT_EQ(spec.arms.front().config.init, "builtin:tinynet-fmnist");

    auto* table = window.findChild<ui::ComparePage*>()->findChild<QTableWidget*>("comparisonTable");
    EXPECT_EQ(table->horizontalHeaderItem(1)->text(), "Labels");
    ASSERT_EQ(table->rowCount(), 4);
    EXPECT_EQ(table->item(0, 1)->text(), "3");
    EXPECT_EQ(table->item(3, 1)->text(), "6");
    EXPECT_EQ(table->item(1, 0)->text(), "typical");
}

// The baselines are not held to fine-tuning's settings: scratch takes its own rate and epochs,
// the probe its own rate, and everything else is shared so that only the start differs.
TEST_F(TrainPageTest, AnExperimentGivesScratchAndTheProbeTheirOwnRatesAndScratchItsOwnEpochs) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 5);
    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    window.findChild<QLineEdit*>("initialWeights")->setText("builtin:tinynet-fmnist");
    window.findChild<QSpinBox*>("epochs")->setValue(3);
    window.findChild<QDoubleSpinBox*>("learningRate")->setValue(0.0005);
    window.findChild<QSpinBox*>("scratchEpochs")->setValue(7);
    window.findChild<QDoubleSpinBox*>("scratchLearningRate")->setValue(0.004);
    auto* probeRate = window.findChild<QDoubleSpinBox*>("probeLearningRate");
    EXPECT_FALSE(probeRate->isEnabled()) << "no probe, no probe rate";
    window.findChild<QCheckBox*>("withProbe")->setChecked(true);
    EXPECT_TRUE(probeRate->isEnabled());
    probeRate->setValue(0.02);

    auto* page = window.findChild<ui::TrainPage*>();
    QSignalSpy finished(page->job(), &ui::JobController::finished);
    window.findChild<QPushButton*>("runExperiment")->click();
    page->job()->cancel(); // what is asked for is recorded before the first trial starts
    ASSERT_TRUE(finished.wait(60'000));

    Database db = openProject(project, ProjectAccess::ReadOnly);
    const auto experiments = ExperimentStore(db).experiments();
    ASSERT_EQ(experiments.size(), 1u);
    const auto spec = ExperimentSpec::fromJson(experiments.front().specJson);
    ASSERT_EQ(spec.arms.size(), 3u);
    const auto& transfer = spec.arms[0].config;
    const auto& scratch = spec.arms[1].config;
    const auto& probe = spec.arms[2].config;
    EXPECT_EQ(spec.arms[1].name, "scratch");
    EXPECT_EQ(transfer.learningRate, 0.0005);
    EXPECT_EQ(transfer.epochs, 3);
    EXPECT_EQ(scratch.init, "scratch");
    EXPECT_EQ(scratch.learningRate, 0.004);
    EXPECT_EQ(scratch.epochs, 7);
    EXPECT_EQ(probe.freeze, "probe");
    EXPECT_EQ(probe.learningRate, 0.02);
    EXPECT_EQ(probe.epochs, 3) << "the probe trains as long as fine-tuning";
    EXPECT_EQ(scratch.batchSize, transfer.batchSize);
    EXPECT_EQ(scratch.optimizer, transfer.optimizer);
}

TEST_F(TrainPageTest, TheOptimizerScheduleAugmentationAndInputSizeChosenReachTheRunAndBadOnesAreRefused) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 10);
    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    auto* page = window.findChild<ui::TrainPage*>();
    window.findChild<QSpinBox*>("epochs")->setValue(1);
    auto* optimizer = window.findChild<QComboBox*>("optimizer");
    optimizer->setCurrentIndex(optimizer->findData("sgd"));
    window.findChild<QComboBox*>("schedule")->setCurrentText("constant");
    auto* augment = window.findChild<QComboBox*>("augment");
    augment->setCurrentText("flip:0.5,wobble:3");
    QSignalSpy finished(page->job(), &ui::JobController::finished);
    window.findChild<QPushButton*>("startTraining")->click();
    EXPECT_FALSE(page->job()->isRunning()) << "an unknown augmentation is refused before training";
    auto* notice = window.findChild<QMessageBox*>("trainError");
    ASSERT_NE(notice, nullptr);
    EXPECT_TRUE(notice->text().contains("wobble")) << notice->text().toStdString();
    notice->close();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete); // the next notice is found, not this one

    augment->setCurrentText("flip:0.5");
    auto* inputSize = window.findChild<QSpinBox*>("inputSize");
    inputSize->setValue(20);
    window.findChild<QPushButton*>("startTraining")->click();
    EXPECT_FALSE(page->job()->isRunning()) << "an input size too small for the network is refused";
    notice = window.findChild<QMessageBox*>("trainError");
    ASSERT_NE(notice, nullptr);
    EXPECT_TRUE(notice->text().contains("input size")) << notice->text().toStdString();
    notice->close();

    inputSize->setValue(40);
    window.findChild<QPushButton*>("startTraining")->click();
    ASSERT_TRUE(finished.wait(60'000));
    ASSERT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const auto config = RunSpec::fromJson(RunStore(db).run(finished.front().at(0).toLongLong()).configJson).config;
    EXPECT_EQ(config.optimizer, "sgd");
    EXPECT_EQ(config.schedule, "constant");
    EXPECT_EQ(config.augment, "flip:0.5");
    EXPECT_EQ(config.inputSize, 40);
}

TEST_F(TrainPageTest, WithSeveralTasksARunLearnsTheOneChosenOrAllTogetherWithTheirWeights) {
    testing::TempDir dir;
    const auto project = dir / "shapes.graft";
    ui::MainWindow window;
    QString error;
    {
        const auto single = testing::createShapesProject(dir / "single.graft", 5);
        ASSERT_TRUE(window.openProject(QString::fromStdString(single.string()), &error)) << error.toStdString();
        EXPECT_TRUE(window.findChild<QComboBox*>("tasks")->parentWidget()->isHidden()) << "one task: nothing to choose";
    }
    testing::createTwoTaskShapesProject(project, 10);
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    auto* page = window.findChild<ui::TrainPage*>();
    auto* tasks = window.findChild<QComboBox*>("tasks");
    ASSERT_FALSE(tasks->parentWidget()->isHidden());
    ASSERT_EQ(tasks->count(), 3);
    EXPECT_EQ(tasks->itemText(2), "all 2 together");
    window.findChild<QSpinBox*>("epochs")->setValue(1);
    QSignalSpy finished(page->job(), &ui::JobController::finished);
    const auto runWith = [&](int choice, const QString& weights) {
        tasks->setCurrentIndex(choice);
        window.findChild<QComboBox*>("taskWeights")->setCurrentText(weights);
        finished.clear();
        window.findChild<QPushButton*>("startTraining")->click();
        EXPECT_TRUE(finished.wait(60'000));
        EXPECT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
        Database db = openProject(project, ProjectAccess::ReadOnly);
        return RunSpec::fromJson(RunStore(db).run(finished.front().at(0).toLongLong()).configJson);
    };
    const auto both = runWith(2, "1,0.5");
    EXPECT_EQ(both.config.tasks, "class,corners");
    EXPECT_EQ(both.config.taskWeights, "1,0.5");
    EXPECT_EQ(both.tasks.size(), 2u);
    const auto corners = runWith(1, "equal");
    EXPECT_EQ(corners.config.tasks, "corners");
    EXPECT_TRUE(corners.tasks.empty()) << "one task: an ordinary run";
}

TEST_F(TrainPageTest, FixMatchSettingsReachTheRunItsKeptShareIsChartedAndAnExperimentGainsFixMatchAndSelfSupervisedArms) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 10);
    testing::unlabelHalfTheTrainingImages(project);
    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    auto* page = window.findChild<ui::TrainPage*>();
    window.findChild<QSpinBox*>("epochs")->setValue(2);
    auto* method = window.findChild<QComboBox*>("semiSupervised");
    auto* threshold = window.findChild<QDoubleSpinBox*>("confidenceThreshold");
    EXPECT_FALSE(threshold->isEnabled()) << "no FixMatch, no threshold";
    method->setCurrentIndex(method->findData("fixmatch"));
    EXPECT_TRUE(threshold->isEnabled());
    threshold->setValue(0.5);
    window.findChild<QSpinBox*>("unlabelledRatio")->setValue(2);
    window.findChild<QDoubleSpinBox*>("unlabelledWeight")->setValue(0.5);
    window.findChild<QDoubleSpinBox*>("emaDecay")->setValue(0.9);
    QSignalSpy finished(page->job(), &ui::JobController::finished);
    window.findChild<QPushButton*>("startTraining")->click();
    ASSERT_TRUE(finished.wait(120'000));
    ASSERT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
    const auto runId = finished.front().at(0).toLongLong();
    {
        Database db = openProject(project, ProjectAccess::ReadOnly);
        const auto config = RunSpec::fromJson(RunStore(db).run(runId).configJson).config;
        EXPECT_EQ(config.semiSupervised, "fixmatch");
        EXPECT_EQ(config.confidenceThreshold, 0.5);
        EXPECT_EQ(config.unlabelledRatio, 2);
        EXPECT_EQ(config.unlabelledWeight, 0.5);
        EXPECT_EQ(config.emaDecay, 0.9);
        const auto kept = RunStore(db).metric(runId, "unlabelled_kept_share");
        ASSERT_EQ(kept.size(), 2u);
        const auto charted = window.findChild<ui::MetricChart*>()->points(ui::MetricChart::Panel::Accuracy, "pseudo-labels kept");
        ASSERT_EQ(charted.size(), 2u) << "one point an epoch, beside the accuracies";
        EXPECT_EQ(charted.back().second, kept.back().value);
    }

    SelfSupervisedRequest simSiam;
    simSiam.project = project;
    simSiam.name = "shapes-simsiam";
    simSiam.outputFolder = dir.path();
    simSiam.config.epochs = 1;
    simSiam.config.batchSize = 16;
    TrainObserver quiet;
    const auto selfSupervised = pretrainSelfSupervised(simSiam, quiet, {});
    ASSERT_EQ(selfSupervised.status, RunStatus::Finished);

    method->setCurrentIndex(method->findData("none"));
    window.findChild<QCheckBox*>("withFixMatch")->setChecked(true);
    window.findChild<QLineEdit*>("initialWeights")->setText("builtin:tinynet-fmnist");
    window.findChild<QLineEdit*>("selfSupervisedInit")->setText(QString::fromStdString(selfSupervised.weightsFile.string()));
    QSignalSpy experimentFinished(page->job(), &ui::JobController::finished);
    window.findChild<QPushButton*>("runExperiment")->click();
    page->job()->cancel(); // what is asked for is recorded before the first trial starts
    ASSERT_TRUE(experimentFinished.wait(60'000));
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const auto spec = ExperimentSpec::fromJson(ExperimentStore(db).experiments().front().specJson);
    std::vector<std::string> names;
    for (const auto& arm : spec.arms) names.push_back(arm.name);
    EXPECT_EQ(names, (std::vector<std::string>{"transfer", "scratch", "self-supervised", "transfer + FixMatch", "scratch + FixMatch",
                                               "self-supervised + FixMatch"}));
    ASSERT_EQ(spec.arms.size(), 6u);
    EXPECT_FALSE(spec.arms[0].config.learnsFromUnlabelled());
    EXPECT_EQ(spec.arms[2].config.init, selfSupervised.weightsFile.string());
    EXPECT_EQ(spec.arms[2].config.learningRate, spec.arms[0].config.learningRate) << "fine-tuned as transfer is";
    EXPECT_EQ(spec.arms[3].config.semiSupervised, "fixmatch");
    EXPECT_EQ(spec.arms[3].config.init, "builtin:tinynet-fmnist");
    EXPECT_EQ(spec.arms[4].config.init, "scratch");
    EXPECT_EQ(spec.arms[4].config.unlabelledPool, "beyond-budget");
    EXPECT_EQ(spec.arms[4].config.learningRate, spec.arms[1].config.learningRate) << "scratch + FixMatch keeps scratch's rate";
    EXPECT_EQ(spec.arms[5].config.init, selfSupervised.weightsFile.string());
    EXPECT_EQ(spec.arms[5].config.semiSupervised, "fixmatch");
}

// A run adapted to a domain from the form, and an experiment that twins each arm with the three
// adaptations; without domains the choices are off, without a target domain the twins are refused.
TEST_F(TrainPageTest, DomainsChooseWhatARunTrainsOnAndAdaptsToAndAddAdaptedArms) {
    testing::TempDir dir;
    const auto project = testing::createTwoDomainShapesProject(dir / "shapes.graft", dir.path(), 8);
    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    auto* page = window.findChild<ui::TrainPage*>();
    auto* training = window.findChild<QComboBox*>("trainingDomain");
    auto* target = window.findChild<QComboBox*>("targetDomain");
    auto* adaptation = window.findChild<QComboBox*>("domainAdaptation");
    ASSERT_TRUE(training && target && adaptation);
    ASSERT_TRUE(target->isEnabled());
    training->setCurrentIndex(training->findData("plain"));
    target->setCurrentIndex(target->findData("inverted"));
    adaptation->setCurrentIndex(adaptation->findData("coral"));
    window.findChild<QSpinBox*>("epochs")->setValue(1);
    QSignalSpy finished(page->job(), &ui::JobController::finished);
    window.findChild<QPushButton*>("startTraining")->click();
    ASSERT_TRUE(finished.wait(120'000));
    ASSERT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
    {
        Database db = openProject(project, ProjectAccess::ReadOnly);
        const auto config = RunSpec::fromJson(RunStore(db).run(finished.front().at(0).toLongLong()).configJson).config;
        EXPECT_EQ(config.trainingDomains, "plain");
        EXPECT_EQ(config.targetDomain, "inverted");
        EXPECT_EQ(config.domainAdaptation, "coral");
        EXPECT_EQ(RunStore(db).metric(finished.front().at(0).toLongLong(), "adaptation_loss").size(), 1u);
    }

    adaptation->setCurrentIndex(adaptation->findData("none"));
    window.findChild<QCheckBox*>("withAdaptation")->setChecked(true);
    window.findChild<QLineEdit*>("initialWeights")->setText("builtin:tinynet-fmnist");
    QSignalSpy experimentFinished(page->job(), &ui::JobController::finished);
    window.findChild<QPushButton*>("runExperiment")->click();
    page->job()->cancel(); // what is asked for is recorded before the first trial starts
    ASSERT_TRUE(experimentFinished.wait(60'000));
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const auto spec = ExperimentSpec::fromJson(ExperimentStore(db).experiments().front().specJson);
    std::vector<std::string> names;
    for (const auto& arm : spec.arms) names.push_back(arm.name);
    EXPECT_EQ(names, (std::vector<std::string>{"transfer", "scratch", "transfer + AdaBN", "transfer + Deep CORAL", "transfer + DANN",
                                               "scratch + AdaBN", "scratch + Deep CORAL", "scratch + DANN"}));
    ASSERT_EQ(spec.arms.size(), 8u);
    EXPECT_EQ(spec.arms[4].config.domainAdaptation, "dann");
    EXPECT_EQ(spec.arms[4].config.targetDomain, "inverted");
    EXPECT_EQ(spec.arms[0].config.domainAdaptation, "none");
}

TEST_F(TrainPageTest, ABurstOfPointsIsDrawnInOneReplot) {
    ui::MetricChart chart;
    for (int step = 1; step <= 1000; ++step) chart.addLoss(step, 1.0 / step);
    EXPECT_EQ(chart.replots(), 0) << "nothing is drawn while the points arrive";
    QTest::qWait(150);
    EXPECT_EQ(chart.replots(), 1);
    EXPECT_EQ(chart.lossPoints().size(), 1000u);
}

} // namespace
} // namespace graft
