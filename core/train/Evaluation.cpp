#include "train/Evaluation.h"

#include <torch/nn/functional/loss.h>

namespace graft {

Evaluation evaluate(ClassifierImpl& model, const LabeledTensors& data, int batchSize, torch::Device device,
                    std::stop_token stop) {
    model.eval();
    return evaluateWith([&](torch::Tensor images) { return model.forward(images); }, data, batchSize, device, stop);
}

Evaluation evaluateWith(const std::function<torch::Tensor(torch::Tensor)>& logitsOf, const LabeledTensors& data,
                        int batchSize, torch::Device device, std::stop_token stop) {
    torch::NoGradGuard noGrad;
    Evaluation result;
    double lossSum = 0;
    std::int64_t correct = 0;
    for (std::int64_t begin = 0; begin < data.size(); begin += batchSize) {
        if (stop.stop_requested()) {
            result.complete = false;
            break;
        }
        const auto end = std::min(begin + batchSize, data.size());
        const auto images = data.images.slice(0, begin, end).to(device);
        const auto labels = data.labels.slice(0, begin, end).to(device);
        const auto logits = logitsOf(images);
        lossSum += torch::nn::functional::cross_entropy(
                       logits, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                       .item<double>();
        correct += logits.argmax(1).eq(labels).sum().item<std::int64_t>();
        result.count += end - begin;
    }
    if (result.count > 0) {
        result.loss = lossSum / double(result.count);
        result.accuracy = double(correct) / double(result.count);
    }
    return result;
}

} // namespace graft
