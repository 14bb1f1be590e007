#pragma once

#include "data/ImportReport.h"
#include "project/Database.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace graft {

// One IDX file (MNIST format, plain or gzip) with unsigned-byte items.
struct IdxArray {
    std::vector<std::int64_t> dims;
    std::vector<std::uint8_t> data;
};
IdxArray readIdxFile(const std::filesystem::path& path);

// An images file (N x rows x cols) with its labels file (N). Each image is stored as PNG;
// classes are named by `classNames[label]`, or by the label number when none are given.
ImportReport importIdx(Database& db, const std::filesystem::path& imagesFile, const std::filesystem::path& labelsFile,
                       const std::vector<std::string>& classNames = {}, const ImportOptions& options = {});

struct IdxPair {
    std::filesystem::path images;
    std::filesystem::path labels;
};
// `<prefix>-images-idx3-ubyte[.gz]` with `<prefix>-labels-idx1-ubyte[.gz]` beside it; none for
// another file name or a missing labels file.
std::optional<IdxPair> idxPairOf(const std::filesystem::path& imagesFile);
// Every such pair in a folder, training files first.
std::vector<IdxPair> findIdxPairs(const std::filesystem::path& folder);

} // namespace graft
