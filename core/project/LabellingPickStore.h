#pragma once

#include "project/Database.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace graft {

// The images a labelling simulation's strategy picked, round by round (round 0: the seed set), per
// seed. A view over a Database it does not own.
class LabellingPickStore {
public:
    explicit LabellingPickStore(Database& db) : db_(db) {}

    // In pick order; empty when the round has not been picked.
    std::vector<std::string> picks(std::int64_t experimentId, std::string_view strategy, std::uint64_t seed, int round);
    bool picked(std::int64_t experimentId, std::string_view strategy, std::uint64_t seed, int round);
    // All of a round's picks in one transaction: a killed process leaves the round whole or absent.
    void record(std::int64_t experimentId, std::string_view strategy, std::uint64_t seed, int round,
                const std::vector<std::string>& images);

private:
    Database& db_;
};

} // namespace graft
