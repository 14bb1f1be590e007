#include "train/RunSpec.h"

#include "common/Error.h"

#include <nlohmann/json.hpp>

namespace graft {

std::string RunSpec::toJson() const {
    nlohmann::json json{{"train", nlohmann::json::parse(config.toJson())}, {"classes", classes}, {"trainFingerprint", trainFingerprint}};
    if (!tasks.empty()) {
        json["tasks"] = nlohmann::json::array();
        for (const auto& task : tasks) json["tasks"].push_back({{"name", task.name}, {"classes", task.classes}});
    }
    return json.dump();
}

RunSpec RunSpec::fromJson(const std::string& json) {
    try {
        const auto parsed = nlohmann::json::parse(json);
        std::vector<TaskHead> tasks;
        for (const auto& task : parsed.value("tasks", nlohmann::json::array()))
            tasks.push_back({task.at("name").get<std::string>(), task.at("classes").get<std::vector<std::string>>()});
        return {TrainConfig::fromJson(parsed.at("train").dump()), parsed.at("classes").get<std::vector<std::string>>(),
                parsed.value("trainFingerprint", std::string()), std::move(tasks)};
    } catch (const nlohmann::json::exception& error) {
        throw Error(std::string("invalid run configuration: ") + error.what());
    }
}

} // namespace graft
