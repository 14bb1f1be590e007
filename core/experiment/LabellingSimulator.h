#pragma once

#include "experiment/ExperimentSpec.h"
#include "project/ProjectStore.h"
#include "train/TrainObserver.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

// The oracle of a labelling simulation: the pool is the project's labelled training images with their
// labels stripped, and a strategy sees only features, the recipe's predictions and which images it
// has picked. A label is revealed by training on the image, never before.
//
// Round 0 is the seed set (`seedLabels` drawn at random); round r adds the strategy's `perRound`
// picks from the images still hidden, seeded by the trial's seed and the round. Typical, diverse
// and the clusters of uncertain-per-cluster work on the recipe's initial weights' features (kept in
// the project's feature store, so computed once); the uncertain strategies on the predictions of
// the same strategy's run of the round before, and pick at random while there is none (a cold
// start's first round).
class LabellingSimulator {
public:
    LabellingSimulator(std::filesystem::path project, std::int64_t experimentId, const ExperimentSpec& spec);

    // The images (SHA-256s, in pick order) a trial trains on: the seed set and every round's picks up
    // to the round that ends at `budget` labels. Rounds not yet recorded are picked and stored, each
    // in one transaction, so a rerun trains on the same images. Throws when stopped, when the pool
    // is smaller than the last round needs, and when an uncertain strategy's previous round has no
    // finished run.
    std::vector<std::string> labelledSet(const std::string& strategy, std::uint64_t seed, int budget, TrainObserver& log,
                                         std::stop_token stop);

private:
    std::vector<std::string> pickRound(Database& db, const std::string& strategy, std::uint64_t seed, int round,
                                       const std::vector<std::string>& labelled, TrainObserver& log, std::stop_token stop);
    const cv::Mat& backboneFeatures(ProjectStore& store, TrainObserver& log, std::stop_token stop);

    std::filesystem::path project_;
    std::int64_t experimentId_;
    LabellingSimulation simulation_;
    ExperimentSpec spec_;
    std::vector<CatalogImage> pool_; // labels stripped
    cv::Mat features_;               // of pool_, by the recipe's initial weights; empty until needed
};

} // namespace graft
