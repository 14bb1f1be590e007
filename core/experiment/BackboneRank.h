#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace graft {

// How well a pretrained backbone's frozen features suit a project, before any training
// (BackboneRanking).
struct BackboneRank {
    std::string name;
    std::string arch;
    double logMe = 0; // on the pooled features before the head
    std::optional<double> leep; // on the source head's class probabilities; none without a head
    std::int64_t images = 0;
    double seconds = 0;  // features and both scores
    std::string error;   // why it could not be scored; the scores are then meaningless
};

} // namespace graft
