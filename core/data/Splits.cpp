#include "data/Splits.h"

#include "common/Error.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

namespace graft {
namespace {

// SplitMix64 finaliser: decorrelates nearby (seed, class) pairs.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t uniformBelow(std::mt19937_64& generator, std::uint64_t bound) {
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
    std::uint64_t value;
    do value = generator(); while (value >= limit);
    return value % bound;
}

std::map<std::int64_t, std::vector<LabeledImage>> shuffledByClass(const std::vector<LabeledImage>& images,
                                                                  std::uint64_t seed) {
    std::map<std::int64_t, std::vector<LabeledImage>> byClass;
    for (const auto& image : images) byClass[image.classId].push_back(image);
    for (auto& [classId, members] : byClass) {
        std::sort(members.begin(), members.end(),
                  [](const LabeledImage& a, const LabeledImage& b) { return a.sha256 < b.sha256; });
        std::mt19937_64 generator(mix(seed ^ mix(std::uint64_t(classId))));
        for (std::size_t i = members.size(); i > 1; --i) std::swap(members[i - 1], members[uniformBelow(generator, i)]);
    }
    return byClass;
}

} // namespace

std::vector<SplitAssignment> stratifiedSplit(const std::vector<LabeledImage>& images, const SplitRatios& ratios,
                                             std::uint64_t seed) {
    if (ratios.val < 0 || ratios.test < 0 || ratios.val + ratios.test >= 1)
        throw Error("split ratios must be non-negative and leave room for training (val + test < 1)");
    std::vector<SplitAssignment> assignments;
    for (const auto& [classId, members] : shuffledByClass(images, seed)) {
        const auto n = std::int64_t(members.size());
        auto val = std::llround(double(n) * ratios.val);
        auto test = std::llround(double(n) * ratios.test);
        while (n - val - test < 1 && (val > 0 || test > 0)) (test >= val ? test : val) -= 1;
        for (std::int64_t i = 0; i < n; ++i) {
            const Split split = i < val ? Split::Val : i < val + test ? Split::Test : Split::Train;
            assignments.push_back({members[std::size_t(i)].sha256, split});
        }
    }
    return assignments;
}

std::vector<LabeledImage> sampleEachClass(const std::vector<LabeledImage>& images, int perClass, std::uint64_t seed) {
    std::vector<LabeledImage> sample;
    for (auto& [classId, members] : shuffledByClass(images, seed)) {
        const auto take = std::min<std::size_t>(members.size(), std::size_t(std::max(perClass, 0)));
        sample.insert(sample.end(), members.begin(), members.begin() + std::ptrdiff_t(take));
    }
    return sample;
}

} // namespace graft
