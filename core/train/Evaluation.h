#pragma once

#include "data/ImageBytesSource.h"
#include "data/TensorDataset.h"
#include "models/Classifier.h"
#include "train/TaskHead.h"

#include <functional>
#include <optional>
#include <stop_token>
#include <vector>

namespace graft {

struct Evaluation {
    double loss = 0;
    double accuracy = 0;
    std::int64_t count = 0;
    bool complete = true; // false when a stop request cut it short
    std::vector<std::int64_t> predictions; // the predicted class of each image, in order
    std::vector<float> confidences;        // the softmax probability of each prediction
    torch::Tensor logits;                  // N x K float32 on the CPU, for calibration
};

// Eval mode, the channels-last layout (ChannelsLast), BatchNorm folded into the convolutions
// (FoldedClassifier, where the architecture allows) and no autograd; restores nothing, callers
// set train() again when they train.
Evaluation evaluate(ClassifierImpl& model, const LabeledTensors& data, int batchSize, torch::Device device,
                    std::stop_token stop = {});

// The same over encoded images, each batch decoded (by loader threads, ahead of the model) and
// preprocessed with preprocessForEval as it is needed: the numbers of evaluate() on their
// tensors, in the memory of a few batches. `head`: judge its outputs alone, as a classifier (one
// task of a multi-task model).
Evaluation evaluateEncoded(ClassifierImpl& model, const ImageBytesSource& encoded, const torch::Tensor& labels,
                           const PreprocessSpec& preprocess, int batchSize, torch::Device device, std::stop_token stop = {},
                           std::optional<HeadColumns> head = std::nullopt);

// The same over any logits function, such as the trainable part of a model on cached features;
// the caller has put the modules it runs in eval mode.
Evaluation evaluateWith(const std::function<torch::Tensor(torch::Tensor)>& logitsOf, const LabeledTensors& data,
                        int batchSize, torch::Device device, std::stop_token stop = {});
// The batch loop every evaluation shares: logitsOfRange(begin, end) over `labels`' rows, batch by
// batch, without autograd, each batch's float32 logits and labels (on `device`) handed to `each`.
// False when a stop request cut it short.
bool forEachLabelledBatch(const std::function<torch::Tensor(std::int64_t, std::int64_t)>& logitsOfRange,
                          const torch::Tensor& labels, int batchSize, torch::Device device, std::stop_token stop,
                          const std::function<void(const torch::Tensor& logits, const torch::Tensor& labels)>& each);

// The same where logitsOfRange(begin, end) finds the inputs of images [begin, end) itself, such as
// features stored in the project.
Evaluation evaluateRanges(const std::function<torch::Tensor(std::int64_t, std::int64_t)>& logitsOfRange,
                          const torch::Tensor& labels, int batchSize, torch::Device device, std::stop_token stop = {});

} // namespace graft
