#include "train/TrainingState.h"

#include "common/Error.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <sstream>

namespace graft {
namespace {

constexpr std::int64_t kFormatVersion = 1;

torch::Tensor bytesTensor(const std::string& bytes) {
    return torch::from_blob(const_cast<char*>(bytes.data()), {std::int64_t(bytes.size())}, torch::kUInt8).clone();
}

std::string tensorBytes(const torch::Tensor& tensor) {
    const auto contiguous = tensor.contiguous();
    return {static_cast<const char*>(contiguous.data_ptr()), std::size_t(contiguous.numel())};
}

std::int64_t readInteger(torch::serialize::InputArchive& archive, const char* key) {
    torch::Tensor value;
    archive.read(key, value);
    return value.item<std::int64_t>();
}

double readNumber(torch::serialize::InputArchive& archive, const char* key) {
    torch::Tensor value;
    archive.read(key, value);
    return value.item<double>();
}

} // namespace

std::vector<std::uint8_t> TrainingState::toBytes() const {
    torch::serialize::OutputArchive archive;
    const auto integer = [&](const char* key, std::int64_t value) { archive.write(key, torch::tensor(value)); };
    const auto number = [&](const char* key, double value) { archive.write(key, torch::tensor(value, torch::kFloat64)); };
    integer("format_version", kFormatVersion);
    integer("epoch", progress.epoch);
    integer("prepared_epoch", progress.preparedEpoch);
    integer("position", progress.position);
    integer("steps", progress.steps);
    archive.write("order", progress.order.defined() ? progress.order : torch::empty({0}, torch::kLong));
    number("loss_sum", progress.lossSum);
    integer("correct", progress.correct);
    number("best_score", progress.bestScore);
    integer("epochs_without_gain", progress.epochsWithoutGain);
    number("loss_scale", progress.lossScale);
    integer("steps_since_scale_change", progress.stepsSinceScaleChange);
    archive.write("optimizer", bytesTensor(optimizer));
    archive.write("shuffler_state", shufflerState);
    archive.write("default_generator_state", defaultGeneratorState);
    // Written only when used, so a supervised run's state is what it always was.
    if (progress.unlabelledSeen > 0) {
        number("unlabelled_kept", progress.unlabelledKept);
        integer("unlabelled_seen", progress.unlabelledSeen);
    }
    integer("averaged_weights", std::int64_t(averagedWeights.size()));
    for (std::size_t i = 0; i < averagedWeights.size(); ++i)
        archive.write("averaged_weight_" + std::to_string(i), averagedWeights[i]);
    if (progress.adaptationLossSum != 0) number("adaptation_loss_sum", progress.adaptationLossSum);
    if (taskLogVariances.defined()) archive.write("task_log_variances", taskLogVariances);
    if (!domainClassifier.empty()) {
        integer("domain_classifier_tensors", std::int64_t(domainClassifier.size()));
        for (std::size_t i = 0; i < domainClassifier.size(); ++i)
            archive.write("domain_classifier_" + std::to_string(i), domainClassifier[i]);
    }
    std::ostringstream stream;
    archive.save_to(stream);
    const std::string bytes = stream.str();
    return {bytes.begin(), bytes.end()};
}

TrainingState TrainingState::fromBytes(std::span<const std::uint8_t> bytes) {
    TrainingState state;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        if (readInteger(archive, "format_version") != kFormatVersion)
            throw Error("the checkpoint's training state has another format version");
        auto& progress = state.progress;
        progress.epoch = int(readInteger(archive, "epoch"));
        progress.preparedEpoch = int(readInteger(archive, "prepared_epoch"));
        progress.position = readInteger(archive, "position");
        progress.steps = readInteger(archive, "steps");
        archive.read("order", progress.order);
        if (progress.order.numel() == 0) progress.order = torch::Tensor();
        progress.lossSum = readNumber(archive, "loss_sum");
        progress.correct = readInteger(archive, "correct");
        progress.bestScore = readNumber(archive, "best_score");
        progress.epochsWithoutGain = int(readInteger(archive, "epochs_without_gain"));
        progress.lossScale = readNumber(archive, "loss_scale");
        progress.stepsSinceScaleChange = readInteger(archive, "steps_since_scale_change");
        torch::Tensor optimizer;
        archive.read("optimizer", optimizer);
        state.optimizer = tensorBytes(optimizer);
        archive.read("shuffler_state", state.shufflerState);
        archive.read("default_generator_state", state.defaultGeneratorState);
        torch::Tensor value;
        if (archive.try_read("unlabelled_seen", value)) {
            progress.unlabelledSeen = value.item<std::int64_t>();
            progress.unlabelledKept = readNumber(archive, "unlabelled_kept");
        }
        if (archive.try_read("averaged_weights", value)) {
            state.averagedWeights.resize(std::size_t(value.item<std::int64_t>()));
            for (std::size_t i = 0; i < state.averagedWeights.size(); ++i)
                archive.read("averaged_weight_" + std::to_string(i), state.averagedWeights[i]);
        }
        // Fresh tensors: reading into one that holds another type reinterprets its bytes.
        if (torch::Tensor sum; archive.try_read("adaptation_loss_sum", sum)) progress.adaptationLossSum = sum.item<double>();
        if (torch::Tensor variances; archive.try_read("task_log_variances", variances)) state.taskLogVariances = variances;
        if (torch::Tensor count; archive.try_read("domain_classifier_tensors", count)) {
            state.domainClassifier.resize(std::size_t(count.item<std::int64_t>()));
            for (std::size_t i = 0; i < state.domainClassifier.size(); ++i)
                archive.read("domain_classifier_" + std::to_string(i), state.domainClassifier[i]);
        }
    } catch (const Error&) {
        throw;
    } catch (const c10::Error& error) {
        throw Error(std::string("the checkpoint's training state is unreadable: ") + error.what_without_backtrace());
    }
    return state;
}

} // namespace graft
