#include "selection/Selection.h"

#include "common/Error.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>

namespace graft {
namespace {

constexpr std::pair<SelectionStrategy, std::string_view> kNames[] = {
    {SelectionStrategy::Random, "random"},
    {SelectionStrategy::Typical, "typical"},
    {SelectionStrategy::Diverse, "diverse"},
    {SelectionStrategy::Uncertain, "uncertain"},
    {SelectionStrategy::UncertainPerCluster, "uncertain-per-cluster"},
};

double squaredDistance(const cv::Mat& features, int a, int b) {
    const float* x = features.ptr<float>(a);
    const float* y = features.ptr<float>(b);
    double sum = 0;
    for (int column = 0; column < features.cols; ++column) {
        const double difference = double(x[column]) - double(y[column]);
        sum += difference * difference;
    }
    return sum;
}

cv::Mat rowsOf(const cv::Mat& features, const std::vector<std::size_t>& rows) {
    cv::Mat subset(int(rows.size()), features.cols, CV_32F);
    for (std::size_t i = 0; i < rows.size(); ++i) features.row(int(rows[i])).copyTo(subset.row(int(i)));
    return subset;
}

// TypiClust's order of clusters: those larger than kMinClusterSize (all of them when none is),
// by fewest labelled rows, then largest, then lowest id (pandas' stable multi-column sort).
std::vector<int> visitOrder(const std::vector<int>& clusters, const std::vector<bool>& labelled) {
    std::map<int, std::pair<std::size_t, std::size_t>> sizeAndLabelled;
    for (std::size_t row = 0; row < clusters.size(); ++row) {
        auto& [size, labels] = sizeAndLabelled[clusters[row]];
        ++size;
        if (labelled[row]) ++labels;
    }
    std::vector<int> order;
    for (const auto& [id, counts] : sizeAndLabelled)
        if (counts.first > std::size_t(kMinClusterSize)) order.push_back(id);
    if (order.empty())
        for (const auto& [id, counts] : sizeAndLabelled) order.push_back(id);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const auto& [sizeA, labelsA] = sizeAndLabelled[a];
        const auto& [sizeB, labelsB] = sizeAndLabelled[b];
        return labelsA != labelsB ? labelsA < labelsB : sizeA > sizeB;
    });
    return order;
}

void throwIfStopped(std::stop_token stop) {
    if (stop.stop_requested()) throw Error("the selection was stopped");
}

// Round `round` visits the cluster at that place in `order`, or the next one with rows left; once
// those are used up, the rows left in clusters too small to visit are chosen from together.
template <typename Choose>
std::vector<Pick> clusterRounds(const std::vector<int>& clusters, const std::vector<bool>& labelled, std::size_t count,
                                std::stop_token stop, Choose choose) {
    const auto order = visitOrder(clusters, labelled);
    std::vector<bool> available(labelled.size());
    for (std::size_t row = 0; row < labelled.size(); ++row) available[row] = !labelled[row];
    std::vector<Pick> picks;
    for (std::size_t round = 0; round < count; ++round) {
        throwIfStopped(stop);
        std::vector<std::size_t> rows;
        for (std::size_t step = 0; step < order.size() && rows.empty(); ++step) {
            const int cluster = order[(round + step) % order.size()];
            for (std::size_t row = 0; row < clusters.size(); ++row)
                if (available[row] && clusters[row] == cluster) rows.push_back(row);
        }
        if (rows.empty())
            for (std::size_t row = 0; row < clusters.size(); ++row)
                if (available[row]) rows.push_back(row);
        if (rows.empty()) break; // every row is labelled or picked
        const Pick pick = choose(rows);
        available[pick.row] = false;
        picks.push_back(pick);
    }
    return picks;
}

std::size_t unlabelledCount(const std::vector<bool>& labelled) {
    return std::size_t(std::count(labelled.begin(), labelled.end(), false));
}

int clusterCount(const SelectionPool& pool, std::size_t count) {
    const std::size_t labelledRows = pool.labelled.size() - unlabelledCount(pool.labelled);
    return int(std::min({labelledRows + count, std::size_t(kMaxClusters), pool.labelled.size()}));
}

} // namespace

