#include "BackboneGallery.h"
#include "JobController.h"
#include "LayerDiagram.h"
#include "MainWindow.h"
#include "ModelPage.h"
#include "TrainPage.h"

#include "models/Architectures.h"
#include "models/Classifier.h"
#include "models/BuiltInWeights.h"
#include "models/Zoo.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"
#include "train/FreezePlan.h"
#include "train/RunSpec.h"

#include "ScriptModule.h"
#include "ShapesProject.h"
#include "TempDir.h"
#include "TwoDomainShapes.h"

#include "TestApplication.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QInputDialog>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QTest>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace graft {
namespace {

class ModelPageTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { testing::ensureTestApplication(); }

    void SetUp() override {
        page_.setArchitecture("tinynet");
        page_.setClassCount(3);
        diagram_ = page_.findChild<ui::LayerDiagram*>("layerDiagram");
        ASSERT_NE(diagram_, nullptr);
        diagram_->resize(500, diagram_->sizeHint().height());
    }

    void click(int block) { QTest::mouseClick(diagram_, Qt::LeftButton, {}, diagram_->blockRect(block).center()); }

    // What the trainer makes of the page's plan, at epoch 1: it must freeze what the diagram shows.
    std::set<std::string> trainerFrozen() const {
        const auto model = createClassifier(architectureSpec("tinynet"), 3);
        return FreezePlan::parse(page_.freezePlan().toStdString()).frozenAt(model->blocks(), 1);
    }

    ui::ModelPage page_;
    ui::LayerDiagram* diagram_ = nullptr;
};

// tinynet with 3 classes: stem 352, stage1 9280, stage2 18560, stage3 73984, pool 0, head 387.
constexpr std::int64_t kTotal = 352 + 9280 + 18560 + 73984 + 387;

TEST_F(ModelPageTest, ClickingBlocksFreezesThemAndChangesTheTrainableCount) {
    EXPECT_EQ(page_.totalParameters(), kTotal);
    EXPECT_EQ(page_.trainableParameters(), kTotal);
    EXPECT_EQ(page_.freezePlan(), "none");

    click(0);
    EXPECT_EQ(page_.trainableParameters(), kTotal - 352);
    EXPECT_EQ(page_.freezePlan(), "upto:stem");
    EXPECT_EQ(trainerFrozen(), diagram_->frozen());
    EXPECT_TRUE(page_.findChild<QLabel*>("freezeSummary")->text().contains("Feature cache applies"));

    click(2);
    EXPECT_EQ(page_.trainableParameters(), kTotal - 352 - 18560);
    EXPECT_EQ(page_.freezePlan(), "blocks:stem,stage2");
    EXPECT_EQ(trainerFrozen(), diagram_->frozen());
    EXPECT_TRUE(page_.findChild<QLabel*>("freezeSummary")->text().contains("No feature cache"));

    click(4); // the pooling block has nothing to freeze
    EXPECT_EQ(page_.freezePlan(), "blocks:stem,stage2");
    click(0);
    EXPECT_EQ(page_.trainableParameters(), kTotal - 18560) << "a second click unfreezes";
}

