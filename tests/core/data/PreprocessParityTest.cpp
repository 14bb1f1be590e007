#include "data/ImageDecoding.h"
#include "data/Preprocess.h"
#include "models/PthReader.h"

#include <gtest/gtest.h>

#include <map>

namespace graft {
namespace {

// Written by tests/fixtures/make_torchvision_fixtures.py: PNGs and torchvision's
// Resize(256, antialiased when shrinking) -> CenterCrop(224) -> ToTensor -> Normalize(ImageNet).
const std::filesystem::path kFixtures = TORCHVISION_FIXTURE_DIR;

std::map<std::string, torch::Tensor> references() {
    std::map<std::string, torch::Tensor> byName;
    for (auto& [name, tensor] : readPthFile(kFixtures / "preprocessed.pth")) byName[name] = tensor;
    return byName;
}

void expectMatchesTorchvision(const std::string& image, Interpolation interpolation, const std::string& mode) {
    PreprocessSpec spec;
    spec.resizeShorter = 256;
    spec.crop = 224;
    spec.color = ColorMode::Rgb;
    spec.interpolation = interpolation;
    spec.mean = {0.485f, 0.456f, 0.406f};
    spec.std = {0.229f, 0.224f, 0.225f};
    const auto decoded = decodeImage(readFileBytes(kFixtures / (image + ".png")), ColorMode::Rgb);
    const auto ours = preprocessForEval(decoded, spec);
    const auto theirs = references().at(image + "_" + mode);
    ASSERT_EQ(ours.sizes(), theirs.sizes()) << image;
    EXPECT_LE((ours - theirs).abs().max().item<float>(), 1e-6f) << image << " " << mode;
}

TEST(PreprocessParity, ShrinkingMatchesTorchvisionBilinearAndBicubic) {
    expectMatchesTorchvision("large_480x360", Interpolation::Bilinear, "bilinear");
    expectMatchesTorchvision("large_480x360", Interpolation::Bicubic, "bicubic");
}

TEST(PreprocessParity, EnlargingMatchesTorchvision) {
    expectMatchesTorchvision("wide_300x225", Interpolation::Bilinear, "bilinear");
    expectMatchesTorchvision("wide_300x225", Interpolation::Bicubic, "bicubic");
    expectMatchesTorchvision("tall_120x200", Interpolation::Bilinear, "bilinear");
    expectMatchesTorchvision("tall_120x200", Interpolation::Bicubic, "bicubic");
}

TEST(PreprocessParity, GreyImagesFeedRgbBackbonesByReplication) {
    expectMatchesTorchvision("grey_400x300", Interpolation::Bilinear, "bilinear");
}

} // namespace
} // namespace graft