std::string_view strategyName(SelectionStrategy strategy) {
    for (const auto& [value, name] : kNames)
        if (value == strategy) return name;
    return "?";
}

SelectionStrategy strategyFromName(std::string_view name) {
    std::string known;
    for (const auto& [value, text] : kNames) {
        if (text == name) return value;
        known += (known.empty() ? "" : ", ") + std::string(text);
    }
    throw Error("unknown selection strategy '" + std::string(name) + "' (" + known + ")");
}

bool needsProbabilities(SelectionStrategy strategy) {
    return strategy == SelectionStrategy::Uncertain || strategy == SelectionStrategy::UncertainPerCluster;
}

bool needsFeatures(SelectionStrategy strategy) {
    return strategy == SelectionStrategy::Typical || strategy == SelectionStrategy::Diverse ||
           strategy == SelectionStrategy::UncertainPerCluster;
}

std::vector<double> typicality(const cv::Mat& features, int neighbours) {
    const int rows = features.rows;
    neighbours = std::min(neighbours, rows - 1);
    std::vector<double> typical(static_cast<std::size_t>(rows), 0.0);
    if (neighbours <= 0) return typical; // nothing to be near: every row alike
    std::vector<double> distances(static_cast<std::size_t>(rows));
    for (int row = 0; row < rows; ++row) {
        for (int other = 0; other < rows; ++other) distances[std::size_t(other)] = squaredDistance(features, row, other);
        // The nearest is the row itself (or a duplicate of it), at 0, as faiss returns it first.
        std::partial_sort(distances.begin(), distances.begin() + neighbours + 1, distances.end());
        const double mean = std::accumulate(distances.begin() + 1, distances.begin() + neighbours + 1, 0.0) / neighbours;
        typical[std::size_t(row)] = 1.0 / (mean + 1e-5);
    }
    return typical;
}

std::vector<double> marginOf(const cv::Mat& probabilities) {
    std::vector<double> margins;
    for (int row = 0; row < probabilities.rows; ++row) {
        const float* p = probabilities.ptr<float>(row);
        double first = -1, second = -1;
        for (int column = 0; column < probabilities.cols; ++column) {
            const double value = p[column];
            if (value > first) {
                second = first;
                first = value;
            } else if (value > second) {
                second = value;
            }
        }
        margins.push_back(probabilities.cols > 1 ? first - second : 1.0);
    }
    return margins;
}

std::vector<double> entropyOf(const cv::Mat& probabilities) {
    std::vector<double> entropies;
    for (int row = 0; row < probabilities.rows; ++row) {
        const float* p = probabilities.ptr<float>(row);
        double entropy = 0;
        for (int column = 0; column < probabilities.cols; ++column)
            if (p[column] > 0) entropy -= double(p[column]) * std::log(double(p[column]));
        entropies.push_back(entropy);
    }
    return entropies;
}

std::vector<Pick> kCenterGreedy(const cv::Mat& features, const std::vector<bool>& labelled, std::size_t count, std::size_t first,
                                std::stop_token stop) {
    const std::size_t rows = labelled.size();
    std::vector<double> nearest(rows, std::numeric_limits<double>::infinity());
    std::vector<bool> taken = labelled;
    const auto moveCentre = [&](std::size_t centre) {
        for (std::size_t row = 0; row < rows; ++row)
            nearest[row] = std::min(nearest[row], squaredDistance(features, int(row), int(centre)));
    };
    for (std::size_t row = 0; row < rows; ++row)
        if (labelled[row]) moveCentre(row);
    std::vector<Pick> picks;
    const std::size_t wanted = std::min(count, unlabelledCount(labelled));
    if (wanted > 0 && unlabelledCount(labelled) == rows) {
        if (first >= rows) throw Error("k-center greedy: the first row is out of range");
        picks.push_back({first, 0.0});
        taken[first] = true;
        moveCentre(first);
    }
    while (picks.size() < wanted) {
        throwIfStopped(stop);
        std::size_t farthest = rows;
        for (std::size_t row = 0; row < rows; ++row)
            if (!taken[row] && (farthest == rows || nearest[row] > nearest[farthest])) farthest = row;
        picks.push_back({farthest, std::sqrt(nearest[farthest])});
        taken[farthest] = true;
        moveCentre(farthest);
    }
    return picks;
}

