#include "export/TorchScriptExport.h"

#include "common/AtomicFile.h"
#include "data/Preprocess.h"
#include "Images.h"
#include "RandomStatistics.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <torch/serialize.h>

#include <cstdlib>

namespace graft {
namespace {

class PythonRunsTorchScriptExport : public ::testing::TestWithParam<std::pair<std::string, int>> {};

// Runs torchscript_parity.py on `dir`/model.pt: Python must give `logits` for `images` (each
// head's, under its task's name, for a multi-task export).
void expectPythonReproduces(const testing::TempDir& dir, const torch::Tensor& images, const torch::Tensor& logits,
                            const std::vector<HeadColumns>& heads = {}) {
    c10::Dict<std::string, torch::Tensor> parityCase;
    parityCase.insert("images", images);
    if (heads.empty()) parityCase.insert("logits", logits);
    for (const auto& head : heads) parityCase.insert("logits:" + head.name, logits.slice(1, head.begin, head.end).contiguous());
    const auto bytes = torch::pickle_save(parityCase);
    writeFileAtomically(dir / "case.pt", std::string_view(bytes.data(), bytes.size()));

    const std::string command = std::string(GRAFT_REFERENCE_PYTHON) + " " + TORCHSCRIPT_PARITY_SCRIPT + " " +
                                (dir / "model.pt").string() + " " + (dir / "case.pt").string() + " 1e-5 > " +
                                (dir / "parity.txt").string() + " 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0) << testing::readFile(dir / "parity.txt");
}

TEST_P(PythonRunsTorchScriptExport, AndReproducesGraftsLogits) {
    const auto& [arch, size] = GetParam();
    auto model = testing::classifierWithRandomStatistics(arch, 5);
    const auto images = testing::randomImages(arch, size);
    testing::TempDir dir;
    exportTorchScript(*model, dir / "model.pt");
    torch::NoGradGuard noGrad;
    expectPythonReproduces(dir, images, model->forward(images));
}

// The same with preprocessing baked in: Python hands the file decoded pixels of an odd size.
TEST_P(PythonRunsTorchScriptExport, FromDecodedPixelsWithPreprocessingBakedIn) {
    const auto& arch = GetParam().first;
    auto model = testing::classifierWithRandomStatistics(arch, 5);
    const auto& input = architectureSpec(arch).preprocess;
    testing::TempDir dir;
    exportTorchScript(*model, dir / "model.pt", {.preprocess = input});
    cv::setRNGSeed(11);
    const cv::Mat image = testing::randomImage(input.crop * 5 / 4 + 13, input.crop * 3 / 2, input.channels());
    torch::NoGradGuard noGrad;
    expectPythonReproduces(dir, testing::pixelsOf(image).unsqueeze(0), model->forward(preprocessForEval(image, input).unsqueeze(0)));
}

// A multi-task model: forward() returns a dictionary with each task's outputs under its name.
TEST(PythonRunsMultiTaskTorchScriptExport, AndReproducesEachTasksOutputsUnderItsName) {
    auto model = testing::classifierWithRandomStatistics("tinynet", 5);
    const auto images = testing::randomImages("tinynet", 28);
    const std::vector<HeadColumns> heads = {{"digit", 0, 3}, {"odd \"or\" even", 3, 5}};
    torch::NoGradGuard noGrad;
    const auto logits = model->forward(images);
    for (const bool softmax : {false, true}) {
        SCOPED_TRACE(softmax ? "probabilities" : "logits");
        testing::TempDir dir;
        exportTorchScript(*model, dir / "model.pt", {.softmax = softmax, .heads = heads});
        auto expected = logits.clone();
        if (softmax)
            for (const auto& head : heads)
                expected.slice(1, head.begin, head.end).copy_(torch::softmax(logits.slice(1, head.begin, head.end), 1));
        expectPythonReproduces(dir, images, expected, heads);
    }
}

INSTANTIATE_TEST_SUITE_P(Architectures, PythonRunsTorchScriptExport,
                         ::testing::Values(std::pair{"tinynet", 28}, std::pair{"resnet18", 224},
                                           std::pair{"mobilenet_v2", 224}, std::pair{"mobilenet_v3_small", 224},
                                           std::pair{"mobilenet_v3_large", 224}, std::pair{"efficientnet_b0", 224}),
                         [](const auto& info) { return info.param.first; });

} // namespace
} // namespace graft
