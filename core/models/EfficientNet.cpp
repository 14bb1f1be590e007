#include "models/EfficientNet.h"

#include "models/ConvNormActivation.h"
#include "models/ResidualBranch.h"
#include "models/SqueezeExcitation.h"

#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <array>

namespace graft {
namespace {

// MBConv: expand (1x1, unless the ratio is 1) - depthwise (kxk) - squeeze-excitation - project
// (1x1, no activation), SiLU throughout. The residual branch is dropped per sample with
// probability `dropProbability` while training (torchvision's StochasticDepth, "row" mode).
class MBConvImpl : public torch::nn::Module, public ResidualBranch {
public:
    MBConvImpl(int in, int out, int kernel, int stride, int expandRatio, double dropProbability)
        : residual_(stride == 1 && in == out), dropProbability_(dropProbability) {
        const int expanded = in * expandRatio;
        torch::nn::Sequential block;
        if (expanded != in) block->push_back(ConvNormActivation(in, expanded, 1, 1, 1, Activation::Silu));
        block->push_back(ConvNormActivation(expanded, expanded, kernel, stride, expanded, Activation::Silu));
        block->push_back(SqueezeExcitation(expanded, std::max(1, in / 4), SqueezeExcitationImpl::Style::SiluSigmoid));
        block->push_back(ConvNormActivation(expanded, out, 1, 1, 1, Activation::None));
        block_ = register_module("block", block);
    }

    torch::Tensor forward(torch::Tensor x) {
        auto result = block_->forward(x);
        if (!residual_) return result;
        if (is_training() && dropProbability_ > 0) {
            const double keep = 1.0 - dropProbability_;
            const auto mask = torch::empty({result.size(0), 1, 1, 1}, result.options()).bernoulli_(keep).div_(keep);
            result = result * mask;
        }
        return result + x;
    }
    bool residual() const override { return residual_; }
    std::string branchChild() const override { return "block"; }

private:
    torch::nn::Sequential block_{nullptr};
    bool residual_;
    double dropProbability_;
};
TORCH_MODULE(MBConv);

// A stage's blocks, children "0", "1", ...; a concrete forward() lets it sit inside `features`.
class StageImpl : public torch::nn::SequentialImpl {
public:
    torch::Tensor forward(torch::Tensor x) { return SequentialImpl::forward(x); }
};
TORCH_MODULE(Stage);

struct StageSetting {
    int expandRatio, kernel, stride, in, out, layers;
};

// Table 1 of the EfficientNet paper as torchvision's _efficientnet_conf writes it (B0: width and depth 1.0).
constexpr std::array<StageSetting, 7> kStages = {{{1, 3, 1, 32, 16, 1},
                                                  {6, 3, 2, 16, 24, 2},
                                                  {6, 5, 2, 24, 40, 2},
                                                  {6, 3, 2, 40, 80, 3},
                                                  {6, 5, 1, 80, 112, 3},
                                                  {6, 5, 2, 112, 192, 4},
                                                  {6, 3, 1, 192, 320, 1}}};
constexpr double kStochasticDepth = 0.2;

} // namespace

EfficientNetB0Impl::EfficientNetB0Impl(int numClasses) {
    int totalBlocks = 0;
    for (const auto& stage : kStages) totalBlocks += stage.layers;

    torch::nn::Sequential features;
    features->push_back(ConvNormActivation(3, kStages.front().in, 3, 2, 1, Activation::Silu));
    int blockIndex = 0;
    for (const auto& stage : kStages) {
        Stage blocks;
        for (int i = 0; i < stage.layers; ++i, ++blockIndex) {
            // The drop probability grows linearly with depth, as in torchvision.
            const double drop = kStochasticDepth * blockIndex / totalBlocks;
            blocks->push_back(MBConv(i == 0 ? stage.in : stage.out, stage.out, stage.kernel, i == 0 ? stage.stride : 1,
                                     stage.expandRatio, drop));
        }
        features->push_back(blocks);
    }
    features->push_back(ConvNormActivation(kStages.back().out, kFeatureWidth, 1, 1, 1, Activation::Silu));
    setLayers(features, torch::nn::Sequential(torch::nn::Dropout(0.2), torch::nn::Linear(kFeatureWidth, numClasses)));
}

} // namespace graft