std::vector<Pick> typicalPicks(const cv::Mat& features, const std::vector<int>& clusters, const std::vector<bool>& labelled,
                               std::size_t count, std::stop_token stop) {
    return clusterRounds(clusters, labelled, count, stop, [&](const std::vector<std::size_t>& rows) {
        const auto typical = typicality(rowsOf(features, rows), std::min(kTypicalityNeighbours, int(rows.size() / 2)));
        const auto best = std::size_t(std::max_element(typical.begin(), typical.end()) - typical.begin());
        return Pick{rows[best], typical[best]};
    });
}

std::vector<int> clusterRows(const cv::Mat& features, int clusters, std::uint64_t seed) {
    if (clusters < 1 || clusters > features.rows)
        throw Error("cannot cluster " + std::to_string(features.rows) + " images into " + std::to_string(clusters) + " clusters");
    cv::theRNG() = cv::RNG(seed); // cv::kmeans draws its k-means++ seeds from the thread's RNG
    cv::Mat labels, centres;
    // Several starts for few clusters, one for many, as TypiClust uses full and mini-batch K-means.
    cv::kmeans(features, clusters, labels, cv::TermCriteria(cv::TermCriteria::EPS + cv::TermCriteria::COUNT, 100, 1e-4),
               clusters <= 50 ? 3 : 1, cv::KMEANS_PP_CENTERS, centres);
    return std::vector<int>(labels.begin<int>(), labels.end<int>());
}

std::vector<Pick> selectRows(const SelectionPool& pool, SelectionStrategy strategy, std::size_t count, std::uint64_t seed,
                             std::stop_token stop) {
    if (needsProbabilities(strategy) && pool.probabilities.empty())
        throw Error("the '" + std::string(strategyName(strategy)) + "' strategy needs a finished run's predictions");
    const std::size_t unlabelled = unlabelledCount(pool.labelled);
    count = std::min(count, unlabelled);
    if (count == 0) return {};
    std::vector<std::size_t> candidates;
    for (std::size_t row = 0; row < pool.labelled.size(); ++row)
        if (!pool.labelled[row]) candidates.push_back(row);
    switch (strategy) {
    case SelectionStrategy::Random: {
        std::mt19937_64 generator(seed);
        std::shuffle(candidates.begin(), candidates.end(), generator);
        std::vector<Pick> picks;
        for (std::size_t i = 0; i < count; ++i) picks.push_back({candidates[i], 0.0});
        return picks;
    }
    case SelectionStrategy::Typical:
        return typicalPicks(pool.features, clusterRows(pool.features, clusterCount(pool, count), seed), pool.labelled, count, stop);
    case SelectionStrategy::Diverse: {
        std::mt19937_64 generator(seed);
        const std::size_t first = candidates[std::uniform_int_distribution<std::size_t>(0, candidates.size() - 1)(generator)];
        return kCenterGreedy(pool.features, pool.labelled, count, first, stop);
    }
    case SelectionStrategy::Uncertain: {
        const auto margins = marginOf(pool.probabilities);
        std::stable_sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) { return margins[a] < margins[b]; });
        std::vector<Pick> picks;
        for (std::size_t i = 0; i < count; ++i) picks.push_back({candidates[i], 1.0 - margins[candidates[i]]});
        return picks;
    }
    case SelectionStrategy::UncertainPerCluster: {
        const auto margins = marginOf(pool.probabilities);
        return clusterRounds(clusterRows(pool.features, clusterCount(pool, count), seed), pool.labelled, count, stop,
                             [&](const std::vector<std::size_t>& rows) {
            const auto least = *std::min_element(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) { return margins[a] < margins[b]; });
            return Pick{least, 1.0 - margins[least]};
        });
    }
    }
    return {};
}

} // namespace graft
