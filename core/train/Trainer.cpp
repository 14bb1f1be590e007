#include "train/Trainer.h"

#include "common/Error.h"
#include "models/Weights.h"
#include "train/Evaluation.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <chrono>
#include <cmath>

namespace graft {

Trainer::Trainer(std::shared_ptr<ClassifierImpl> model, TrainConfig config, torch::Device device)
    : model_(std::move(model)), config_(std::move(config)), device_(device) {}

std::unique_ptr<torch::optim::Optimizer> Trainer::makeOptimizer() const {
    std::vector<torch::Tensor> trainable;
    for (const auto& parameter : model_->parameters())
        if (parameter.requires_grad()) trainable.push_back(parameter);
    if (config_.optimizer == "sgd") {
        return std::make_unique<torch::optim::SGD>(
            trainable,
            torch::optim::SGDOptions(config_.learningRate).momentum(config_.momentum).weight_decay(config_.weightDecay));
    }
    return std::make_unique<torch::optim::AdamW>(
        trainable, torch::optim::AdamWOptions(config_.learningRate).weight_decay(config_.weightDecay));
}

// Cosine decay from the base rate towards 0 at the last step: the model a run ends with is
// not caught mid-oscillation at a high learning rate.
double Trainer::learningRateAt(std::int64_t step, std::int64_t totalSteps) const {
    if (config_.schedule == "constant") return config_.learningRate;
    const double progress = double(step - 1) / double(std::max<std::int64_t>(totalSteps, 1));
    return config_.learningRate * 0.5 * (1.0 + std::cos(M_PI * progress));
}

TrainOutcome Trainer::train(const LabeledTensors& trainSet, const LabeledTensors& valSet, TrainObserver& observer,
                            std::stop_token stop) {
    model_->to(device_);
    auto optimizer = makeOptimizer();
    // A private generator keeps the batch order a function of the seed alone.
    auto shuffler = at::make_generator<at::CPUGeneratorImpl>(config_.seed);
    const std::int64_t batch = config_.batchSize;
    const std::int64_t stepsPerEpoch = (trainSet.size() + batch - 1) / batch;

    TrainOutcome outcome;
    for (int epoch = 1; epoch <= config_.epochs; ++epoch) {
        const auto started = std::chrono::steady_clock::now();
        model_->train();
        const auto order = torch::randperm(trainSet.size(), shuffler, torch::kLong);
        double lossSum = 0;
        std::int64_t correct = 0;
        for (std::int64_t begin = 0; begin < trainSet.size(); begin += batch) {
            if (stop.stop_requested()) {
                outcome.status = TrainStatus::Cancelled;
                return outcome;
            }
            const auto indices = order.slice(0, begin, std::min(begin + batch, trainSet.size()));
            const auto images = trainSet.images.index_select(0, indices).to(device_);
            const auto labels = trainSet.labels.index_select(0, indices).to(device_);

            const double learningRate = learningRateAt(outcome.steps + 1, stepsPerEpoch * config_.epochs);
            for (auto& group : optimizer->param_groups()) group.options().set_lr(learningRate);
            optimizer->zero_grad();
            const auto logits = model_->forward(images);
            const auto loss = torch::nn::functional::cross_entropy(logits, labels);
            loss.backward();
            optimizer->step();

            const double lossValue = loss.item<double>();
            ++outcome.steps;
            if (!std::isfinite(lossValue))
                throw Error("training diverged: the loss became " + std::to_string(lossValue) + " at step " +
                            std::to_string(outcome.steps) + "; try a lower learning rate");
            lossSum += lossValue * double(indices.size(0));
            correct += logits.argmax(1).eq(labels).sum().item<std::int64_t>();
            observer.onStep({outcome.steps, epoch, stepsPerEpoch, lossValue, learningRate});
        }

        EpochEvent event;
        event.epoch = epoch;
        event.epochs = config_.epochs;
        event.step = outcome.steps;
        event.trainLoss = lossSum / double(trainSet.size());
        event.trainAccuracy = double(correct) / double(trainSet.size());
        if (valSet.size() > 0) {
            const auto validation = evaluate(*model_, valSet, config_.batchSize, device_, stop);
            if (!validation.complete) {
                outcome.status = TrainStatus::Cancelled;
                return outcome;
            }
            event.validated = true;
            event.valLoss = validation.loss;
            event.valAccuracy = validation.accuracy;
        }
        event.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        observer.onEpoch(event);
        observer.onCheckpoint(epoch, outcome.steps, serializeWeights(*model_));
        outcome.epochsCompleted = epoch;
        outcome.lastEpoch = event;
    }
    return outcome;
}

} // namespace graft
