#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace graft {

// What measureDomainGap (DomainGap.h) finds; plain data, so the GUI can hold it without torch.

struct BlockGap {
    std::string block;
    double shift = 0; // see BatchNormShift.h
    int layers = 0;
};

// One set's images against the statistics the model's BatchNorm layers hold.
struct ImageSetGap {
    std::string set;
    std::int64_t images = 0;
    std::vector<BlockGap> blocks;
    std::string reading; // "layer3 shifts most: fine-tune from layer3 on"
};

// Two sets' pooled features (what the head reads), compared (see FeatureDistances.h).
struct DomainPairGap {
    std::string first, second;
    double linearMmd = 0;
    double frechet = 0;
    double proxyADistance = 0;
    double domainClassifierError = 0;
    std::int64_t heldOut = 0;
};

struct DomainGapReport {
    std::string model; // "run 3 (resnet18)" or the backbone's name
    std::vector<ImageSetGap> sets;
    std::optional<DomainPairGap> between; // when two sets were named
};

} // namespace graft
