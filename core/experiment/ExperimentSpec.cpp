#include "experiment/ExperimentSpec.h"

#include "common/Error.h"
#include "selection/Selection.h"

#include <nlohmann/json.hpp>

#include <set>

namespace graft {
namespace {

std::vector<std::uint64_t> parseSeeds(const nlohmann::json& seeds) {
    std::vector<std::uint64_t> result;
    if (seeds.is_number_integer()) {
        const auto count = seeds.get<std::int64_t>();
        if (count < 1) throw Error("experiment 'seeds' must be at least 1");
        for (std::int64_t seed = 0; seed < count; ++seed) result.push_back(std::uint64_t(seed));
        return result;
    }
    for (const auto& seed : seeds) result.push_back(seed.get<std::uint64_t>());
    if (result.empty()) throw Error("experiment 'seeds' must name at least one seed");
    return result;
}

std::vector<int> parseBudgets(const nlohmann::json& budgets) {
    std::vector<int> result;
    for (const auto& budget : budgets) {
        if (budget.is_string() && budget.get<std::string>() == "all") result.push_back(0);
        else if (budget.is_number_integer() && budget.get<int>() >= 1) result.push_back(budget.get<int>());
        else throw Error("experiment 'budgets' holds " + budget.dump() + "; use labels per class (>= 1) or \"all\"");
    }
    if (result.empty()) throw Error("experiment 'budgets' must name at least one label budget");
    return result;
}

LabellingSimulation parseSimulation(const nlohmann::json& json) {
    LabellingSimulation simulation;
    simulation.strategies = json.at("strategies").get<std::vector<std::string>>();
    simulation.seedLabels = json.value("seedLabels", simulation.seedLabels);
    simulation.perRound = json.value("perRound", simulation.perRound);
    simulation.rounds = json.value("rounds", simulation.rounds);
    std::set<std::string> names;
    for (const auto& strategy : simulation.strategies) {
        strategyFromName(strategy); // throws, listing the names
        if (!names.insert(strategy).second) throw Error("simulation strategy '" + strategy + "' appears twice");
    }
    if (simulation.strategies.size() < 2) throw Error("a labelling simulation needs at least two strategies to compare");
    if (simulation.seedLabels < 0) throw Error("simulation 'seedLabels' must not be negative (0: a cold start)");
    if (simulation.perRound < 1) throw Error("simulation 'perRound' must be at least 1");
    if (simulation.rounds < 1) throw Error("simulation 'rounds' must be at least 1");
    return simulation;
}

} // namespace

int LabellingSimulation::roundOf(int budget) const {
    for (int round = firstTrainedRound(); round <= rounds; ++round)
        if (labelsAfter(round) == budget) return round;
    throw Error("no round of this labelling simulation ends with " + std::to_string(budget) + " labels");
}

std::string ExperimentSpec::budgetText(int budget) const {
    if (simulation) return std::to_string(budget) + " labels";
    return budget == 0 ? std::string("all labels") : std::to_string(budget) + " labels per class";
}

ExperimentSpec ExperimentSpec::fromJson(const std::string& json) {
    ExperimentSpec spec;
    try {
        const auto parsed = nlohmann::json::parse(json);
        spec.name = parsed.value("name", spec.name);
        if (parsed.contains("seeds")) spec.seeds = parseSeeds(parsed.at("seeds"));
        if (parsed.contains("budgets")) spec.budgets = parseBudgets(parsed.at("budgets"));
        if (parsed.contains("metric")) spec.metric = metricFromKey(parsed.at("metric").get<std::string>());
        if (parsed.contains("simulation")) {
            if (parsed.contains("arms") || parsed.contains("budgets"))
                throw Error("a labelling simulation's arms are its strategies and its budgets its rounds: drop 'arms' and 'budgets'");
            spec.simulation = parseSimulation(parsed.at("simulation"));
            auto recipe = TrainConfig::fromJson(parsed.value("recipe", nlohmann::json::object()).dump());
            recipe.validate();
            if (recipe.labelsPerClass != 0)
                throw Error("a labelling simulation's recipe trains on the picked images: drop its 'labelsPerClass'");
            for (const auto& strategy : spec.simulation->strategies) spec.arms.push_back({strategy, recipe});
            spec.budgets.clear();
            for (int round = spec.simulation->firstTrainedRound(); round <= spec.simulation->rounds; ++round)
                spec.budgets.push_back(spec.simulation->labelsAfter(round));
            spec.baseline = parsed.value("baseline", std::string(strategyName(SelectionStrategy::Random)));
        } else {
            spec.baseline = parsed.value("baseline", spec.baseline);
        }
        std::set<std::string> names;
        for (const auto& arm : parsed.value("arms", nlohmann::json::array())) {
            ExperimentArm parsedArm{arm.at("name").get<std::string>(),
                                    TrainConfig::fromJson(arm.value("train", nlohmann::json::object()).dump())};
            if (!names.insert(parsedArm.name).second) throw Error("experiment arm '" + parsedArm.name + "' appears twice");
            parsedArm.config.validate();
            spec.arms.push_back(std::move(parsedArm));
        }
    } catch (const nlohmann::json::exception& error) {
        throw Error(std::string("invalid experiment: ") + error.what());
    }
    if (spec.arms.size() < 2) throw Error("an experiment needs at least two arms to compare");
    bool hasBaseline = false;
    for (const auto& arm : spec.arms) hasBaseline |= arm.name == spec.baseline;
    if (!hasBaseline) throw Error("the experiment's baseline arm '" + spec.baseline + "' is not among its arms");
    return spec;
}

std::string ExperimentSpec::toJson() const {
    if (simulation) {
        nlohmann::json json{{"name", name},
                            {"seeds", seeds},
                            {"baseline", baseline},
                            {"simulation",
                             {{"strategies", simulation->strategies},
                              {"seedLabels", simulation->seedLabels},
                              {"perRound", simulation->perRound},
                              {"rounds", simulation->rounds}}},
                            {"recipe", nlohmann::json::parse(arms.front().config.toJson())}};
        if (metric) json["metric"] = metricKey(*metric);
        return json.dump();
    }
    auto arms = nlohmann::json::array();
    for (const auto& arm : this->arms)
        arms.push_back({{"name", arm.name}, {"train", nlohmann::json::parse(arm.config.toJson())}});
    auto budgetList = nlohmann::json::array();
    for (const int budget : budgets) budgetList.push_back(budget == 0 ? nlohmann::json("all") : nlohmann::json(budget));
    nlohmann::json json{{"name", name}, {"seeds", seeds}, {"budgets", budgetList}, {"baseline", baseline}, {"arms", arms}};
    if (metric) json["metric"] = metricKey(*metric);
    return json.dump();
}

ExperimentSpec ExperimentSpec::withProjectDefaults(ProjectStore& store) const {
    ExperimentSpec spec = *this;
    if (!spec.metric) spec.metric = defaultMetric(store);
    return spec;
}

} // namespace graft
