#include "train/TrainConfig.h"

#include "common/Error.h"

#include <nlohmann/json.hpp>

namespace graft {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainConfig, arch, init, epochs, batchSize, optimizer, learningRate,
                                                schedule, momentum, weightDecay, seed, labelsPerClass, device)

std::string TrainConfig::toJson() const { return nlohmann::json(*this).dump(); }

TrainConfig TrainConfig::fromJson(const std::string& json) {
    try {
        return nlohmann::json::parse(json).get<TrainConfig>();
    } catch (const nlohmann::json::exception& error) {
        throw Error(std::string("invalid training configuration: ") + error.what());
    }
}

void TrainConfig::validate() const {
    if (epochs < 1) throw Error("epochs must be at least 1");
    if (batchSize < 1) throw Error("batch size must be at least 1");
    if (!(learningRate > 0)) throw Error("learning rate must be positive");
    if (weightDecay < 0) throw Error("weight decay must not be negative");
    if (labelsPerClass < 0) throw Error("labels per class must not be negative (0 means all)");
    if (optimizer != "adam" && optimizer != "sgd") throw Error("unknown optimizer '" + optimizer + "' (adam or sgd)");
    if (schedule != "cosine" && schedule != "constant")
        throw Error("unknown schedule '" + schedule + "' (cosine or constant)");
    if (device != "auto" && device != "cpu" && device != "cuda")
        throw Error("unknown device '" + device + "' (auto, cpu or cuda)");
}

} // namespace graft
