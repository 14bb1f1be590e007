#pragma once

#include <opencv2/core/mat.hpp>

#include <cstddef>
#include <cstdint>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace graft {

// Which unlabelled images to label next.
enum class SelectionStrategy {
    Random,              // a seeded shuffle: the baseline every other strategy must beat
    Typical,             // TypiClust's cold start: the densest image of the biggest cluster with fewest labels
    Diverse,             // k-center greedy: the image farthest from every labelled or picked one
    Uncertain,           // the smallest margin between a run's two most probable classes
    UncertainPerCluster, // the smallest margin within each cluster, clusters in TypiClust's order
};

std::string_view strategyName(SelectionStrategy strategy); // "random", "typical", "diverse", "uncertain", "uncertain-per-cluster"
// Throws, listing the names, for an unknown one.
SelectionStrategy strategyFromName(std::string_view name);
// Whether it needs a run's probabilities; whether it needs the images' features.
bool needsProbabilities(SelectionStrategy strategy);
bool needsFeatures(SelectionStrategy strategy);

// TypiClust's constants (Hacohen et al. 2022, as their code sets them).
inline constexpr int kTypicalityNeighbours = 20;
inline constexpr int kMaxClusters = 500;
inline constexpr int kMinClusterSize = 5; // clusters of this many images or fewer are passed over

// Each row's typicality among the rows of `features` (float32): 1 / (mean squared L2 distance to
// its `neighbours` nearest other rows + 1e-5), as TypiClust computes it with faiss's IndexFlatL2.
std::vector<double> typicality(const cv::Mat& features, int neighbours);
// Per row of probabilities (float32): the gap between the two highest, and the entropy in nats.
std::vector<double> marginOf(const cv::Mat& probabilities);
std::vector<double> entropyOf(const cv::Mat& probabilities);

// A pick and the value it was picked by (typicality, distance to the nearest chosen image, 1 -
// margin; 0 for random).
struct Pick {
    std::size_t row = 0;
    double score = 0;
};

// k-center greedy (Sener & Savarese 2018): each pick is the unlabelled row whose L2 distance to
// the nearest labelled or already picked row is largest; with nothing labelled, `first` starts it.
std::vector<Pick> kCenterGreedy(const cv::Mat& features, const std::vector<bool>& labelled, std::size_t count, std::size_t first,
                                std::stop_token stop = {});
// TypiClust's selection given cluster assignments: clusters larger than kMinClusterSize, ordered by
// fewest labelled rows then largest, are visited in turn; each gives its most typical unlabelled row
// (neighbours: min(20, half its unlabelled rows)), which then leaves the cluster. When they run
// dry, the rows of the smaller clusters follow, most typical first.
std::vector<Pick> typicalPicks(const cv::Mat& features, const std::vector<int>& clusters, const std::vector<bool>& labelled,
                               std::size_t count, std::stop_token stop = {});
// K-means of the rows with k-means++ seeding (cv::kmeans), the same for the same seed.
std::vector<int> clusterRows(const cv::Mat& features, int clusters, std::uint64_t seed);

// Every image of a project as the strategies see it: features and, from a run, probabilities.
// Labels are never here, only whether an image has one.
struct SelectionPool {
    cv::Mat features;      // N x D, float32
    cv::Mat probabilities; // N x C, float32; empty without a run
    std::vector<bool> labelled;
};

// `count` unlabelled rows (fewer when fewer are unlabelled) in the order the strategy picks them.
// Throws when the strategy needs probabilities the pool lacks, and when stopped (polled per pick).
std::vector<Pick> selectRows(const SelectionPool& pool, SelectionStrategy strategy, std::size_t count, std::uint64_t seed,
                             std::stop_token stop = {});

} // namespace graft
