#include "export/BatchNormFolding.h"

#include "common/Error.h"

#include <algorithm>

namespace graft {

std::pair<torch::Tensor, torch::Tensor> foldBatchNorm(const torch::Tensor& weight, const torch::Tensor& bias,
                                                      const torch::Tensor& gamma, const torch::Tensor& beta,
                                                      const torch::Tensor& runningMean, const torch::Tensor& runningVar,
                                                      double eps) {
    torch::NoGradGuard noGrad;
    const auto scale = gamma.to(torch::kDouble) / (runningVar.to(torch::kDouble) + eps).sqrt();
    const auto shape = std::vector<std::int64_t>{-1, 1, 1, 1};
    auto folded = (weight.to(torch::kDouble) * scale.view(shape)).to(weight.scalar_type());
    const auto before = bias.defined() ? bias.to(torch::kDouble) : torch::zeros_like(scale);
    auto foldedBias = (beta.to(torch::kDouble) + (before - runningMean.to(torch::kDouble)) * scale).to(weight.scalar_type());
    return {folded, foldedBias};
}

std::string BatchNormFolding::conv2d(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                                     torch::IntArrayRef stride, torch::IntArrayRef padding, torch::IntArrayRef dilation,
                                     std::int64_t groups, const std::string& x) {
    std::string name = "held:"; // appended: gcc 12 at -O3 warns falsely on "held:" + std::to_string(n)
    name += std::to_string(++heldCount_);
    HeldConvolution conv{name, path, weight, bias, stride.vec(), padding.vec(),
                         dilation.vec(), groups, resolved(x)};
    held_.push_back(std::move(conv));
    return held_.back().name;
}

std::string BatchNormFolding::batchNorm(const std::string& path, const torch::Tensor& weight, const torch::Tensor& bias,
                                        const torch::Tensor& runningMean, const torch::Tensor& runningVar, double eps,
                                        const std::string& x) {
    const auto conv = std::find_if(held_.begin(), held_.end(), [&](const HeldConvolution& held) { return held.name == x; });
    if (conv == held_.end()) return target_.batchNorm(path, weight, bias, runningMean, runningVar, eps, resolved(x));
    const auto [foldedWeight, foldedBias] = foldBatchNorm(conv->weight, conv->bias, weight, bias, runningMean, runningVar, eps);
    const auto name = write(*conv, foldedWeight, foldedBias);
    folded_.push_back(x);
    held_.erase(conv);
    return name;
}

std::string BatchNormFolding::resolved(const std::string& x) {
    for (const auto& [held, written] : written_)
        if (held == x) return written;
    if (std::find(folded_.begin(), folded_.end(), x) != folded_.end())
        throw Error("BatchNorm folding: the convolution output " + x + " is read after a BatchNorm took it in");
    const auto conv = std::find_if(held_.begin(), held_.end(), [&](const HeldConvolution& held) { return held.name == x; });
    if (conv == held_.end()) return x;
    const auto name = write(*conv, conv->weight, conv->bias);
    written_.emplace_back(x, name);
    held_.erase(conv);
    return name;
}

std::string BatchNormFolding::write(const HeldConvolution& conv, const torch::Tensor& weight, const torch::Tensor& bias) {
    return target_.conv2d(conv.path, weight, bias, conv.stride, conv.padding, conv.dilation, conv.groups, conv.input);
}

} // namespace graft
