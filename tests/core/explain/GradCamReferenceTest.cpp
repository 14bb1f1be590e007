#include "explain/GradCam.h"
#include "models/Architectures.h"
#include "models/BuiltInWeights.h"
#include "models/Classifier.h"
#include "models/PthReader.h"
#include "models/Weights.h"

#include "TempDir.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <map>

namespace graft {
namespace {

// Written by tests/fixtures/make_torchvision_fixtures.py with Debian's torchvision in the fixture step.
const std::filesystem::path kFixtures = TORCHVISION_FIXTURE_DIR;

struct GradCamCase {
    std::string arch;
    std::string earlierBlock; // Graft's name for the stage the reference hooks before the last one
};

void PrintTo(const GradCamCase& gradCamCase, std::ostream* out) { *out << gradCamCase.arch; }

class GradCamReference : public ::testing::TestWithParam<GradCamCase> {
protected:
    // grad_cam_reference.py runs once for every case: hooks on the PyTorch models.
    static void SetUpTestSuite() {
        directory_ = new testing::TempDir();
        const auto out = directory_->path() / "grad_cam.pth";
        const std::string command = std::string(GRAFT_REFERENCE_PYTHON) + " " + GRAD_CAM_REFERENCE_SCRIPT + " " +
                                    kFixtures.string() + " " + GRAFT_SOURCE_DIR + "/resources/pretrained/tinynet-fmnist.pt " +
                                    out.string();
        ASSERT_EQ(std::system(command.c_str()), 0) << command;
        for (auto& [name, tensor] : readPthFile(out)) references().emplace(name, tensor);
    }
    static void TearDownTestSuite() {
        delete directory_;
        references().clear();
    }

    static std::map<std::string, torch::Tensor>& references() {
        static std::map<std::string, torch::Tensor> written;
        return written;
    }

    torch::Tensor reference(const std::string& name) const {
        const auto found = references().find(GetParam().arch + "." + name);
        if (found == references().end()) throw std::runtime_error("the reference wrote no " + name);
        return found->second;
    }

    // The same weights the reference loaded.
    std::shared_ptr<ClassifierImpl> model() const {
        const auto& arch = GetParam().arch;
        std::shared_ptr<ClassifierImpl> model;
        if (arch == "tinynet") {
            model = createClassifier(architectureSpec(arch), 10);
            loadAllWeights(*model, builtInWeights("tinynet-fmnist").bytes, "builtin:tinynet-fmnist");
        } else {
            model = createClassifier(architectureSpec(arch), 1000);
            loadAllWeights(*model, readPthFile(kFixtures / (arch + ".pth")), arch + ".pth");
        }
        model->eval();
        return model;
    }

    static double worstDifference(const torch::Tensor& map, const torch::Tensor& expected) {
        EXPECT_EQ(map.sizes(), expected.sizes());
        return (map - expected).abs().max().item<double>();
    }

    static inline testing::TempDir* directory_ = nullptr;
};

TEST_P(GradCamReference, PredictedClassMapAtTheLastStageEqualsPyTorchHooks) {
    auto classifier = model();
    const auto cam = gradCam(*classifier, reference("input"));
    EXPECT_EQ(cam.targetClass, reference("predicted").item<std::int64_t>());
    const double worst = worstDifference(cam.map, reference("predicted_map"));
    EXPECT_LT(worst, 1e-4) << GetParam().arch << " at " << cam.block << ": largest difference " << worst;
}

TEST_P(GradCamReference, ChosenClassMapAtAnEarlierStageEqualsPyTorchHooks) {
    auto classifier = model();
    GradCamOptions options;
    options.targetClass = reference("chosen").item<std::int64_t>();
    options.block = GetParam().earlierBlock;
    const auto cam = gradCam(*classifier, reference("input"), options);
    ASSERT_GT(reference("chosen_map").std().item<double>(), 0.05) << "a flat reference map would test nothing";
    const double worst = worstDifference(cam.map, reference("chosen_map"));
    EXPECT_LT(worst, 1e-4) << GetParam().arch << " at " << cam.block << ": largest difference " << worst;
}

INSTANTIATE_TEST_SUITE_P(Torchvision, GradCamReference,
                         ::testing::Values(GradCamCase{"resnet18", "layer3"}, GradCamCase{"mobilenet_v2", "features.14"},
                                           GradCamCase{"efficientnet_b0", "features.7"}, GradCamCase{"tinynet", "stage2"}),
                         [](const auto& info) { return info.param.arch; });

} // namespace
} // namespace graft
