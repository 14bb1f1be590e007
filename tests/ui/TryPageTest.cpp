#include "JobController.h"
#include "MainWindow.h"
#include "TryPage.h"

#include "data/ImageDecoding.h"
#include "export/Bundle.h"
#include "models/Prediction.h"
#include "project/ProjectFile.h"
#include "train/RunModel.h"

#include "ShapesFolder.h"
#include "ShapesProject.h"
#include "TempDir.h"
#include "TrainedShapesRun.h"
#include "TestApplication.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDropEvent>
#include <QListWidget>
#include <QMimeData>
#include <QSignalSpy>
#include <QTest>
#include <QUrl>
#include <gtest/gtest.h>

#include <map>

namespace graft {
namespace {

class TryPageTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { testing::ensureTestApplication(); }

    void SetUp() override {
        project_ = testing::createShapesProject(dir_ / "shapes.graft", 10);
        runId_ = testing::trainRun(project_, 2, 8);
        testing::writeShapesFolder(dir_ / "new", 2, 77);
        testing::writeFile(dir_ / "new" / "broken.png", "not a png");
    }

    // What predict's own path (models/Prediction) gives each shape image in dir_/new: its top label and probability.
    std::map<QString, std::pair<QString, double>> expectedTopOnes() const {
        Database db = openProject(project_, ProjectAccess::ReadOnly);
        const auto run = loadRunModel(db, runId_, "run");
        std::map<QString, std::pair<QString, double>> expected;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_ / "new")) {
            if (!entry.is_regular_file() || entry.path().filename() == "broken.png") continue;
            const auto top = predictTopK(*run.model, run.architecture.preprocess,
                                         decodeImage(readFileBytes(entry.path()), ColorMode::Gray), 1, run.spec.classes);
            expected[QString::fromStdString(entry.path().string())] = {QString::fromStdString(top[0].label), top[0].probability};
        }
        return expected;
    }

    // Tries dir_/new (dropped on the page) and checks every result against predict's.
    void dropAndCheck(ui::TryPage* page) {
        QMimeData data;
        data.setUrls({QUrl::fromLocalFile(QString::fromStdString((dir_ / "new").string()))});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(page, &enter);
        EXPECT_TRUE(enter.isAccepted());
        QSignalSpy finished(page->tryoutJob(), &ui::JobController::finished);
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(page, &drop);
        ASSERT_TRUE(finished.wait(60'000));
        ASSERT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
        QTest::qWait(50); // the last result's queued signal
        const auto expected = expectedTopOnes();
        const auto* results = page->results();
        ASSERT_EQ(results->count(), int(expected.size()) + 1) << "six shapes and the broken file";
        int broken = 0;
        for (int row = 0; row < results->count(); ++row) {
            const auto* item = results->item(row);
            const QString name = item->data(Qt::UserRole).toString();
            if (name.endsWith("broken.png")) {
                ++broken;
                EXPECT_TRUE(item->text().contains("cannot be read")) << item->text().toStdString();
                EXPECT_TRUE(item->toolTip().contains("broken.png")) << item->toolTip().toStdString();
                continue;
            }
            const auto& [label, probability] = expected.at(name);
            EXPECT_TRUE(item->text().startsWith(QString("%1 %2 %").arg(label).arg(100 * probability, 0, 'f', 1)))
                << item->text().toStdString();
            EXPECT_FALSE(item->icon().isNull());
        }
        EXPECT_EQ(broken, 1);
        // Ten shapes per class leave 3 held out: too few for a 5th percentile worth flagging by.
        EXPECT_TRUE(page->note().contains("With 3 held-out images (fewer than 20), none is flagged as unfamiliar."))
            << page->note().toStdString();
    }

    testing::TempDir dir_;
    std::filesystem::path project_;
    std::int64_t runId_ = 0;
};

TEST_F(TryPageTest, ImagesDroppedOnTheTryPageGetARunsTopClassesAndHeatMaps) {
    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project_.string()), &error)) << error.toStdString();
    auto* page = window.findChild<ui::TryPage*>();
    EXPECT_TRUE(page->note().startsWith("Drop images or folders here")) << "the empty page says what to do: " << page->note().toStdString();
    auto* model = page->findChild<QComboBox*>("tryModel");
    ASSERT_EQ(model->count(), 1);
    EXPECT_TRUE(model->currentText().startsWith(QString("run %1").arg(runId_))) << model->currentText().toStdString();
    dropAndCheck(page);

    // The heat-map toggle swaps every icon between the map and the plain image.
    auto* heatMaps = page->findChild<QCheckBox*>("tryHeatMaps");
    const auto* results = page->results();
    int shape = 0;
    while (results->item(shape)->data(Qt::UserRole).toString().endsWith("broken.png")) ++shape;
    const QImage withMap = results->item(shape)->icon().pixmap(160).toImage();
    heatMaps->setChecked(false);
    const QImage plain = results->item(shape)->icon().pixmap(160).toImage();
    EXPECT_NE(withMap, plain);
    heatMaps->setChecked(true);
    EXPECT_EQ(results->item(shape)->icon().pixmap(160).toImage(), withMap);
    for (int index = 0; index < window.pageCount(); ++index)
        if (window.pageName(index) == "try") window.showPage(index);
    window.resize(1280, 800);
    testing::saveScreenshotIfAsked(window, "try-page");
}

TEST_F(TryPageTest, AnExportedBundleIsTriedLikeItsRun) {
    exportRunBundle(project_, runId_, dir_ / "bundle", {}, {});
    ui::TryPage page;
    page.addBundle(QString::fromStdString((dir_ / "bundle").string()));
    EXPECT_TRUE(page.findChild<QComboBox*>("tryModel")->currentText().startsWith("bundle "));
    dropAndCheck(&page);
}

TEST_F(TryPageTest, WithoutAModelItSaysWhatToChoose) {
    ui::TryPage page;
    page.tryInputs({{"x.png", dir_ / "x.png", {}}});
    EXPECT_TRUE(page.note().startsWith("Choose a model first")) << page.note().toStdString();
    EXPECT_FALSE(page.tryoutJob()->isRunning());
}

} // namespace
} // namespace graft
