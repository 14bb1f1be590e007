#include "train/RelayedEvent.h"

#include "common/Error.h"
#include "train/ByteTensors.h"

#include <nlohmann/json.hpp>
#include <torch/serialize.h>

namespace graft {
namespace {

using nlohmann::json;

json optionalJson(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }
std::optional<double> optionalOf(const json& value) {
    return value.is_null() ? std::nullopt : std::optional<double>(value.get<double>());
}

json epochJson(const EpochEvent& event) {
    auto tasks = json::array();
    for (const auto& task : event.tasks)
        tasks.push_back({task.task, task.valLoss, task.valAccuracy, task.lossWeight});
    return {{"epoch", event.epoch},
            {"epochs", event.epochs},
            {"step", event.step},
            {"trainLoss", event.trainLoss},
            {"trainAccuracy", event.trainAccuracy},
            {"validated", event.validated},
            {"valLoss", event.valLoss},
            {"valAccuracy", event.valAccuracy},
            {"seconds", event.seconds},
            {"dataWaitSeconds", event.dataWaitSeconds},
            {"recalibrationSeconds", event.recalibrationSeconds},
            {"validationSeconds", event.validationSeconds},
            {"unlabelledKeptShare", optionalJson(event.unlabelledKeptShare)},
            {"adaptationLoss", optionalJson(event.adaptationLoss)},
            {"tasks", tasks}};
}

EpochEvent epochOf(const json& value) {
    EpochEvent event;
    event.epoch = value.at("epoch");
    event.epochs = value.at("epochs");
    event.step = value.at("step");
    event.trainLoss = value.at("trainLoss");
    event.trainAccuracy = value.at("trainAccuracy");
    event.validated = value.at("validated");
    event.valLoss = value.at("valLoss");
    event.valAccuracy = value.at("valAccuracy");
    event.seconds = value.at("seconds");
    event.dataWaitSeconds = value.at("dataWaitSeconds");
    event.recalibrationSeconds = value.at("recalibrationSeconds");
    event.validationSeconds = value.at("validationSeconds");
    event.unlabelledKeptShare = optionalOf(value.at("unlabelledKeptShare"));
    event.adaptationLoss = optionalOf(value.at("adaptationLoss"));
    for (const auto& task : value.at("tasks")) event.tasks.push_back({task.at(0), task.at(1), task.at(2), task.at(3)});
    return event;
}

constexpr const char* kKindNames[] = {"step", "epoch", "checkpoint", "log", "outcome", "failure"};

} // namespace

RelayedEvent RelayedEvent::of(const StepEvent& event) {
    RelayedEvent relayed;
    relayed.kind = Kind::Step;
    relayed.step = event;
    return relayed;
}

RelayedEvent RelayedEvent::of(const EpochEvent& event) {
    RelayedEvent relayed;
    relayed.kind = Kind::Epoch;
    relayed.epoch = event;
    return relayed;
}

RelayedEvent RelayedEvent::of(const CheckpointEvent& event) {
    RelayedEvent relayed;
    relayed.kind = Kind::Checkpoint;
    relayed.checkpointKind = event.kind;
    relayed.checkpointEpoch = event.epoch;
    relayed.checkpointStep = event.step;
    relayed.weights.assign(event.weights.begin(), event.weights.end());
    relayed.trainingState.assign(event.trainingState.begin(), event.trainingState.end());
    if (event.frozen) relayed.frozen = *event.frozen;
    return relayed;
}

RelayedEvent RelayedEvent::log(std::string_view message) {
    RelayedEvent relayed;
    relayed.kind = Kind::Log;
    relayed.text = message;
    return relayed;
}

RelayedEvent RelayedEvent::ended(const TrainOutcome& outcome) {
    RelayedEvent relayed;
    relayed.kind = Kind::Outcome;
    relayed.outcome = outcome;
    return relayed;
}

RelayedEvent RelayedEvent::failed(std::string_view reason) {
    RelayedEvent relayed;
    relayed.kind = Kind::Failure;
    relayed.text = reason;
    return relayed;
}

void RelayedEvent::replayTo(TrainObserver& observer) const {
    switch (kind) {
    case Kind::Step: observer.onStep(step); break;
    case Kind::Epoch: observer.onEpoch(epoch); break;
    case Kind::Checkpoint:
        observer.onCheckpoint({checkpointKind, checkpointEpoch, checkpointStep, weights, trainingState, frozen ? &*frozen : nullptr});
        break;
    case Kind::Log: observer.onLog(text); break;
    case Kind::Outcome:
    case Kind::Failure: break;
    }
}

std::vector<std::uint8_t> RelayedEvent::toBytes() const {
    json fields{{"text", text}};
    if (kind == Kind::Step)
        fields["step"] = {step.step, step.epoch, step.stepsPerEpoch, step.loss, step.learningRate};
    if (kind == Kind::Epoch) fields["epoch"] = epochJson(epoch);
    if (kind == Kind::Checkpoint)
        fields["checkpoint"] = {checkpointKind == CheckpointKind::Best ? "best" : "last", checkpointEpoch, checkpointStep,
                                frozen ? frozen->sha256 : std::string()};
    if (kind == Kind::Outcome)
        fields["outcome"] = {{"finished", outcome.status == TrainStatus::Finished},
                             {"epochsCompleted", outcome.epochsCompleted},
                             {"steps", outcome.steps},
                             {"lastEpoch", epochJson(outcome.lastEpoch)},
                             {"stoppedEarly", outcome.stoppedEarly}};
    c10::impl::GenericList message(c10::AnyType::get());
    message.push_back(std::string(kKindNames[int(kind)]));
    message.push_back(fields.dump());
    message.push_back(tensorOfBytes(weights));
    message.push_back(tensorOfBytes(trainingState));
    message.push_back(tensorOfBytes(frozen ? frozen->weights : std::vector<std::uint8_t>()));
    const auto bytes = torch::pickle_save(message);
    return {bytes.begin(), bytes.end()};
}

RelayedEvent RelayedEvent::fromBytes(std::span<const std::uint8_t> bytes) {
    RelayedEvent relayed;
    try {
        const auto list = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end())).toList();
        if (list.size() != 5) throw Error("a worker sent an event of another Graft version");
        const std::string kind = list.get(0).toStringRef();
        const auto known = std::find(std::begin(kKindNames), std::end(kKindNames), kind);
        if (known == std::end(kKindNames)) throw Error("a worker sent an event of unknown kind '" + kind + "'");
        relayed.kind = Kind(known - std::begin(kKindNames));
        const auto fields = json::parse(list.get(1).toStringRef());
        relayed.text = fields.at("text");
        if (relayed.kind == Kind::Step) {
            const auto& step = fields.at("step");
            relayed.step = {step.at(0), step.at(1), step.at(2), step.at(3), step.at(4)};
        }
        if (relayed.kind == Kind::Epoch) relayed.epoch = epochOf(fields.at("epoch"));
        if (relayed.kind == Kind::Checkpoint) {
            const auto& checkpoint = fields.at("checkpoint");
            relayed.checkpointKind = checkpoint.at(0) == "best" ? CheckpointKind::Best : CheckpointKind::Last;
            relayed.checkpointEpoch = checkpoint.at(1);
            relayed.checkpointStep = checkpoint.at(2);
            relayed.weights = bytesOfTensor(list.get(2).toTensor());
            relayed.trainingState = bytesOfTensor(list.get(3).toTensor());
            if (const std::string sha256 = checkpoint.at(3); !sha256.empty())
                relayed.frozen = FrozenWeights{sha256, bytesOfTensor(list.get(4).toTensor())};
        }
        if (relayed.kind == Kind::Outcome) {
            const auto& outcome = fields.at("outcome");
            relayed.outcome.status = outcome.at("finished").get<bool>() ? TrainStatus::Finished : TrainStatus::Cancelled;
            relayed.outcome.epochsCompleted = outcome.at("epochsCompleted");
            relayed.outcome.steps = outcome.at("steps");
            relayed.outcome.lastEpoch = epochOf(outcome.at("lastEpoch"));
            relayed.outcome.stoppedEarly = outcome.at("stoppedEarly");
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& error) {
        throw Error(std::string("a worker sent something that is not this Graft's training event: ") + error.what());
    }
    return relayed;
}

} // namespace graft
