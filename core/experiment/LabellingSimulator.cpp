#include "experiment/LabellingSimulator.h"

#include "common/Error.h"
#include "common/Sha256.h"
#include "data/PreprocessJson.h"
#include "models/Architectures.h"
#include "models/Classifier.h"
#include "project/LabellingPickStore.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"
#include "selection/Selection.h"
#include "train/FeatureCache.h"
#include "train/ImageOutputs.h"
#include "train/ProjectFeatureStore.h"
#include "train/RunModel.h"
#include "train/TrainingInputs.h"

#include <set>

namespace graft {
namespace {

// Each round draws afresh, yet the same for every strategy of the seed.
std::uint64_t roundSeed(std::uint64_t seed, int round) { return seed * 1'000'003 + std::uint64_t(round); }

} // namespace

LabellingSimulator::LabellingSimulator(std::filesystem::path project, std::int64_t experimentId, const ExperimentSpec& spec)
    : project_(std::move(project)), experimentId_(experimentId), simulation_(spec.simulation.value()), spec_(spec) {
    Database db = openProject(project_, ProjectAccess::ReadOnly);
    for (auto image : ProjectStore(db).catalog()) {
        if (image.split != Split::Train || !image.classId) continue;
        image.classId.reset(); // hidden until trained on
        pool_.push_back(std::move(image));
    }
    const int needed = simulation_.labelsAfter(simulation_.rounds);
    if (std::ssize(pool_) < needed)
        throw Error(project_.string() + ": the simulation's last round needs " + std::to_string(needed) +
                    " labelled training images to pick from; the training split has " + std::to_string(pool_.size()));
}

std::vector<std::string> LabellingSimulator::labelledSet(const std::string& strategy, std::uint64_t seed, int budget,
                                                         TrainObserver& log, std::stop_token stop) {
    const int last = simulation_.roundOf(budget);
    Database db = openProject(project_);
    LabellingPickStore store(db);
    std::vector<std::string> labelled;
    for (int round = simulation_.firstTrainedRound(); round <= last; ++round) {
        auto picks = store.picks(experimentId_, strategy, seed, round);
        if (picks.empty()) {
            picks = pickRound(db, strategy, seed, round, labelled, log, stop);
            store.record(experimentId_, strategy, seed, round, picks);
        }
        labelled.insert(labelled.end(), picks.begin(), picks.end());
    }
    return labelled;
}

std::vector<std::string> LabellingSimulator::pickRound(Database& db, const std::string& strategy, std::uint64_t seed, int round,
                                                       const std::vector<std::string>& labelled, TrainObserver& log,
                                                       std::stop_token stop) {
    ProjectStore store(db);
    SelectionPool pool;
    const std::set<std::string> revealed(labelled.begin(), labelled.end());
    for (const auto& image : pool_) pool.labelled.push_back(revealed.contains(image.sha256));

    auto chosen = round == 0 ? SelectionStrategy::Random : strategyFromName(strategy);
    const std::string trial = strategy + ", seed " + std::to_string(seed) + ", round " + std::to_string(round);
    if (needsProbabilities(chosen)) {
        if (round - 1 < simulation_.firstTrainedRound()) {
            chosen = SelectionStrategy::Random; // a cold start: no model yet to be unsure
        } else {
            const int previousBudget = simulation_.labelsAfter(round - 1);
            RunStore runs(db);
            const auto previous = runs.trialRun(experimentId_, strategy, seed, previousBudget);
            if (!previous || runs.run(*previous).status != RunStatus::Finished)
                throw Error(project_.string() + ": " + trial + " picks by the predictions of the run trained on " +
                            std::to_string(previousBudget) + " labels, which has not finished");
            const std::string source = project_.string() + " run " + std::to_string(*previous);
            const RunModel model = loadRunModel(db, *previous, source);
            log.onLog(trial + ": predicting " + std::to_string(pool_.size()) + " hidden images with run " + std::to_string(*previous));
            pool.probabilities = outputsOfImages(project_, pool_, *model.model, model.architecture.preprocess, true, source, {}, stop).probabilities;
        }
    }
    if (needsFeatures(chosen)) {
        if (spec_.arms.front().config.init == "scratch")
            throw Error("the '" + strategy + "' strategy works on pretrained features, and the simulation's recipe starts from scratch");
        pool.features = backboneFeatures(store, log, stop);
    }
    const std::size_t count = std::size_t(round == 0 ? simulation_.seedLabels : simulation_.perRound);
    std::vector<std::string> picks;
    for (const auto& pick : selectRows(pool, chosen, count, roundSeed(seed, round), stop)) picks.push_back(pool_[pick.row].sha256);
    return picks;
}

// Kept in the project like a run's frozen features, keyed by the weights (every tensor but the
// head's), the transform and the pool, so a rerun after a kill, or another simulation with the
// same recipe, reads them back instead of computing them.
const cv::Mat& LabellingSimulator::backboneFeatures(ProjectStore& store, TrainObserver& log, std::stop_token stop) {
    if (!features_.empty()) return features_;
    const TrainConfig& recipe = spec_.arms.front().config;
    int classes = 0;
    for (const auto& summary : store.classSummaries()) classes += summary.train > 0 ? 1 : 0;
    const auto initial = createInitialModel(recipe, classes);
    const auto input = architectureSpec(recipe.arch, recipe.inputSize).preprocess;
    const auto& blocks = initial.model->blocks();
    std::string description = "selection features\n" +
                              FeatureCache::keyFor(*initial.model, blocks, blocks.size() - 1, torch::empty({0}), "") + "\n" +
                              preprocessJson(input) + "\n";
    for (const auto& image : pool_) description += image.sha256 + "\n";
    const std::string key = sha256Hex({reinterpret_cast<const std::uint8_t*>(description.data()), description.size()});

    ProjectFeatureStore stored(project_);
    if (!stored.has(key)) {
        log.onLog("Computing the features of " + std::to_string(pool_.size()) + " training images with " + recipe.init);
        const std::string source = project_.string() + " with " + recipe.init;
        const bool complete = stored.write(key, std::ssize(pool_), 256, [&](std::int64_t begin, std::int64_t end) {
            const std::vector<CatalogImage> batch(pool_.begin() + begin, pool_.begin() + end);
            const cv::Mat features = outputsOfImages(project_, batch, *initial.model, input, false, source, {}, stop).features;
            return torch::from_blob(features.data, {features.rows, features.cols}, torch::kFloat32).clone();
        }, stop);
        if (!complete) throw Error(source + ": stopped");
    }
    const torch::Tensor rows = stored.rows(key, torch::arange(std::ssize(pool_), torch::kInt64)).reshape({std::ssize(pool_), -1});
    features_ = cv::Mat(int(rows.size(0)), int(rows.size(1)), CV_32F, rows.data_ptr<float>()).clone();
    return features_;
}

} // namespace graft