TEST_F(ModelPageTest, DraggingAcrossBlocksGivesThemTheFirstBlocksNewState) {
    QTest::mousePress(diagram_, Qt::LeftButton, {}, diagram_->blockRect(0).center());
    for (int block = 1; block <= 3; ++block) {
        QMouseEvent move(QEvent::MouseMove, diagram_->blockRect(block).center(), diagram_->mapToGlobal(diagram_->blockRect(block).center()),
                         Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(diagram_, &move);
    }
    QTest::mouseRelease(diagram_, Qt::LeftButton, {}, diagram_->blockRect(3).center());
    EXPECT_EQ(page_.trainableParameters(), 387);
    EXPECT_EQ(page_.freezePlan(), "probe");
    EXPECT_EQ(trainerFrozen(), diagram_->frozen());
}

TEST_F(ModelPageTest, PresetsSetTheBlocksAndThePlan) {
    page_.findChild<QPushButton*>("probePreset")->click();
    EXPECT_EQ(page_.freezePlan(), "probe");
    EXPECT_EQ(page_.trainableParameters(), 387);
    page_.findChild<QPushButton*>("fullPreset")->click();
    EXPECT_EQ(page_.freezePlan(), "none");
    EXPECT_EQ(page_.trainableParameters(), kTotal);
}

TEST_F(ModelPageTest, ARightClickAsksForABlocksLearningRateMultiplierAndItIsDrawnOnTheBlock) {
    ASSERT_EQ(diagram_->graph().blocks[3].name, "stage3");
    QSignalSpy asked(diagram_, &ui::LayerDiagram::multiplierRequested);
    const QPoint where = diagram_->blockRect(3).center();
    QContextMenuEvent rightClick(QContextMenuEvent::Mouse, where, diagram_->mapToGlobal(where));
    QApplication::sendEvent(diagram_, &rightClick);
    ASSERT_EQ(asked.size(), 1);
    EXPECT_EQ(asked.front().front().toInt(), 3);
    auto* dialog = page_.findChild<QInputDialog*>("multiplierDialog");
    ASSERT_NE(dialog, nullptr);
    EXPECT_TRUE(dialog->labelText().contains("stage3"));
    const QImage before = diagram_->grab().toImage();
    dialog->setDoubleValue(0.5);
    dialog->accept();
    const QImage after = diagram_->grab().toImage();
    const auto region = [](const QImage& image, const QRect& rect) { return image.copy(rect); };
    EXPECT_NE(region(before, diagram_->blockRect(3)), region(after, diagram_->blockRect(3))) << "the block shows its multiplier";
    EXPECT_EQ(region(before, diagram_->blockRect(2)), region(after, diagram_->blockRect(2))) << "and only that block";
    EXPECT_EQ(page_.learningRateMultipliers(), "stage3=0.5");
    EXPECT_TRUE(page_.findChild<QLabel*>("freezeSummary")->text().contains("stage3=0.5"));
    diagram_->setLearningRateMultiplier("stage3", 1);
    EXPECT_EQ(page_.learningRateMultipliers(), "") << "a multiplier of 1 is no multiplier";
}

// Issue 31: the freeze plan without a mouse.
TEST_F(ModelPageTest, TheKeyboardMovesBetweenBlocksFreezesThemAndAsksForAMultiplier) {
    QFocusEvent focusIn(QEvent::FocusIn, Qt::TabFocusReason);
    QApplication::sendEvent(diagram_, &focusIn);
    ASSERT_EQ(diagram_->currentBlock(), 0) << "the stem: the first block with parameters";
    QTest::keyClick(diagram_, Qt::Key_Space);
    EXPECT_EQ(page_.freezePlan(), "upto:stem");
    for (int press = 0; press < 4; ++press) QTest::keyClick(diagram_, Qt::Key_Down);
    EXPECT_EQ(diagram_->currentBlock(), 5) << "past the pooling block, which has nothing to freeze, and no further than the head";
    QTest::keyClick(diagram_, Qt::Key_Up);
    EXPECT_EQ(diagram_->currentBlock(), 3);
    QTest::keyClick(diagram_, Qt::Key_Space);
    EXPECT_EQ(page_.freezePlan(), "blocks:stem,stage3");
    QTest::keyClick(diagram_, Qt::Key_Space);
    EXPECT_EQ(page_.freezePlan(), "upto:stem") << "Space again unfreezes";

    QSignalSpy asked(diagram_, &ui::LayerDiagram::multiplierRequested);
    QContextMenuEvent menuKey(QContextMenuEvent::Keyboard, diagram_->rect().center(), diagram_->mapToGlobal(diagram_->rect().center()));
    QApplication::sendEvent(diagram_, &menuKey);
    ASSERT_EQ(asked.size(), 1);
    EXPECT_EQ(asked.front().front().toInt(), 3) << "the Menu key asks about the current block, not the one under the mouse";
}

class ModelPageInWindowTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { testing::ensureTestApplication(); }
};

