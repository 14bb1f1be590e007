#include "experiment/LabellingSimulator.h"

#include "experiment/ExperimentComparison.h"
#include "experiment/ExperimentRunner.h"
#include "experiment/ExperimentSpec.h"
#include "project/ExperimentStore.h"
#include "project/LabellingPickStore.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "train/ProjectFeatureStore.h"
#include "train/RunSpec.h"
#include "train/TrainingInputs.h"
#include "train/TrainingSession.h"

#include "ErrorText.h"
#include "ShapesProject.h"
#include "TempDir.h"
#include "TrainedShapesRun.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace graft {
namespace {

const std::vector<std::string> kStrategies = {"random", "typical", "diverse", "uncertain"};
const std::vector<std::uint64_t> kSeeds = {0, 1};
constexpr int kPerRound = 4;
constexpr int kRounds = 2;

// Shapes, 40 per class (about 96 training images to pick from), and weights pretrained on them for
// the strategies' features.
class ShapesSimulation : public ::testing::Test {
protected:
    void SetUp() override {
        testing::createShapesProject(project(), 40, 5);
        testing::pretrainWeights(project(), weights(), 1, 16);
    }

    std::filesystem::path project() const { return dir_ / "shapes.graft"; }
    std::filesystem::path weights() const { return dir_ / "pretrained.pt"; }

    std::string specJson(const std::string& init, int seedLabels = 0) const {
        std::string strategies;
        for (const auto& strategy : kStrategies) strategies += (strategies.empty() ? "\"" : ", \"") + strategy + "\"";
        return R"({"name": "which shapes", "seeds": 2, "simulation": {"strategies": [)" + strategies + R"(], "perRound": )" +
               std::to_string(kPerRound) + R"(, "rounds": )" + std::to_string(kRounds) +
               R"(, "seedLabels": )" + std::to_string(seedLabels) + R"(},
                   "recipe": {"init": ")" + init + R"(", "epochs": 2, "batchSize": 8, "checkpointMinutes": 0}})";
    }

    std::int64_t createSimulation(const std::filesystem::path& project, int seedLabels = 0) const {
        Database db = openProject(project);
        ProjectStore store(db);
        const auto spec = ExperimentSpec::fromJson(specJson(weights().string(), seedLabels));
        return ExperimentStore(db).create(spec.name, spec.withProjectDefaults(store).toJson());
    }

    // Every round's picks, by (strategy, seed, round).
    static std::map<std::tuple<std::string, std::uint64_t, int>, std::vector<std::string>> allPicks(const std::filesystem::path& project,
                                                                                                 std::int64_t experiment) {
        Database db = openProject(project, ProjectAccess::ReadOnly);
        LabellingPickStore store(db);
        std::map<std::tuple<std::string, std::uint64_t, int>, std::vector<std::string>> picks;
        for (const auto& strategy : kStrategies)
            for (const auto seed : kSeeds)
                for (int round = 1; round <= kRounds; ++round) picks[{strategy, seed, round}] = store.picks(experiment, strategy, seed, round);
        return picks;
    }

    testing::TempDir dir_;
};

