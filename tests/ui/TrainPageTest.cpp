#include "MainWindow.h"
#include "MetricChart.h"
#include "TrainPage.h"
#include "TrainingJob.h"

#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"

#include "TempDir.h"

#include <QApplication>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>
#include <gtest/gtest.h>

namespace graft {
namespace {

class TrainPageTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        static int argc = 1;
        static char name[] = "graft_ui_tests";
        static char* argv[] = {name, nullptr};
        static QApplication application(argc, argv);
    }
};

TEST_F(TrainPageTest, ARunTrainsLiveAndReopeningTheProjectRedrawsTheSamePointsFromTheFile) {
    testing::TempDir dir;
    const auto project = dir / "shapes.graft";
    {
        Database db = createProject(project);
        importSyntheticShapes(db, 20, 0);
    }
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
        QSignalSpy steps(page->job(), &ui::TrainingJob::stepDone);
        QSignalSpy finished(page->job(), &ui::TrainingJob::finished);
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
