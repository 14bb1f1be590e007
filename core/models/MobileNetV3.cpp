#include "models/MobileNetV3.h"

#include "models/ConvNormActivation.h"
#include "models/Hardswish.h"
#include "models/ResidualBranch.h"
#include "models/SqueezeExcitation.h"

#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <vector>

namespace graft {
namespace {

// torchvision's _make_divisible(v, 8): round to a multiple of 8, never dropping more than 10 %.
int makeDivisible(double value) {
    int rounded = std::max(8, int(value + 4) / 8 * 8);
    if (rounded < 0.9 * value) rounded += 8;
    return rounded;
}

// MobileNetV3's BatchNorm: eps 0.001, momentum 0.01.
ConvNormActivation convBnAct(int in, int out, int kernel, int stride, int groups, Activation activation) {
    return ConvNormActivation(in, out, kernel, stride, groups, activation, 0.001, 0.01);
}

struct BlockSetting {
    int in, kernel, expanded, out;
    bool squeezeExcite;
    Activation activation;
    int stride;
};

// Expand (1x1, when widened) - depthwise (kxk) - optional SE - project (1x1, no activation).
class InvertedResidualV3Impl : public torch::nn::Module, public ResidualBranch {
public:
    explicit InvertedResidualV3Impl(const BlockSetting& s) : residual_(s.stride == 1 && s.in == s.out) {
        torch::nn::Sequential block;
        if (s.expanded != s.in) block->push_back(convBnAct(s.in, s.expanded, 1, 1, 1, s.activation));
        block->push_back(convBnAct(s.expanded, s.expanded, s.kernel, s.stride, s.expanded, s.activation));
        if (s.squeezeExcite) block->push_back(SqueezeExcitation(s.expanded, makeDivisible(s.expanded / 4), SqueezeExcitationImpl::Style::ReluHardSigmoid));
        block->push_back(convBnAct(s.expanded, s.out, 1, 1, 1, Activation::None));
        block_ = register_module("block", block);
    }
    torch::Tensor forward(torch::Tensor x) { return residual_ ? block_->forward(x) + x : block_->forward(x); }
    bool residual() const override { return residual_; }
    std::string branchChild() const override { return "block"; }

private:
    torch::nn::Sequential block_{nullptr};
    bool residual_;
};
TORCH_MODULE(InvertedResidualV3);

constexpr auto RE = Activation::Relu;
constexpr auto HS = Activation::Hardswish;

// torchvision's _mobilenet_v3_conf tables (width 1.0, no dilation).
const std::vector<BlockSetting>& settings(MobileNetV3Size size) {
    static const std::vector<BlockSetting> large = {
        {16, 3, 16, 16, false, RE, 1},    {16, 3, 64, 24, false, RE, 2},    {24, 3, 72, 24, false, RE, 1},
        {24, 5, 72, 40, true, RE, 2},     {40, 5, 120, 40, true, RE, 1},    {40, 5, 120, 40, true, RE, 1},
        {40, 3, 240, 80, false, HS, 2},   {80, 3, 200, 80, false, HS, 1},   {80, 3, 184, 80, false, HS, 1},
        {80, 3, 184, 80, false, HS, 1},   {80, 3, 480, 112, true, HS, 1},   {112, 3, 672, 112, true, HS, 1},
        {112, 5, 672, 160, true, HS, 2},  {160, 5, 960, 160, true, HS, 1},  {160, 5, 960, 160, true, HS, 1}};
    static const std::vector<BlockSetting> small = {
        {16, 3, 16, 16, true, RE, 2},  {16, 3, 72, 24, false, RE, 2}, {24, 3, 88, 24, false, RE, 1},
        {24, 5, 96, 40, true, HS, 2},  {40, 5, 240, 40, true, HS, 1}, {40, 5, 240, 40, true, HS, 1},
        {40, 5, 120, 48, true, HS, 1}, {48, 5, 144, 48, true, HS, 1}, {48, 5, 288, 96, true, HS, 2},
        {96, 5, 576, 96, true, HS, 1}, {96, 5, 576, 96, true, HS, 1}};
    return size == MobileNetV3Size::Large ? large : small;
}

} // namespace

MobileNetV3Impl::MobileNetV3Impl(MobileNetV3Size size, int numClasses) {
    const auto& blocks = settings(size);
    torch::nn::Sequential features;
    features->push_back(convBnAct(3, blocks.front().in, 3, 2, 1, HS));
    for (const auto& block : blocks) features->push_back(InvertedResidualV3(block));
    const int lastConv = 6 * blocks.back().out;
    features->push_back(convBnAct(blocks.back().out, lastConv, 1, 1, 1, HS));

    const int hidden = size == MobileNetV3Size::Large ? 1280 : 1024;
    setLayers(features, torch::nn::Sequential(torch::nn::Linear(lastConv, hidden), Hardswish(),
                                            torch::nn::Dropout(0.2), torch::nn::Linear(hidden, numClasses)));
}

} // namespace graft
