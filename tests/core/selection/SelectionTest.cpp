#include "selection/Selection.h"

#include "common/Error.h"

#include "PythonReference.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <fstream>
#include <set>

namespace graft {
namespace {

// Four blobs of different spreads and sizes in 6 dimensions, and a softmax over 4 classes.
struct Fixture {
    cv::Mat features;
    cv::Mat probabilities;
    std::vector<bool> labelled;
};

Fixture fixture(int rows, std::uint64_t seed) {
    cv::RNG rng(seed);
    Fixture data{cv::Mat(rows, 6, CV_32F), cv::Mat(rows, 4, CV_32F), std::vector<bool>(std::size_t(rows), false)};
    for (int row = 0; row < rows; ++row) {
        const int blob = row % 7 < 3 ? 0 : row % 7 < 5 ? 1 : row % 7 < 6 ? 2 : 3; // sizes 3:2:1:1
        for (int column = 0; column < 6; ++column)
            data.features.at<float>(row, column) = float(3.0 * ((blob + column) % 4 == 0) + rng.gaussian(0.3 + 0.2 * blob));
        double total = 0;
        std::array<double, 4> logits{};
        for (auto& logit : logits) total += (logit = std::exp(rng.gaussian(1.5)));
        for (int column = 0; column < 4; ++column) data.probabilities.at<float>(row, column) = float(logits[std::size_t(column)] / total);
        data.labelled[std::size_t(row)] = row % 9 == 4;
    }
    return data;
}

nlohmann::json numpyReference(const Fixture& data, const std::vector<int>& clusters, std::size_t count, std::size_t first) {
    testing::TempDir dir;
    nlohmann::json input{{"count", count}, {"first", first}, {"clusters", clusters}};
    for (int row = 0; row < data.features.rows; ++row) {
        input["features"].push_back(std::vector<float>(data.features.ptr<float>(row), data.features.ptr<float>(row) + data.features.cols));
        input["probabilities"].push_back(
            std::vector<float>(data.probabilities.ptr<float>(row), data.probabilities.ptr<float>(row) + data.probabilities.cols));
        input["labelled"].push_back(data.labelled[std::size_t(row)] ? 1 : 0);
    }
    std::ofstream(dir / "input.json") << input.dump();
    return testing::pythonReferenceJson(SELECTION_REFERENCE_SCRIPT, (dir / "input.json").string());
}

std::vector<std::size_t> rowsOf(const std::vector<Pick>& picks) {
    std::vector<std::size_t> rows;
    for (const auto& pick : picks) rows.push_back(pick.row);
    return rows;
}

TEST(Selection, ScoresAndPicksEqualAnIndependentNumpyImplementation) {
    const auto data = fixture(140, 3);
    const auto clusters = clusterRows(data.features, 12, 5);
    const auto reference = numpyReference(data, clusters, 15, 17);

    const auto typical = typicality(data.features, kTypicalityNeighbours);
    const auto margins = marginOf(data.probabilities);
    const auto entropies = entropyOf(data.probabilities);
    ASSERT_EQ(typical.size(), 140u);
    for (std::size_t row = 0; row < 140; ++row) {
        const double expected = reference["typicality"][row].get<double>();
        EXPECT_NEAR(typical[row], expected, 1e-6 * std::max(1.0, expected)) << row;
        EXPECT_NEAR(margins[row], reference["margin"][row].get<double>(), 1e-6) << row;
        EXPECT_NEAR(entropies[row], reference["entropy"][row].get<double>(), 1e-6) << row;
    }
    // Given the same cluster assignments, the same rows in the same order.
    EXPECT_EQ(rowsOf(typicalPicks(data.features, clusters, data.labelled, 15)), reference["typical"].get<std::vector<std::size_t>>());
    EXPECT_EQ(rowsOf(kCenterGreedy(data.features, data.labelled, 15, 17)), reference["kCenter"].get<std::vector<std::size_t>>());
    EXPECT_EQ(rowsOf(kCenterGreedy(data.features, std::vector<bool>(140, false), 15, 17)),
              reference["kCenterFromNothing"].get<std::vector<std::size_t>>());
}

TEST(Selection, TheMostTypicalRowOfADenseBlobComesBeforeAnOutlier) {
    // Five rows packed near the origin, one far out: the packed centre is the typical one.
    cv::Mat features = (cv::Mat_<float>(6, 2) << 0, 0, 0.1f, 0, -0.1f, 0, 0, 0.1f, 0, -0.1f, 9, 9);
    const auto typical = typicality(features, 2);
    EXPECT_EQ(std::max_element(typical.begin(), typical.end()) - typical.begin(), 0);
    EXPECT_EQ(std::min_element(typical.begin(), typical.end()) - typical.begin(), 5);
}

TEST(Selection, EveryStrategyPicksOnlyUnlabelledRowsOnceAndTheSameForTheSameSeed) {
    auto data = fixture(120, 9);
    const SelectionPool pool{data.features, data.probabilities, data.labelled};
    for (const auto strategy : {SelectionStrategy::Random, SelectionStrategy::Typical, SelectionStrategy::Diverse,
                                SelectionStrategy::Uncertain, SelectionStrategy::UncertainPerCluster}) {
        const auto picks = selectRows(pool, strategy, 20, 4);
        ASSERT_EQ(picks.size(), 20u) << strategyName(strategy);
        std::set<std::size_t> rows;
        for (const auto& pick : picks) {
            EXPECT_FALSE(data.labelled[pick.row]) << strategyName(strategy) << " picked labelled row " << pick.row;
            rows.insert(pick.row);
        }
        EXPECT_EQ(rows.size(), 20u) << strategyName(strategy) << " picked a row twice";
        EXPECT_EQ(rowsOf(selectRows(pool, strategy, 20, 4)), rowsOf(picks)) << strategyName(strategy);
        EXPECT_EQ(strategyFromName(strategyName(strategy)), strategy);
    }
    EXPECT_NE(rowsOf(selectRows(pool, SelectionStrategy::Random, 20, 4)), rowsOf(selectRows(pool, SelectionStrategy::Random, 20, 5)));
}

TEST(Selection, UncertainPicksTheSmallestMarginsFirst) {
    const auto data = fixture(80, 2);
    const auto picks = selectRows({data.features, data.probabilities, data.labelled}, SelectionStrategy::Uncertain, 80, 0);
    const auto margins = marginOf(data.probabilities);
    for (std::size_t i = 1; i < picks.size(); ++i) EXPECT_LE(margins[picks[i - 1].row], margins[picks[i].row]);
    EXPECT_NEAR(picks.front().score, 1 - margins[picks.front().row], 1e-12);
}

TEST(Selection, AskingForMoreThanIsUnlabelledGivesWhatThereIs) {
    auto data = fixture(30, 1);
    std::fill(data.labelled.begin(), data.labelled.end(), true);
    data.labelled[3] = data.labelled[8] = false;
    for (const auto strategy : {SelectionStrategy::Random, SelectionStrategy::Typical, SelectionStrategy::Diverse})
        EXPECT_EQ(selectRows({data.features, {}, data.labelled}, strategy, 10, 0).size(), 2u) << strategyName(strategy);
}

TEST(Selection, TypicalPicksGoOnIntoClustersTooSmallToVisitOnceTheOthersRunDry) {
    const auto data = fixture(13, 6);
    std::vector<int> clusters(13, 0);
    std::fill(clusters.begin() + 10, clusters.end(), 1); // three rows: under TypiClust's minimum of six
    const auto picks = typicalPicks(data.features, clusters, std::vector<bool>(13, false), 13);
    ASSERT_EQ(picks.size(), 13u);
    std::set<std::size_t> rows;
    for (const auto& pick : picks) rows.insert(pick.row);
    EXPECT_EQ(rows.size(), 13u);
    for (std::size_t i = 0; i < 10; ++i) EXPECT_LT(picks[i].row, 10u) << "the visited cluster first";
}

TEST(Selection, AStoppedSelectionThrowsInsteadOfPickingOn) {
    const auto data = fixture(60, 4);
    std::stop_source stop;
    stop.request_stop();
    for (const auto strategy : {SelectionStrategy::Typical, SelectionStrategy::Diverse, SelectionStrategy::UncertainPerCluster})
        EXPECT_THROW(selectRows({data.features, data.probabilities, data.labelled}, strategy, 5, 0, stop.get_token()), Error)
            << strategyName(strategy);
}

TEST(Selection, UncertaintyWithoutARunsPredictionsIsRefused) {
    const auto data = fixture(30, 1);
    try {
        selectRows({data.features, {}, data.labelled}, SelectionStrategy::Uncertain, 5, 0);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("finished run"), std::string::npos) << error.what();
    }
    EXPECT_THROW(strategyFromName("clever"), Error);
}

TEST(Selection, EachStrategySaysWhetherItReadsFeaturesAndPredictions) {
    EXPECT_FALSE(needsFeatures(SelectionStrategy::Random));
    EXPECT_FALSE(needsProbabilities(SelectionStrategy::Random));
    EXPECT_TRUE(needsFeatures(SelectionStrategy::Typical));
    EXPECT_TRUE(needsFeatures(SelectionStrategy::Diverse));
    EXPECT_FALSE(needsFeatures(SelectionStrategy::Uncertain));
    EXPECT_TRUE(needsProbabilities(SelectionStrategy::Uncertain));
    EXPECT_TRUE(needsFeatures(SelectionStrategy::UncertainPerCluster)); // its clusters
    EXPECT_TRUE(needsProbabilities(SelectionStrategy::UncertainPerCluster));
}

} // namespace
} // namespace graft
