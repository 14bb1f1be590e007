#pragma once

#include <torch/types.h>

#include <string>

namespace graft {

// The inference-mode operations a classifier is written out in. Each call returns the name of
// its result; a writer (TorchScript source, an ONNX graph) turns them into its own form. `path`
// is the state_dict prefix of the weights an operation reads.
class ExportGraph {
public:
    virtual ~ExportGraph() = default;

    virtual std::string input() = 0; // N x C x H x W images
    virtual std::string conv2d(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                               torch::IntArrayRef stride, torch::IntArrayRef padding, torch::IntArrayRef dilation,
                               std::int64_t groups, const std::string& x) = 0; // bias may be undefined
    virtual std::string batchNorm(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                                  const torch::Tensor& runningMean, const torch::Tensor& runningVar, double eps,
                                  const std::string& x) = 0;
    virtual std::string relu(const std::string& x) = 0;
    virtual std::string clamp(const std::string& x, double low, double high) = 0;
    virtual std::string sigmoid(const std::string& x) = 0;
    virtual std::string hardSigmoid(const std::string& x) = 0; // relu6(x + 3) / 6
    virtual std::string silu(const std::string& x) = 0;        // x * sigmoid(x)
    virtual std::string hardswish(const std::string& x) = 0;   // x * relu6(x + 3) / 6
    virtual std::string maxPool(const std::string& x, torch::IntArrayRef kernel, torch::IntArrayRef stride,
                                torch::IntArrayRef padding, torch::IntArrayRef dilation, bool ceilMode) = 0;
    virtual std::string add(const std::string& a, const std::string& b) = 0;
    virtual std::string multiply(const std::string& a, const std::string& b) = 0; // b may be N x C x 1 x 1
    virtual std::string spatialMean(const std::string& x) = 0;       // N x C x H x W -> N x C x 1 x 1
    virtual std::string globalAveragePool(const std::string& x) = 0; // N x C x H x W -> N x C
    virtual std::string linear(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                               const std::string& x) = 0; // bias may be undefined
    virtual std::string softmax(const std::string& x) = 0; // over classes
};

class ClassifierImpl;

// Writes `model`'s forward() in inference mode (BatchNorm on running statistics, no dropout) into
// `graph` and returns its output. TinyNet, ResNet, MobileNetV2 and V3 and EfficientNet are
// supported; anything else throws graft::Error naming the module and where it sits.
std::string writeClassifier(ClassifierImpl& model, ExportGraph& graph);
// The same up to what the head reads: the globally pooled features (N x C), the output of every
// block but the last.
std::string writeFeatures(ClassifierImpl& model, ExportGraph& graph);

} // namespace graft
