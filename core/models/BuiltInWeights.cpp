#include "models/BuiltInWeights.h"

#include "common/FindByName.h"
#include "models/BuiltInWeightsData.h"

#include <nlohmann/json.hpp>

namespace graft {

std::vector<BuiltInWeights> builtInWeights() {
    std::vector<BuiltInWeights> all;
    for (const auto& embedded : kEmbeddedWeights) {
        const auto manifest = nlohmann::json::parse(embedded.manifestJson);
        all.push_back({manifest.at("name"), manifest.at("arch"), embedded.manifestJson, embedded.bytes,
                       int(manifest.at("source").at("classes").size()), manifest.at("testAccuracy").get<double>()});
    }
    return all;
}

BuiltInWeights builtInWeights(const std::string& name) { return findByName(builtInWeights(), name, "built-in weights"); }

} // namespace graft
