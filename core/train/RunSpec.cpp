#include "train/RunSpec.h"

#include "common/Error.h"

#include <nlohmann/json.hpp>

namespace graft {

std::string RunSpec::toJson() const {
    return nlohmann::json{{"train", nlohmann::json::parse(config.toJson())},
                          {"classes", classes},
                          {"trainFingerprint", trainFingerprint}}
        .dump();
}

RunSpec RunSpec::fromJson(const std::string& json) {
    try {
        const auto parsed = nlohmann::json::parse(json);
        return {TrainConfig::fromJson(parsed.at("train").dump()), parsed.at("classes").get<std::vector<std::string>>(),
                parsed.value("trainFingerprint", std::string())};
    } catch (const nlohmann::json::exception& error) {
        throw Error(std::string("invalid run configuration: ") + error.what());
    }
}

} // namespace graft
