#include "train/Evaluation.h"

#include "data/AugmentedBatches.h"
#include "export/FoldedClassifier.h"
#include "models/ChannelsLast.h"
#include "train/AugmentedEpochs.h"

#include <torch/nn/functional/loss.h>


namespace graft {

Evaluation evaluate(ClassifierImpl& model, const LabeledTensors& data, int batchSize, torch::Device device,
                    std::stop_token stop) {
    convertToChannelsLast(model);
    const auto logitsOf = inferenceFunction(model, device);
    return evaluateWith([&](torch::Tensor images) { return logitsOf(channelsLast(images)); }, data, batchSize, device, stop);
}

Evaluation evaluateEncoded(ClassifierImpl& model, const ImageBytesSource& encoded, const torch::Tensor& labels,
                           const PreprocessSpec& preprocess, int batchSize, torch::Device device, std::stop_token stop,
                           std::optional<HeadColumns> head) {
    convertToChannelsLast(model);
    const auto logitsOf = inferenceFunction(model, device);
    AugmentedBatches batches(encoded, preprocess, AugmentSpec{}, inOrderPlan(encoded.size(), batchSize),
                             loaderThreads(TrainConfig{}), kBatchesAhead, device.is_cuda());
    // evaluateRanges asks for the ranges in order, batch after batch.
    return evaluateRanges(
        [&](std::int64_t, std::int64_t) {
            const auto logits = logitsOf(channelsLast(batches.next().to(device)));
            return head ? logits.slice(1, head->begin, head->end) : logits;
        },
        labels, batchSize, device, stop);
}

Evaluation evaluateWith(const std::function<torch::Tensor(torch::Tensor)>& logitsOf, const LabeledTensors& data,
                        int batchSize, torch::Device device, std::stop_token stop) {
    return evaluateRanges(
        [&](std::int64_t begin, std::int64_t end) { return logitsOf(data.images.slice(0, begin, end).to(device)); },
        data.labels, batchSize, device, stop);
}

bool forEachLabelledBatch(const std::function<torch::Tensor(std::int64_t, std::int64_t)>& logitsOfRange,
                          const torch::Tensor& labels, int batchSize, torch::Device device, std::stop_token stop,
                          const std::function<void(const torch::Tensor& logits, const torch::Tensor& labels)>& each) {
    torch::NoGradGuard noGrad;
    const std::int64_t count = labels.defined() ? labels.size(0) : 0;
    for (std::int64_t begin = 0; begin < count; begin += batchSize) {
        if (stop.stop_requested()) return false;
        const auto end = std::min(begin + batchSize, count);
        each(logitsOfRange(begin, end).to(torch::kFloat32), labels.slice(0, begin, end).to(device));
    }
    return true;
}

Evaluation evaluateRanges(const std::function<torch::Tensor(std::int64_t, std::int64_t)>& logitsOfRange,
                          const torch::Tensor& labels, int batchSize, torch::Device device, std::stop_token stop) {
    Evaluation result;
    double lossSum = 0;
    std::int64_t correct = 0;
    std::vector<torch::Tensor> logitBatches;
    result.complete = forEachLabelledBatch(logitsOfRange, labels, batchSize, device, stop,
                                           [&](const torch::Tensor& logits, const torch::Tensor& batchLabels) {
        lossSum += torch::nn::functional::cross_entropy(
                       logits, batchLabels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                       .item<double>();
        const auto [confidence, predicted] = logits.softmax(1).max(1);
        correct += predicted.eq(batchLabels).sum().item<std::int64_t>();
        const auto onCpu = predicted.to(torch::kCPU, torch::kLong).contiguous();
        result.predictions.insert(result.predictions.end(), onCpu.data_ptr<std::int64_t>(),
                                  onCpu.data_ptr<std::int64_t>() + onCpu.numel());
        const auto confidenceOnCpu = confidence.to(torch::kCPU).contiguous();
        result.confidences.insert(result.confidences.end(), confidenceOnCpu.data_ptr<float>(),
                                  confidenceOnCpu.data_ptr<float>() + confidenceOnCpu.numel());
        logitBatches.push_back(logits.to(torch::kCPU));
        result.count += logits.size(0);
    });
    if (!logitBatches.empty()) result.logits = torch::cat(logitBatches);
    if (result.count > 0) {
        result.loss = lossSum / double(result.count);
        result.accuracy = double(correct) / double(result.count);
    }
    return result;
}

} // namespace graft
