#include "export/TorchScriptExport.h"

#include "common/Error.h"
#include "data/Preprocess.h"
#include "models/PooledClassifier.h"
#include "Images.h"
#include "RandomStatistics.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/script.h>

namespace graft {
namespace {

struct ExportCase {
    std::string arch;
    int size;
};

class TorchScriptExport : public ::testing::TestWithParam<ExportCase> {};

TEST_P(TorchScriptExport, LoadedBackInLibTorchItGivesGraftsLogits) {
    const auto& [arch, size] = GetParam();
    auto model = testing::classifierWithRandomStatistics(arch, 5);
    const auto images = testing::randomImages(arch, size);
    testing::TempDir dir;
    exportTorchScript(*model, dir / "model.pt");

    torch::NoGradGuard noGrad;
    auto loaded = torch::jit::load((dir / "model.pt").string());
    const auto expected = model->forward(images);
    const auto actual = loaded.forward({images}).toTensor();
    ASSERT_EQ(actual.sizes(), expected.sizes());
    EXPECT_LT((actual - expected).abs().max().item<double>(), 1e-5);
    std::size_t statistics = 0; // num_batches_tracked only counts training steps
    for (const auto& buffer : model->named_buffers()) statistics += buffer.key().ends_with("num_batches_tracked") ? 0 : 1;
    EXPECT_EQ(loaded.named_parameters().size() + loaded.named_buffers().size(), model->parameters().size() + statistics);
}

INSTANTIATE_TEST_SUITE_P(Architectures, TorchScriptExport,
                         ::testing::Values(ExportCase{"tinynet", 28}, ExportCase{"resnet18", 64},
                                           ExportCase{"mobilenet_v2", 64}, ExportCase{"mobilenet_v3_small", 64},
                                           ExportCase{"mobilenet_v3_large", 64}, ExportCase{"efficientnet_b0", 64}),
                         [](const auto& info) { return info.param.arch; });

TEST(TorchScriptExportOptions, SoftmaxGivesTheProbabilitiesOfGraftsLogits) {
    auto model = testing::classifierWithRandomStatistics("tinynet", 4);
    const auto images = testing::randomImages("tinynet", 28);
    testing::TempDir dir;
    exportTorchScript(*model, dir / "model.pt", {.softmax = true});
    torch::NoGradGuard noGrad;
    const auto probabilities = torch::jit::load((dir / "model.pt").string()).forward({images}).toTensor();
    EXPECT_TRUE(torch::allclose(probabilities, torch::softmax(model->forward(images), 1), 1e-6, 1e-7));
}

// Shrinking (antialiased), enlarging, an exact fit, landscape and portrait, odd crop offsets.
class BakedPreprocessing : public ::testing::TestWithParam<Interpolation> {};

TEST_P(BakedPreprocessing, DecodedPixelsGiveWhatGraftGivesAfterPreprocessForEval) {
    auto model = testing::classifierWithRandomStatistics("tinynet", 4);
    PreprocessSpec input = architectureSpec("tinynet").preprocess;
    input.resizeShorter = 32;
    input.interpolation = GetParam();
    testing::TempDir dir;
    exportTorchScript(*model, dir / "model.pt", {.preprocess = input});
    auto loaded = torch::jit::load((dir / "model.pt").string());
    torch::NoGradGuard noGrad;
    cv::setRNGSeed(3);
    for (const auto& [height, width] : {std::pair{45, 61}, {90, 33}, {20, 17}, {32, 32}, {33, 40}, {31, 100}}) {
        const cv::Mat image = testing::randomImage(height, width, 1);
        const auto expected = model->forward(preprocessForEval(image, input).unsqueeze(0));
        const auto actual = loaded.forward({testing::pixelsOf(image)}).toTensor();
        ASSERT_EQ(actual.sizes(), expected.sizes()) << height << "x" << width;
        EXPECT_LT((actual - expected).abs().max().item<double>(), 1e-5) << height << "x" << width;
    }
    // A batch of same-sized images, N x H x W x C.
    const cv::Mat first = testing::randomImage(50, 40, 1), second = testing::randomImage(50, 40, 1);
    const auto batch = loaded.forward({torch::stack({testing::pixelsOf(first), testing::pixelsOf(second)})}).toTensor();
    const auto expected = model->forward(torch::stack({preprocessForEval(first, input), preprocessForEval(second, input)}));
    EXPECT_LT((batch - expected).abs().max().item<double>(), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Interpolations, BakedPreprocessing,
                         ::testing::Values(Interpolation::Bilinear, Interpolation::Bicubic),
                         [](const auto& info) { return info.param == Interpolation::Bicubic ? "bicubic" : "bilinear"; });

TEST(TorchScriptExportOptions, BakedPreprocessingSaysWhatInputItExpects) {
    auto model = testing::classifierWithRandomStatistics("tinynet", 4);
    testing::TempDir dir;
    exportTorchScript(*model, dir / "model.pt", {.preprocess = architectureSpec("tinynet").preprocess});
    auto loaded = torch::jit::load((dir / "model.pt").string());
    for (const auto& wrong : {testing::pixelsOf(testing::randomImage(30, 30, 3)), torch::zeros({30, 30, 1}), torch::zeros({30, 30}, torch::kUInt8)}) {
        try {
            loaded.forward({wrong});
            FAIL() << "accepted " << wrong.sizes() << " " << wrong.dtype();
        } catch (const std::exception& error) {
            EXPECT_NE(std::string(error.what()).find("expects uint8 images, H x W x 1 or N x H x W x 1 (gray)"),
                      std::string::npos)
                << error.what();
        }
    }
}

// A pooled classifier with a module no writer knows.
class GeluNetImpl : public PooledClassifierImpl {
public:
    GeluNetImpl() {
        setLayers(torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3)), torch::nn::GELU()),
                  torch::nn::Sequential(torch::nn::Linear(4, 2)));
    }
};

TEST(TorchScriptExportOptions, AModuleItCannotWriteIsRefusedByPathAndNoFileIsLeft) {
    GeluNetImpl model;
    testing::TempDir dir;
    try {
        exportTorchScript(model, dir / "model.pt");
        FAIL() << "GELU has no writer";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("GELU (at 'features.1')"), std::string::npos) << error.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "model.pt"));
}

} // namespace
} // namespace graft
