#include "train/FixMatchLoss.h"

#include "common/Error.h"

#include <torch/nn/functional/loss.h>
#include <torch/torch.h>

#include <string>

namespace graft {

UnlabelledLoss fixMatchUnlabelledLoss(const torch::Tensor& weakLogits, const torch::Tensor& strongLogits, double threshold) {
    if (weakLogits.dim() != 2 || weakLogits.sizes() != strongLogits.sizes())
        throw Error("FixMatch needs the weak and strong views' logits as two N x classes tensors of the same shape");
    UnlabelledLoss result;
    {
        torch::NoGradGuard pseudoLabelsAreTargets;
        const auto [top, labels] = torch::softmax(weakLogits.detach().to(torch::kFloat), 1).max(1);
        result.mask = top.ge(threshold).to(torch::kFloat);
        result.labels = labels;
    }
    namespace F = torch::nn::functional;
    const auto perImage = F::cross_entropy(strongLogits.to(torch::kFloat), result.labels, F::CrossEntropyFuncOptions().reduction(torch::kNone));
    result.loss = (perImage * result.mask).mean();
    return result;
}

} // namespace graft
