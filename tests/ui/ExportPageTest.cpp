#include "ExportPage.h"
#include "JobController.h"

#include "TestApplication.h"
#include "TrainedShapesRun.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <gtest/gtest.h>
#include <torch/script.h>

namespace graft {
namespace {

class ExportPageTest : public testing::TrainedShapesRun {
protected:
    static void SetUpTestSuite() { testing::ensureTestApplication(); }
};

TEST_F(ExportPageTest, ExportsTheChosenRunAndReportsItsReplay) {
    ui::ExportPage page;
    page.setProject(QString::fromStdString(project().string()));
    auto* run = page.findChild<QComboBox*>("exportRun");
    ASSERT_EQ(run->count(), 1);
    EXPECT_EQ(run->currentData().toLongLong(), runId_);

    auto* format = page.findChild<QComboBox*>("exportFormat");
    auto* preprocess = page.findChild<QCheckBox*>("exportPreprocess");
    format->setCurrentIndex(1); // ONNX
    EXPECT_FALSE(preprocess->isEnabled()) << "ONNX cannot carry the preprocessing";
    format->setCurrentIndex(0); // TorchScript
    ASSERT_TRUE(preprocess->isEnabled());
    preprocess->setChecked(true);
    const auto file = dir_ / "model.pt";
    page.findChild<QLineEdit*>("exportTarget")->setText(QString::fromStdString(file.string()));
    QSignalSpy finished(page.job(), &ui::JobController::finished);
    page.findChild<QPushButton*>("exportButton")->click();
    ASSERT_TRUE(finished.wait(120'000));
    ASSERT_TRUE(finished.front().at(1).toBool()) << finished.front().at(2).toString().toStdString();
    EXPECT_TRUE(page.findChild<QLabel*>("exportResult")->text().contains("the top class agrees on all"));
    auto model = torch::jit::load(file.string());
    EXPECT_EQ(model.forward({torch::zeros({28, 28, 1}, torch::kUInt8)}).toTensor().sizes(), (std::vector<std::int64_t>{1, 3}))
        << "the file takes pixels, as asked";

    // Writing over an existing bundle folder is refused and said.
    std::filesystem::create_directory(dir_ / "taken");
    format->setCurrentIndex(2);
    page.findChild<QLineEdit*>("exportTarget")->setText(QString::fromStdString((dir_ / "taken").string()));
    finished.clear();
    page.findChild<QPushButton*>("exportButton")->click();
    ASSERT_TRUE(finished.wait(60'000));
    EXPECT_FALSE(finished.front().at(1).toBool());
    EXPECT_TRUE(page.findChild<QLabel*>("exportResult")->text().startsWith("Not written:"));
    EXPECT_TRUE(page.findChild<QLabel*>("exportResult")->text().contains("taken"));
}

} // namespace
} // namespace graft