TEST_F(ShapesSimulation, EachStrategyTrainsOnItsOwnPicksRoundByRoundAndFinishedRoundsAreNeverRedone) {
    const auto id = createSimulation(project());
    ExperimentObserver quiet;
    const auto first = runExperiment(project(), id, quiet, {});
    EXPECT_EQ(first.trained, int(kStrategies.size() * kSeeds.size()) * kRounds);
    EXPECT_EQ(first.failed, 0);

    const auto picks = allPicks(project(), id);
    Database db = openProject(project());
    RunStore runs(db);
    const auto spec = ExperimentSpec::fromJson(ExperimentStore(db).experiment(id).specJson);
    for (const auto& strategy : kStrategies)
        for (const auto seed : kSeeds) {
            std::vector<std::string> labelled;
            for (int round = 1; round <= kRounds; ++round) {
                const auto& chosen = picks.at({strategy, seed, round});
                ASSERT_EQ(chosen.size(), std::size_t(kPerRound)) << strategy << " seed " << seed << " round " << round;
                for (const auto& image : chosen)
                    EXPECT_EQ(std::count(labelled.begin(), labelled.end(), image), 0) << "picked twice: " << image;
                labelled.insert(labelled.end(), chosen.begin(), chosen.end());
                // The round's run trained on exactly the labels revealed so far.
                const auto run = runs.trialRun(id, strategy, seed, round * kPerRound);
                ASSERT_TRUE(run);
                TrainObserver quietInputs;
                const auto inputs = prepareTrainingInputs(project(), db, spec.arms.front().config, quietInputs, labelled);
                EXPECT_EQ(RunSpec::fromJson(runs.run(*run).configJson).trainFingerprint, inputs.trainFingerprint);
                EXPECT_EQ(RunSpec::fromJson(runs.run(*run).configJson).config.labelsPerClass, 0);
            }
        }
    // A cold start has no model to be unsure with: uncertain's first round is random's.
    for (const auto seed : kSeeds) {
        EXPECT_EQ(picks.at({"uncertain", seed, 1}), picks.at({"random", seed, 1}));
        EXPECT_NE(picks.at({"uncertain", seed, 2}), picks.at({"random", seed, 2}));
        EXPECT_NE(picks.at({"typical", seed, 1}), picks.at({"random", seed, 1}));
    }
    EXPECT_NE(picks.at({"random", 0, 1}), picks.at({"random", 1, 1}));

    EXPECT_EQ(ProjectFeatureStore(project()).storedSets(), 1) << "the pool's features, kept for a rerun";
    const auto second = runExperiment(project(), id, quiet, {});
    EXPECT_EQ(second.trained, 0);
    EXPECT_EQ(second.skipped, first.trained);
    EXPECT_EQ(allPicks(project(), id), picks);

    // Compared like any experiment: strategies against random, paired by seed, per count of labels.
    const auto comparison = compareExperiment(project(), id);
    EXPECT_EQ(comparison.spec.budgets, (std::vector<int>{kPerRound, 2 * kPerRound}));
    ASSERT_EQ(comparison.results.size(), kStrategies.size() * kRounds);
    for (const auto& result : comparison.results) {
        EXPECT_EQ(result.scores.size(), kSeeds.size());
        EXPECT_EQ(result.versusBaseline.has_value(), result.arm != "random") << result.arm;
    }
    EXPECT_EQ(comparison.spec.budgetText(8), "8 labels");
}

// The sabotage test: the labels of images no strategy picked are shuffled among themselves, and
// every pick stays the same. A strategy that peeked at a hidden label (to balance classes, say)
// would pick differently.
TEST_F(ShapesSimulation, NoStrategySeesAHiddenLabel) {
    const auto sabotaged = dir_ / "sabotaged.graft";
    std::filesystem::copy_file(project(), sabotaged);
    const auto id = createSimulation(project());
    ExperimentObserver quiet;
    runExperiment(project(), id, quiet, {});
    const auto picks = allPicks(project(), id);
    std::set<std::string> revealed;
    for (const auto& [trial, images] : picks) revealed.insert(images.begin(), images.end());

    {
        Database db = openProject(sabotaged);
        ProjectStore store(db);
        std::vector<LabeledImage> hidden;
        for (const auto& image : store.labeledImagesInSplit(Split::Train))
            if (!revealed.contains(image.sha256)) hidden.push_back(image);
        ASSERT_GT(hidden.size(), 10u);
        std::size_t moved = 0;
        Transaction transaction(db);
        for (std::size_t i = 0; i < hidden.size(); ++i) {
            const auto& next = hidden[(i + 7) % hidden.size()];
            moved += next.classId != hidden[i].classId ? 1 : 0;
            store.setLabel(hidden[i].sha256, next.classId);
        }
        transaction.commit();
        ASSERT_GT(moved, hidden.size() / 3); // most hidden labels are now wrong
    }
    const auto sabotagedId = createSimulation(sabotaged);
    runExperiment(sabotaged, sabotagedId, quiet, {});
    EXPECT_EQ(allPicks(sabotaged, sabotagedId), picks);
}

TEST_F(ShapesSimulation, ASeedSetIsSharedByEveryStrategyAndTrainedSoUncertaintyHasAModelFromTheFirstRound) {
    constexpr int kSeedLabels = 5;
    const auto id = createSimulation(project(), kSeedLabels);
    ExperimentObserver quiet;
    EXPECT_EQ(runExperiment(project(), id, quiet, {}).trained, int(kStrategies.size() * kSeeds.size()) * (kRounds + 1));
    Database db = openProject(project(), ProjectAccess::ReadOnly);
    LabellingPickStore picks(db);
    RunStore runs(db);
    for (const auto seed : kSeeds) {
        const auto seedSet = picks.picks(id, "random", seed, 0);
        ASSERT_EQ(seedSet.size(), std::size_t(kSeedLabels));
        for (const auto& strategy : kStrategies) {
            EXPECT_EQ(picks.picks(id, strategy, seed, 0), seedSet) << strategy;
            EXPECT_TRUE(runs.trialRun(id, strategy, seed, kSeedLabels)) << "the seed set trains: " << strategy;
        }
        EXPECT_NE(picks.picks(id, "uncertain", seed, 1), picks.picks(id, "random", seed, 1)) << "a model to be unsure with";
    }
    EXPECT_NE(picks.picks(id, "random", 0, 0), picks.picks(id, "random", 1, 0)) << "each seed draws its own seed set";
}

