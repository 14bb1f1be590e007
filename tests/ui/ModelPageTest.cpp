#include "LayerDiagram.h"
#include "ModelPage.h"

#include "models/Architectures.h"
#include "models/Classifier.h"
#include "train/FreezePlan.h"

#include "TestApplication.h"

#include <QApplication>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QTest>
#include <gtest/gtest.h>

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

} // namespace
} // namespace graft
