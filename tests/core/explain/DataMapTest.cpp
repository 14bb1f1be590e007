#include "explain/DataMap.h"

#include "common/Error.h"
#include "models/PretrainedBackbone.h"
#include "project/ProjectFile.h"
#include "train/RunEvaluation.h"

#include "ErrorText.h"
#include "Images.h"
#include "PythonReference.h"
#include "TempDir.h"
#include "TrainedShapesRun.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <memory>
#include <set>

namespace graft {
namespace {

using testing::TrainedShapesRun;

nlohmann::json numpyReference(const cv::Mat& features, const std::filesystem::path& csv) {
    {
        std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(csv.c_str(), "w"), std::fclose);
        for (int row = 0; row < features.rows; ++row)
            for (int column = 0; column < features.cols; ++column)
                std::fprintf(out.get(), column + 1 < features.cols ? "%.9g," : "%.9g\n", double(features.at<float>(row, column)));
    }
    return testing::pythonReferenceJson(PCA_REFERENCE_SCRIPT, csv.string());
}

TEST(DataMap, PrincipalPlaneEqualsANumpySvdReferenceUpToEachAxisSign) {
    torch::manual_seed(7);
    // Three directions of decreasing spread in 12 dimensions, plus an offset, so centring matters.
    const auto scales = torch::tensor({5.0f, 3.0f, 1.0f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f});
    const auto rotation = std::get<0>(torch::linalg_qr(torch::randn({12, 12})));
    const auto data = ((torch::randn({200, 12}) * scales).matmul(rotation) + 4).contiguous();
    const cv::Mat features(200, 12, CV_32F, data.data_ptr<float>());
    testing::TempDir dir;
    const auto reference = numpyReference(features, dir / "features.csv");

    std::array<double, 2> explained{};
    const cv::Mat plane = principalPlane(features, explained);
    ASSERT_EQ(plane.rows, 200);
    ASSERT_EQ(plane.cols, 2);
    for (int axis = 0; axis < 2; ++axis) {
        EXPECT_NEAR(explained[std::size_t(axis)], reference["explained"][axis].get<double>(), 1e-5) << axis;
        double agreement = 0;
        for (int row = 0; row < 200; ++row) agreement += plane.at<double>(row, axis) * reference["plane"][row][axis].get<double>();
        const double sign = agreement < 0 ? -1 : 1;
        for (int row = 0; row < 200; ++row)
            EXPECT_NEAR(sign * plane.at<double>(row, axis), reference["plane"][row][axis].get<double>(), 1e-3) << row << " " << axis;
    }
    EXPECT_GT(explained[0], explained[1]);
}

TEST(DataMap, PrincipalPlaneNeedsTwoRowsAndGivesIdenticalRowsNoVariance) {
    std::array<double, 2> explained{1, 1};
    EXPECT_THROW(principalPlane(cv::Mat::ones(1, 4, CV_32F), explained), Error);
    const cv::Mat plane = principalPlane(cv::Mat::ones(5, 4, CV_32F), explained);
    EXPECT_EQ(cv::norm(plane), 0);
    EXPECT_EQ(explained[0], 0);
    EXPECT_EQ(explained[1], 0);
}

TEST_F(TrainedShapesRun, ARunsMapPlacesEveryImageWithItsLabelSplitAndWhetherTheRunGotItRight) {
    std::string unlabelled;
    {
        Database db = openProject(project());
        const auto png = testing::pngBytes(1000);
        unlabelled = ProjectStore(db).addImage({{png.begin(), png.end()}, 8, 8, 1, "loose.png"}).sha256;
    }
    std::int64_t lastDone = 0, total = 0;
    const auto map = mapRunFeatures(project(), runId_, [&](const Progress& progress) {
        if (progress.total > 0) std::tie(lastDone, total) = std::pair(progress.done, progress.total);
    }, {});
    EXPECT_EQ(map.features, "run " + std::to_string(runId_) + " (tinynet)");
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    const auto catalog = ProjectStore(db).catalog();
    ASSERT_EQ(map.points.size(), catalog.size());
    EXPECT_EQ(lastDone, std::int64_t(catalog.size()));
    EXPECT_EQ(total, std::int64_t(catalog.size()));
    std::set<std::string> placed;
    double right = 0, judgedTest = 0;
    for (std::size_t i = 0; i < catalog.size(); ++i) {
        const auto& point = map.points[i];
        placed.insert(point.sha256);
        EXPECT_EQ(point.sha256, catalog[i].sha256);
        EXPECT_EQ(point.classId, catalog[i].classId);
        EXPECT_EQ(point.split, catalog[i].split);
        EXPECT_EQ(point.correct.has_value(), catalog[i].classId.has_value()) << "every labelled class is the run's";
        if (point.split == Split::Test && point.correct) {
            ++judgedTest;
            right += *point.correct ? 1 : 0;
        }
    }
    EXPECT_EQ(placed.size(), catalog.size());
    EXPECT_TRUE(placed.contains(unlabelled));
    ASSERT_GT(judgedTest, 0);
    // Right or wrong agrees with the run's own evaluation of its test images.
    EXPECT_NEAR(right / judgedTest, evaluateRun(project(), runId_, Split::Test, {}).accuracy, 1e-12);
    EXPECT_GT(map.explainedVariance[0], 0);
    EXPECT_GE(map.explainedVariance[0], map.explainedVariance[1]);
    EXPECT_LE(map.explainedVariance[0] + map.explainedVariance[1], 1 + 1e-9);
}

TEST_F(TrainedShapesRun, ABackbonesMapUsesItsWeightsAndJudgesNothing) {
    TrainingRequest request;
    request.project = project();
    request.config.epochs = 1;
    request.saveWeightsTo = dir_ / "saved.pt";
    TrainObserver quiet;
    runTraining(request, quiet, {});
    const auto map = mapBackboneFeatures(project(), {"saved", "tinynet", dir_ / "saved.pt", std::nullopt}, {}, {});
    EXPECT_EQ(map.features, "saved");
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    ASSERT_EQ(map.points.size(), ProjectStore(db).catalog().size());
    for (const auto& point : map.points) EXPECT_FALSE(point.correct.has_value());
}

TEST_F(TrainedShapesRun, AStoppedMapThrowsNamingTheRun) {
    std::stop_source stop;
    stop.request_stop();
    const auto message = testing::errorOf([&] { mapRunFeatures(project(), runId_, {}, stop.get_token()); });
    EXPECT_NE(message.find("run " + std::to_string(runId_)), std::string::npos) << message;
    EXPECT_NE(message.find("stopped"), std::string::npos) << message;
}

TEST(DataMap, AProjectOfOneImageIsRefusedNamingIt) {
    testing::TempDir dir;
    const auto project = dir / "one.graft";
    {
        Database db = createProject(project);
        const auto png = testing::pngBytes(3);
        ProjectStore(db).addImage({{png.begin(), png.end()}, 8, 8, 1, "only.png"});
    }
    const auto message = testing::errorOf(
        [&] { mapBackboneFeatures(project, {"tiny", "tinynet", dir / "missing.pt", std::nullopt}, {}, {}); });
    EXPECT_NE(message.find("one.graft"), std::string::npos) << message;
    EXPECT_NE(message.find("at least two images"), std::string::npos) << message;
}

} // namespace
} // namespace graft