TEST_F(ShapesSimulation, StrategiesThatNeedFeaturesRefuseARecipeFromScratchAndAPoolTooSmallIsNamed) {
    Database db = openProject(project());
    const auto scratch = ExperimentSpec::fromJson(specJson("scratch"));
    const auto id = ExperimentStore(db).create(scratch.name, scratch.toJson());
    LabellingSimulator simulator(project(), id, scratch);
    TrainObserver quiet;
    EXPECT_NE(testing::errorOf([&] { simulator.labelledSet("typical", 0, kPerRound, quiet, {}); }).find("starts from scratch"),
              std::string::npos);
    EXPECT_EQ(simulator.labelledSet("random", 0, kPerRound, quiet, {}).size(), std::size_t(kPerRound));
    EXPECT_NE(testing::errorOf([&] { simulator.labelledSet("uncertain", 0, 2 * kPerRound, quiet, {}); }).find("has not finished"),
              std::string::npos);

    auto greedy = scratch;
    greedy.simulation->rounds = 100;
    const auto error = testing::errorOf([&] { (void)LabellingSimulator(project(), id, greedy); });
    EXPECT_NE(error.find("needs 400 labelled training images"), std::string::npos) << error;
    EXPECT_NE(error.find(project().string()), std::string::npos) << error;
}

TEST(ExperimentSpec, ALabellingSimulationMakesItsArmsFromStrategiesAndItsBudgetsFromRounds) {
    const auto spec = ExperimentSpec::fromJson(R"({"seeds": 3, "simulation": {"strategies": ["typical", "random"],
        "seedLabels": 5, "perRound": 10, "rounds": 2}, "recipe": {"init": "w.pt", "epochs": 7}})");
    ASSERT_TRUE(spec.simulation);
    EXPECT_EQ(spec.baseline, "random");
    ASSERT_EQ(spec.arms.size(), 2u);
    EXPECT_EQ(spec.arms[0].name, "typical");
    EXPECT_EQ(spec.arms[1].config.epochs, 7);
    EXPECT_EQ(spec.budgets, (std::vector<int>{5, 15, 25})); // the seed set trains too
    EXPECT_EQ(spec.simulation->roundOf(15), 1);
    EXPECT_EQ(spec.budgetText(25), "25 labels");
    EXPECT_EQ(ExperimentSpec::fromJson(spec.toJson()).toJson(), spec.toJson());

    const auto cold = ExperimentSpec::fromJson(R"({"simulation": {"strategies": ["random", "diverse"], "perRound": 4, "rounds": 3}})");
    EXPECT_EQ(cold.budgets, (std::vector<int>{4, 8, 12}));

    const auto errorFor = [](const std::string& json) { return testing::errorOf([&] { ExperimentSpec::fromJson(json); }); };
    EXPECT_NE(errorFor(R"({"simulation": {"strategies": ["random"]}})").find("at least two strategies"), std::string::npos);
    EXPECT_NE(errorFor(R"({"simulation": {"strategies": ["random", "psychic"]}})").find("typical"), std::string::npos);
    EXPECT_NE(errorFor(R"({"simulation": {"strategies": ["random", "typical"], "perRound": 0}})").find("'perRound'"), std::string::npos);
    EXPECT_NE(errorFor(R"({"simulation": {"strategies": ["random", "typical"]}, "budgets": [5]})").find("drop 'arms' and 'budgets'"),
              std::string::npos);
    EXPECT_NE(errorFor(R"({"simulation": {"strategies": ["random", "typical"]}, "recipe": {"labelsPerClass": 5}})")
                  .find("'labelsPerClass'"),
              std::string::npos);
    EXPECT_NE(errorFor(R"({"simulation": {"strategies": ["typical", "diverse"]}})").find("baseline arm 'random'"), std::string::npos);
}

} // namespace
} // namespace graft
