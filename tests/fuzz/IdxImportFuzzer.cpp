// The IDX (MNIST) importer on hostile files: the input is split into an images file and a
// labels file, so headers, dimensions and counts that disagree are all reached.
#include "data/IdxImport.h"
#include "project/ProjectFile.h"

#include "FuzzFile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The first byte chooses where the labels file starts.
    const std::size_t split = size > 0 ? std::min<std::size_t>(size, 1 + data[0] * size / 256) : 0;
    const auto images = graft::fuzz::writeInput("images-idx3-ubyte", data + std::min<std::size_t>(1, size),
                                                split - std::min<std::size_t>(1, split));
    const auto labels = graft::fuzz::writeInput("labels-idx1-ubyte", data + split, size - split);
    graft::Database db = graft::openInMemoryProject();
    try {
        graft::importIdx(db, images, labels);
    } catch (const graft::Error&) {
    }
    return 0;
}
