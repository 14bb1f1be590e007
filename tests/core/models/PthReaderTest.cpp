#include "common/Error.h"
#include "models/PthReader.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>

namespace graft {
namespace {

// Written by tests/fixtures/make_torchvision_fixtures.py (Debian's torch.save) in the ctest fixture step.
const std::filesystem::path kFixtures = TORCHVISION_FIXTURE_DIR;

std::map<std::string, torch::Tensor> byName(const NamedTensors& tensors) {
    return {tensors.begin(), tensors.end()};
}

std::string errorOf(const std::string& file) {
    try {
        readPthFile(kFixtures / file);
    } catch (const Error& error) {
        return error.what();
    }
    return "(no error)";
}

class PthReader : public ::testing::TestWithParam<std::string> {};

TEST_P(PthReader, ReadsEveryDtypeViewAndSharedStorageAsTorchSavedThem) {
    const auto tensors = readPthFile(kFixtures / ("tensors" + GetParam() + ".pth"));
    ASSERT_EQ(tensors.size(), 10u);
    EXPECT_EQ(tensors.front().first, "float"); // insertion order kept
    auto t = byName(tensors);
    EXPECT_TRUE(torch::equal(t["float"], torch::arange(6, torch::kFloat32).reshape({2, 3}) * 0.5));
    EXPECT_TRUE(torch::equal(t["transposed"], torch::arange(12, torch::kFloat32).reshape({3, 4}).t()));
    EXPECT_TRUE(torch::equal(t["sliced"], torch::arange(3, 7, torch::kFloat64)));
    EXPECT_EQ(t["base"].numel(), 10);
    EXPECT_TRUE(torch::equal(t["long"], torch::tensor({std::int64_t(-3), std::int64_t(1) << 40})));
    EXPECT_TRUE(torch::equal(t["bytes"], torch::tensor({0, 255}, torch::kUInt8)));
    EXPECT_TRUE(torch::equal(t["flags"], torch::tensor({true, false})));
    EXPECT_TRUE(torch::equal(t["half"], torch::tensor({1.5, -2.0}, torch::kFloat16)));
    EXPECT_TRUE(torch::equal(t["param"], torch::full({2, 2}, 4.0f)));
    EXPECT_EQ(t["scalar"].dim(), 0);
    EXPECT_EQ(t["scalar"].item<float>(), 7.0f);
}

TEST_P(PthReader, UnwrapsStateDictAndStripsDataParallelPrefix) {
    const auto tensors = readPthFile(kFixtures / ("wrapped" + GetParam() + ".pth"));
    ASSERT_EQ(tensors.size(), 2u);
    EXPECT_EQ(tensors[0].first, "a");
    EXPECT_EQ(tensors[1].first, "b");
    EXPECT_EQ(tensors[1].second.numel(), 3);
}

// A real torchvision state_dict (OrderedDict with _metadata, as in the official files),
// checked tensor by tensor against sums computed by torch in Python.
TEST_P(PthReader, MatchesTorchvisionStateDictTensorByTensor) {
    const auto tensors = readPthFile(kFixtures / ("torchvision_state_dict" + GetParam() + ".pth"));
    std::ifstream file(kFixtures / "torchvision_state_dict.json");
    const auto expected = nlohmann::json::parse(file);
    ASSERT_EQ(tensors.size(), expected.size());
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const auto& [name, tensor] = tensors[i];
        const auto& reference = expected[i];
        ASSERT_EQ(name, reference["name"]);
        EXPECT_EQ(tensor.sizes().vec(), reference["shape"].get<std::vector<std::int64_t>>()) << name;
        const double sum = tensor.to(torch::kFloat64).sum().item<double>();
        EXPECT_NEAR(sum, reference["sum"].get<double>(), 1e-6 * (1 + std::abs(sum))) << name;
        if (tensor.numel() > 0) {
            EXPECT_EQ(tensor.flatten()[0].to(torch::kFloat64).item<double>(), reference["first"].get<double>()) << name;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Formats, PthReader, ::testing::Values("", "_legacy"),
                         [](const auto& info) { return info.param.empty() ? "Zip" : "Legacy"; });

TEST(PthReaderSafety, RefusesOsSystemWithoutRunningIt) {
    const std::string error = errorOf("exploit_system.pth");
    EXPECT_NE(error.find("exploit_system.pth"), std::string::npos) << error;
    EXPECT_NE(error.find("refuses to load 'posix.system'"), std::string::npos) << error;
    EXPECT_FALSE(std::filesystem::exists(kFixtures / "exploit-ran"));
}

TEST(PthReaderSafety, RefusesBuiltinsEvalWithoutRunningIt) {
    const std::string error = errorOf("exploit_eval.pth");
    // Protocol 2 pickles name Python 3's builtins by their Python 2 module (fix_imports).
    EXPECT_NE(error.find("refuses to load '__builtin__.eval'"), std::string::npos) << error;
    EXPECT_FALSE(std::filesystem::exists(kFixtures / "exploit-ran"));
}

TEST(PthReaderSafety, RefusesAStrideThatWouldWrapAroundInsteadOfReadingOutOfBounds) {
    const std::string error = errorOf("hostile_stride.pth");
    EXPECT_NE(error.find("tensor 'wrap' reaches outside its storage"), std::string::npos) << error;
}

TEST(PthReaderSafety, TruncatedArchiveIsAClearError) {
    const std::string error = errorOf("truncated.pth");
    EXPECT_NE(error.find("truncated.pth: is a damaged or truncated checkpoint archive"), std::string::npos) << error;
}

TEST(PthReaderSafety, TextFileIsNotACheckpoint) {
    const std::string error = errorOf("notes.pth");
    EXPECT_NE(error.find("notes.pth: is not a PyTorch checkpoint"), std::string::npos) << error;
}

} // namespace
} // namespace graft