// Multipliers of frozen blocks are left out (the trainer refuses them), and the run records
// what the page shows; the discriminative ramp replaces per-block values.
TEST_F(ModelPageInWindowTest, LearningRateMultipliersOfTrainableBlocksReachTheRun) {
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 10);
    ui::MainWindow window;
    QString error;
    ASSERT_TRUE(window.openProject(QString::fromStdString(project.string()), &error)) << error.toStdString();
    auto* model = window.findChild<ui::ModelPage*>();
    model->setArchitecture("tinynet");
    model->diagram()->setLearningRateMultiplier("stem", 0.1);
    model->diagram()->setLearningRateMultiplier("stage3", 0.5);
    model->diagram()->setFrozen({"stem"});
    EXPECT_EQ(model->learningRateMultipliers(), "stage3=0.5");

    window.findChild<QSpinBox*>("epochs")->setValue(1);
    auto* train = window.findChild<ui::TrainPage*>();
    QSignalSpy finished(train->job(), &ui::JobController::finished);
    window.findChild<QPushButton*>("startTraining")->click();
    ASSERT_TRUE(finished.wait(60'000));
    EXPECT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const auto config = RunSpec::fromJson(RunStore(db).run(finished.front().at(0).toLongLong()).configJson).config;
    EXPECT_EQ(config.lrMultipliers, "stage3=0.5");
    EXPECT_EQ(config.freeze, "upto:stem");

    model->findChild<QCheckBox*>("discriminativeRates")->setChecked(true);
    EXPECT_EQ(model->learningRateMultipliers(), "0.1,1");
}

TEST_F(ModelPageInWindowTest, TheGalleryListsTheZooAndCachedWeightsBecomeTheTransferStart) {
    testing::TempDir dir;
    setenv("GRAFT_CACHE_DIR", (dir / "cache").c_str(), 1);
    ui::MainWindow window;
    auto* gallery = window.findChild<ui::ModelPage*>()->gallery();
    gallery->refresh();
    auto* table = gallery->findChild<QTableWidget*>("backboneTable");
    const auto entries = zooEntries();
    ASSERT_EQ(table->rowCount(), int(entries.size() + builtInWeights().size()));
    for (int row = 0; row < int(entries.size()); ++row) {
        EXPECT_EQ(table->item(row, 0)->text().toStdString(), entries[std::size_t(row)].name);
        EXPECT_EQ(table->item(row, 3)->text(), QString("%1 px").arg(entries[std::size_t(row)].input.crop));
        EXPECT_EQ(table->item(row, 5)->text(), "not downloaded");
    }
    EXPECT_EQ(table->item(0, 4)->text(), QString("%1 %").arg(entries[0].imagenetTop1, 0, 'f', 1));

    // A file that is not the entry's weights is refused by name and leaves the cache empty.
    const auto wrong = dir / "not-resnet.pth";
    std::ofstream(wrong) << "not weights";
    gallery->importFile(0, QString::fromStdString(wrong.string()));
    EXPECT_TRUE(gallery->findChild<QLabel*>("galleryNote")->text().contains("not-resnet.pth"))
        << gallery->findChild<QLabel*>("galleryNote")->text().toStdString();
    EXPECT_EQ(table->item(0, 5)->text(), "not downloaded");
    const auto cached = cachedWeightsPath(entries[0], dir / "cache");
    EXPECT_FALSE(std::filesystem::exists(cached));

    std::filesystem::create_directories(cached.parent_path());
    std::ofstream(cached) << "as if downloaded";
    gallery->refresh();
    EXPECT_EQ(table->item(0, 5)->text(), "downloaded");
    gallery->use(0);
    unsetenv("GRAFT_CACHE_DIR");
    EXPECT_EQ(window.findChild<ui::ModelPage*>()->architecture().toStdString(), entries[0].arch);
    EXPECT_EQ(window.findChild<QLineEdit*>("initialWeights")->text().toStdString(), cached.string());

    // Then the weights built into Graft: usable at once, as builtin:NAME.
    const int builtIn = int(entries.size());
    const auto manifest = builtInWeights().front();
    EXPECT_EQ(table->item(builtIn, 0)->text().toStdString(), "builtin:" + manifest.name);
    EXPECT_EQ(table->item(builtIn, 4)->text(), QString("%1 %").arg(100 * manifest.sourceTestAccuracy, 0, 'f', 1));
    EXPECT_TRUE(table->item(builtIn, 5)->text().startsWith("built in")) << table->item(builtIn, 5)->text().toStdString();
    table->selectRow(builtIn);
    EXPECT_TRUE(gallery->findChild<QPushButton*>("useBackbone")->isEnabled());
    EXPECT_FALSE(gallery->findChild<QPushButton*>("downloadBackbone")->isEnabled()) << "nothing to download";
    gallery->use(builtIn);
    EXPECT_EQ(window.findChild<ui::ModelPage*>()->architecture().toStdString(), manifest.arch);
    EXPECT_EQ(window.findChild<QLineEdit*>("initialWeights")->text().toStdString(), "builtin:" + manifest.name);
}

// An imported TorchScript extractor is listed too, and choosing it makes it the architecture.
TEST_F(ModelPageInWindowTest, TheGalleryListsImportedTorchScriptBackbonesAsArchitectures) {
    testing::TempDir dir;
    setenv("GRAFT_CACHE_DIR", (dir / "cache").c_str(), 1);
    testing::importPixelsAndNoiseBackbones(dir.path(), dir / "cache");
    ui::MainWindow window;
    auto* model = window.findChild<ui::ModelPage*>();
    auto* gallery = model->gallery();
    gallery->refresh();
    auto* table = gallery->findChild<QTableWidget*>("backboneTable");
    int scriptRow = -1;
    for (int row = 0; row < table->rowCount(); ++row)
        if (table->item(row, 0)->text() == "script:pixels") scriptRow = row;
    ASSERT_GE(scriptRow, 0);
    EXPECT_TRUE(table->item(scriptRow, 5)->text().startsWith("imported, frozen")) << table->item(scriptRow, 5)->text().toStdString();
    gallery->use(scriptRow);
    unsetenv("GRAFT_CACHE_DIR");
    EXPECT_EQ(model->architecture(), "script:pixels");
    EXPECT_EQ(window.findChild<QLineEdit*>("initialWeights")->text(), "");
}

// The gap of the inverted shapes under Fashion-MNIST's TinyNet, drawn beside every block with
// BatchNorm; the reading names the block that shifts most and compares the two domains.
TEST(ModelPageDomainGap, MeasuresTheChosenDomainUnderBuiltInWeightsAndDrawsAStripPerBlock) {
    testing::ensureTestApplication();
    testing::TempDir dir;
    const auto project = testing::createTwoDomainShapesProject(dir / "shapes.graft", dir.path(), 10);
    ui::ModelPage page;
    page.setArchitecture("tinynet");
    page.setClassCount(3);
    auto* measure = page.findChild<QPushButton*>("measureGap");
    auto* backbone = page.findChild<QComboBox*>("gapBackbone");
    auto* images = page.findChild<QComboBox*>("gapImages");
    ASSERT_TRUE(measure && backbone && images);
    EXPECT_FALSE(measure->isEnabled()) << "no project yet";
    page.setProject(QString::fromStdString(project.string()), {"inverted", "plain"});
    EXPECT_TRUE(measure->isEnabled());
    EXPECT_EQ(backbone->currentText(), "builtin:tinynet-fmnist");
    const int pair = images->findText("domain inverted, against plain");
    ASSERT_GE(pair, 0);
    images->setCurrentIndex(pair);

    QSignalSpy finished(page.gapJob(), &ui::JobController::finished);
    ASSERT_TRUE(page.measureDomainGap());
    ASSERT_TRUE(finished.wait(60'000));
    ASSERT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
    const auto& shifts = page.diagram()->domainShifts();
    EXPECT_EQ(shifts.size(), 4u) << "stem, stage1, stage2 and stage3 hold BatchNorm; pool and head do not";
    EXPECT_TRUE(shifts.contains("stage3"));
    EXPECT_FALSE(shifts.contains("head"));
    EXPECT_FALSE(page.diagram()->shiftStripRect(0).isEmpty());
    EXPECT_TRUE(page.gapReading().contains("shifts most: fine-tune from")) << page.gapReading().toStdString();
    EXPECT_TRUE(page.gapReading().contains("plain against inverted: proxy A-distance")) << page.gapReading().toStdString();

    page.setArchitecture("resnet18"); // another architecture's blocks: the strips go
    EXPECT_TRUE(page.diagram()->domainShifts().empty());
}

} // namespace
} // namespace graft
