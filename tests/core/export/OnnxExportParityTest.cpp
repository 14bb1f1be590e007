#include "export/OnnxExport.h"

#include "models/Architectures.h"
#include "RandomStatistics.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <opencv2/dnn.hpp>

#include <fstream>

namespace graft {
namespace {

class OnnxExport : public ::testing::TestWithParam<std::pair<std::string, int>> {};

// Checked by the ONNX project's own checker (libonnx-dev), and run by an independent runtime:
// OpenCV 4.6's DNN module, one image at a time (it cannot batch squeeze-excitation gates).
TEST_P(OnnxExport, PassesTheOnnxCheckerAndOpenCvDnnReproducesGraftsLogits) {
    const auto& [arch, size] = GetParam();
    auto model = testing::classifierWithRandomStatistics(arch, 5);
    const auto images = testing::randomImages(arch, size);
    testing::TempDir dir;
    const auto file = dir / "model.onnx";
    exportOnnx(*model, file, {.channels = int(images.size(1)), .imageSize = size});

    onnx::ModelProto proto;
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(proto.ParseFromIstream(&in)) << "not a protobuf ModelProto";
    EXPECT_NO_THROW(onnx::checker::check_model(proto));
    EXPECT_EQ(proto.graph().input(0).name(), "images");
    EXPECT_EQ(proto.graph().output(0).name(), "logits");
    for (const auto& node : proto.graph().node())
        EXPECT_NE(node.op_type(), "BatchNormalization") << "every BatchNorm follows a convolution, which takes it in";

    auto net = cv::dnn::readNetFromONNX(file.string());
    torch::NoGradGuard noGrad;
    const auto expected = model->forward(images);
    for (std::int64_t i = 0; i < images.size(0); ++i) {
        const int dims[] = {1, int(images.size(1)), size, size};
        const auto image = images[i].contiguous();
        net.setInput(cv::Mat(4, dims, CV_32F, image.data_ptr<float>()));
        const cv::Mat output = net.forward();
        ASSERT_EQ(output.total(), std::size_t(expected.size(1)));
        const auto actual = torch::from_blob(const_cast<float*>(output.ptr<float>()), {expected.size(1)}, torch::kFloat32);
        EXPECT_LT((actual - expected[i]).abs().max().item<double>(), 1e-4) << "image " << i;
    }
}

// A multi-task model: an output per task, named by it, that the checker passes and OpenCV reproduces.
TEST(MultiTaskOnnxExport, HasAnOutputPerTaskThatOpenCvDnnReproduces) {
    auto model = testing::classifierWithRandomStatistics("tinynet", 5);
    const auto images = testing::randomImages("tinynet", 28);
    const std::vector<HeadColumns> heads = {{"digit", 0, 3}, {"parity", 3, 5}};
    for (const bool softmax : {false, true}) {
        SCOPED_TRACE(softmax ? "probabilities" : "logits");
        testing::TempDir dir;
        const auto file = dir / "model.onnx";
        exportOnnx(*model, file, {.channels = int(images.size(1)), .imageSize = 28, .softmax = softmax, .heads = heads});
        onnx::ModelProto proto;
        std::ifstream in(file, std::ios::binary);
        ASSERT_TRUE(proto.ParseFromIstream(&in));
        EXPECT_NO_THROW(onnx::checker::check_model(proto));
        ASSERT_EQ(proto.graph().output_size(), 2);
        EXPECT_EQ(proto.graph().output(0).name(), "digit");
        EXPECT_EQ(proto.graph().output(1).name(), "parity");

        auto net = cv::dnn::readNetFromONNX(file.string());
        torch::NoGradGuard noGrad;
        const auto expected = model->forward(images);
        for (std::int64_t i = 0; i < images.size(0); ++i) {
            const int dims[] = {1, int(images.size(1)), 28, 28};
            const auto image = images[i].contiguous();
            net.setInput(cv::Mat(4, dims, CV_32F, image.data_ptr<float>()));
            std::vector<cv::Mat> outputs;
            net.forward(outputs, std::vector<cv::String>{"digit", "parity"});
            ASSERT_EQ(outputs.size(), 2u);
            for (std::size_t h = 0; h < heads.size(); ++h) {
                auto want = expected[i].slice(0, heads[h].begin, heads[h].end);
                if (softmax) want = torch::softmax(want, 0);
                ASSERT_EQ(outputs[h].total(), std::size_t(want.size(0)));
                const auto actual = torch::from_blob(const_cast<float*>(outputs[h].ptr<float>()), {want.size(0)}, torch::kFloat32);
                EXPECT_LT((actual - want).abs().max().item<double>(), 1e-4) << heads[h].name << ", image " << i;
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Architectures, OnnxExport,
                         ::testing::Values(std::pair{"tinynet", 28}, std::pair{"resnet18", 224},
                                           std::pair{"mobilenet_v2", 224}, std::pair{"mobilenet_v3_small", 224},
                                           std::pair{"mobilenet_v3_large", 224}, std::pair{"efficientnet_b0", 224}),
                         [](const auto& info) { return info.param.first; });

} // namespace
} // namespace graft
