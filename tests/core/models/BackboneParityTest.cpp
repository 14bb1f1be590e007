#include "common/Error.h"
#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"
#include "train/TrainingSession.h"
#include "models/Architectures.h"
#include "models/Classifier.h"
#include "models/PthReader.h"
#include "models/Weights.h"

#include "TempDir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace graft {
namespace {

// Written by tests/fixtures/make_torchvision_fixtures.py with Debian's torchvision in the fixture step.
const std::filesystem::path kFixtures = TORCHVISION_FIXTURE_DIR;

struct ParityCase {
    std::string arch;
    std::string weightsFile;
    double tolerance;
};

void PrintTo(const ParityCase& parityCase, std::ostream* out) { *out << parityCase.weightsFile; }

class BackboneParity : public ::testing::TestWithParam<ParityCase> {};

// The torchvision state_dict loads by name with nothing missing or left over, and the native
// model reproduces torchvision's eval-mode logits.
TEST_P(BackboneParity, ReproducesTorchvisionLogitsFromItsStateDict) {
    const auto& param = GetParam();
    auto model = createClassifier(architectureSpec(param.arch), 1000);
    loadAllWeights(*model, readPthFile(kFixtures / param.weightsFile), param.weightsFile);
    model->eval();

    const auto io = readPthFile(kFixtures / (param.arch + "_io.pth"));
    ASSERT_EQ(io[0].first, "input");
    torch::NoGradGuard noGrad;
    const auto logits = model->forward(io[0].second);
    const auto& expected = io[1].second;
    ASSERT_EQ(logits.sizes(), expected.sizes());
    const double worst = (logits - expected).abs().max().item<double>();
    EXPECT_LT(worst, param.tolerance) << param.arch << ": largest logit difference " << worst;
}

INSTANTIATE_TEST_SUITE_P(Torchvision, BackboneParity,
                         ::testing::Values(ParityCase{"resnet18", "resnet18.pth", 1e-4},
                                           ParityCase{"resnet18", "resnet18_legacy.pth", 1e-4},
                                           ParityCase{"resnet34", "resnet34.pth", 1e-4},
                                           ParityCase{"resnet34", "resnet34_legacy.pth", 1e-4},
                                           ParityCase{"resnet50", "resnet50.pth", 1e-4},
                                           ParityCase{"resnet50", "resnet50_legacy.pth", 1e-4},
                                           ParityCase{"mobilenet_v2", "mobilenet_v2.pth", 1e-4},
                                           ParityCase{"mobilenet_v2", "mobilenet_v2_legacy.pth", 1e-4},
                                           ParityCase{"mobilenet_v3_small", "mobilenet_v3_small.pth", 1e-4},
                                           ParityCase{"mobilenet_v3_small", "mobilenet_v3_small_legacy.pth", 1e-4},
                                           ParityCase{"mobilenet_v3_large", "mobilenet_v3_large.pth", 1e-4},
                                           ParityCase{"mobilenet_v3_large", "mobilenet_v3_large_legacy.pth", 1e-4},
                                           ParityCase{"efficientnet_b0", "efficientnet_b0.pth", 1e-3},
                                           ParityCase{"efficientnet_b0", "efficientnet_b0_legacy.pth", 1e-3}),
                         [](const auto& info) {
                             return info.param.weightsFile.substr(0, info.param.weightsFile.size() - 4);
                         });

// Negative control: the comparison above notices a single buffer off by 1 %.
TEST(BackboneLoading, ParityComparisonDetectsOnePerturbedBuffer) {
    auto model = createClassifier(architectureSpec("resnet18"), 1000);
    loadAllWeights(*model, readPthFile(kFixtures / "resnet18.pth"), "resnet18.pth");
    model->eval();
    torch::NoGradGuard noGrad;
    model->named_buffers()["layer4.1.bn2.running_var"].mul_(1.01);
    const auto io = readPthFile(kFixtures / "resnet18_io.pth");
    EXPECT_GT((model->forward(io[0].second) - io[1].second).abs().max().item<double>(), 1e-4);
}

TEST(BackboneLoading, WrongArchitectureNamesWhatDoesNotFit) {
    auto model = createClassifier(architectureSpec("resnet50"), 1000);
    try {
        loadAllWeights(*model, readPthFile(kFixtures / "resnet18.pth"), "resnet18.pth");
        FAIL();
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("resnet18.pth: layer1.0.conv1.weight: shape [64, 64, 3, 3] in resnet18.pth, model has "
                               "[64, 64, 1, 1]"),
                  std::string::npos)
            << message;
    }
}

TEST(BackboneLoading, NewHeadIsReportedAndTheRestLoads) {
    auto model = createClassifier(architectureSpec("resnet18"), 5);
    const auto report = loadMatchingWeights(*model, readPthFile(kFixtures / "resnet18.pth"), "resnet18.pth");
    EXPECT_EQ(report.skipped.size(), 2u); // fc.weight and fc.bias
    EXPECT_TRUE(report.missing.empty());
    EXPECT_TRUE(report.unexpected.empty());
    EXPECT_EQ(report.loaded.size(), 122u - 2u);
}

// End to end: a project run starts from a torchvision-written ResNet-18 file; only the new
// 3-class head is left at random, and says so.
TEST(BackboneLoading, TrainingStartsFromATorchvisionCheckpoint) {
    testing::TempDir dir;
    {
        Database db = createProject(dir / "shapes.graft");
        importSyntheticShapes(db, 5, 0);
    }
    TrainingRequest request;
    request.project = dir / "shapes.graft";
    request.config.arch = "resnet18";
    request.config.init = (kFixtures / "resnet18.pth").string();
    request.config.epochs = 1;
    request.config.batchSize = 4;
    TrainObserver quiet;
    const auto result = runTraining(request, quiet, {});
    EXPECT_EQ(result.status, RunStatus::Finished);
    ASSERT_EQ(result.initNotes.size(), 2u);
    EXPECT_NE(result.initNotes[0].find("fc.weight: shape [1000, 512]"), std::string::npos) << result.initNotes[0];
}

} // namespace
} // namespace graft
