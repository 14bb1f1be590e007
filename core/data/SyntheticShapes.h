#pragma once

#include "data/ImportReport.h"
#include "project/Database.h"

#include <cstdint>
#include <string>
#include <vector>

namespace graft {

struct SyntheticImage {
    std::vector<std::uint8_t> png;
    std::string label;
};

// Greyscale size x size images of filled circles, squares and triangles at random positions
// and scales, with pixel noise: a small, learnable dataset that needs no download.
std::vector<SyntheticImage> generateShapes(int perClass, std::uint64_t seed, int size = 28);

ImportReport importSyntheticShapes(Database& db, int perClass, std::uint64_t seed, const ImportOptions& options = {});

} // namespace graft
