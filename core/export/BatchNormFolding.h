#pragma once

#include "export/ExportGraph.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace graft {

// A convolution's weight and bias with the BatchNorm after it (in inference mode) folded in:
// W' = W * s and b' = beta + (b - mean) * s per output channel, s = gamma / sqrt(var + eps),
// computed in double. `bias` may be undefined (zero).
std::pair<torch::Tensor, torch::Tensor> foldBatchNorm(const torch::Tensor& weight, const torch::Tensor& bias,
                                                      const torch::Tensor& gamma, const torch::Tensor& beta,
                                                      const torch::Tensor& runningMean, const torch::Tensor& runningVar,
                                                      double eps);

// Writes into another graph, with every BatchNorm that reads a convolution's output folded into
// that convolution, so the normalisation costs no pass of its own. A convolution is held back
// until the next operation shows whether a BatchNorm reads it; anything else passes through.
class BatchNormFolding : public ExportGraph {
public:
    explicit BatchNormFolding(ExportGraph& target) : target_(target) {}

    std::string input() override { return target_.input(); }
    std::string conv2d(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                       torch::IntArrayRef stride, torch::IntArrayRef padding, torch::IntArrayRef dilation,
                       std::int64_t groups, const std::string& x) override;
    std::string batchNorm(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                          const torch::Tensor& runningMean, const torch::Tensor& runningVar, double eps,
                          const std::string& x) override;
    std::string relu(const std::string& x) override { return target_.relu(resolved(x)); }
    std::string clamp(const std::string& x, double low, double high) override { return target_.clamp(resolved(x), low, high); }
    std::string sigmoid(const std::string& x) override { return target_.sigmoid(resolved(x)); }
    std::string hardSigmoid(const std::string& x) override { return target_.hardSigmoid(resolved(x)); }
    std::string silu(const std::string& x) override { return target_.silu(resolved(x)); }
    std::string hardswish(const std::string& x) override { return target_.hardswish(resolved(x)); }
    std::string maxPool(const std::string& x, torch::IntArrayRef kernel, torch::IntArrayRef stride, torch::IntArrayRef padding,
                        torch::IntArrayRef dilation, bool ceilMode) override {
        return target_.maxPool(resolved(x), kernel, stride, padding, dilation, ceilMode);
    }
    std::string add(const std::string& a, const std::string& b) override {
        const auto left = resolved(a);
        return target_.add(left, resolved(b));
    }
    std::string multiply(const std::string& a, const std::string& b) override {
        const auto left = resolved(a);
        return target_.multiply(left, resolved(b));
    }
    std::string spatialMean(const std::string& x) override { return target_.spatialMean(resolved(x)); }
    std::string globalAveragePool(const std::string& x) override { return target_.globalAveragePool(resolved(x)); }
    std::string linear(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                       const std::string& x) override {
        return target_.linear(path, weight, bias, resolved(x));
    }
    std::string softmax(const std::string& x) override { return target_.softmax(resolved(x)); }

    // The target's name for `x`: a held-back convolution that something other than a BatchNorm
    // reads is written as it is. Call it on the graph's output.
    std::string resolved(const std::string& x);

private:
    struct HeldConvolution {
        std::string name; // what conv2d() returned for it
        std::string path;
        torch::Tensor weight, bias;
        std::vector<std::int64_t> stride, padding, dilation;
        std::int64_t groups = 1;
        std::string input;
    };
    std::string write(const HeldConvolution& conv, const torch::Tensor& weight, const torch::Tensor& bias);

    ExportGraph& target_;
    std::vector<HeldConvolution> held_;
    std::vector<std::pair<std::string, std::string>> written_; // held name -> the target's name
    std::vector<std::string> folded_;                          // held names a BatchNorm took in
    int heldCount_ = 0;
};

} // namespace graft
