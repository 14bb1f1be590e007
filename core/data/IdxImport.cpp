#include "data/IdxImport.h"

#include "common/Sha256.h"
#include "data/ImportSession.h"
#include "data/WindowedPreparation.h"

#include <opencv2/imgcodecs.hpp>
#include <zlib.h>

#include <algorithm>
#include <memory>

namespace graft {
namespace {

namespace fs = std::filesystem;

constexpr std::uint8_t kUnsignedByteType = 0x08;
constexpr int kMaxDims = 4;
// Reject absurd headers before allocating: a corrupt count must not become a 100 GB vector.
constexpr std::int64_t kMaxItems = std::int64_t(1) << 32;

struct GzFileCloser {
    void operator()(gzFile_s* file) const { gzclose(file); }
};

void readExactly(gzFile file, void* buffer, std::size_t size, const fs::path& path) {
    auto* out = static_cast<std::uint8_t*>(buffer);
    while (size > 0) {
        const unsigned chunk = unsigned(std::min<std::size_t>(size, 1u << 30));
        const int read = gzread(file, out, chunk);
        if (read <= 0) throw Error(path.string() + ": truncated IDX file (ends before the data its header declares)");
        out += read;
        size -= std::size_t(read);
    }
}

std::string withoutGz(const fs::path& path) {
    std::string name = path.filename().string();
    return name.ends_with(".gz") ? name.substr(0, name.size() - 3) : name;
}

} // namespace

IdxArray readIdxFile(const fs::path& path) {
    std::unique_ptr<gzFile_s, GzFileCloser> file(gzopen(path.c_str(), "rb"));
    if (!file) throw Error(path.string() + ": cannot be read");
    std::uint8_t magic[4];
    readExactly(file.get(), magic, 4, path);
    if (magic[0] != 0 || magic[1] != 0 || magic[2] != kUnsignedByteType || magic[3] == 0 || magic[3] > kMaxDims)
        throw Error(path.string() + ": not an unsigned-byte IDX file (bad magic number)");
    IdxArray array;
    std::int64_t items = 1;
    for (int i = 0; i < magic[3]; ++i) {
        std::uint8_t bytes[4];
        readExactly(file.get(), bytes, 4, path);
        const std::int64_t dim = (std::int64_t(bytes[0]) << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
        // Overflow-checked: two sides near 2^32 wrapped around the limit (found by fuzzing).
        if (__builtin_mul_overflow(items, std::max<std::int64_t>(dim, 1), &items) || items > kMaxItems)
            throw Error(path.string() + ": IDX header declares an implausibly large array");
        array.dims.push_back(dim);
    }
    // Grown as the data arrives, so a header that promises gigabytes over a few bytes of data
    // (found by fuzzing) fails as truncated without allocating what it promised.
    constexpr std::size_t kChunk = std::size_t(1) << 20;
    while (array.data.size() < std::size_t(items)) {
        const std::size_t start = array.data.size();
        const std::size_t chunk = std::min(kChunk, std::size_t(items) - start);
        array.data.resize(start + chunk);
        readExactly(file.get(), array.data.data() + start, chunk, path);
    }
    return array;
}

ImportReport importIdx(Database& db, const fs::path& imagesFile, const fs::path& labelsFile,
                       const std::vector<std::string>& classNames, const ImportOptions& options) {
    const IdxArray images = readIdxFile(imagesFile);
    const IdxArray labels = readIdxFile(labelsFile);
    if (images.dims.size() != 3) throw Error(imagesFile.string() + ": expected a 3-D images array (N x rows x cols)");
    if (labels.dims.size() != 1) throw Error(labelsFile.string() + ": expected a 1-D labels array");
    if (images.dims[0] != labels.dims[0])
        throw Error(imagesFile.string() + " has " + std::to_string(images.dims[0]) + " images but " +
                    labelsFile.string() + " has " + std::to_string(labels.dims[0]) + " labels");

    // A zero or huge side made OpenCV's PNG encoder throw past the importer (found by fuzzing).
    constexpr std::int64_t kMaxSide = 1 << 15;
    if (images.dims[1] < 1 || images.dims[2] < 1 || images.dims[1] > kMaxSide || images.dims[2] > kMaxSide)
        throw Error(imagesFile.string() + ": images of " + std::to_string(images.dims[1]) + " x " +
                    std::to_string(images.dims[2]) + " pixels cannot be imported");
    const int rows = int(images.dims[1]);
    const int cols = int(images.dims[2]);
    const std::string sourcePrefix = withoutGz(imagesFile) + "#";
    ImportSession session(db, options, "Importing IDX");
    session.setTotal(images.dims[0]);
    // Encoded as PNG and hashed on every core, written in the file's order.
    prepareInWindows<PreparedImage>(
        std::size_t(images.dims[0]),
        [&](std::size_t i) {
            const std::size_t label = labels.data[i];
            if (!classNames.empty() && label >= classNames.size())
                throw Error(labelsFile.string() + ": label " + std::to_string(label) + " at item " + std::to_string(i) +
                            " has no class name (" + std::to_string(classNames.size()) + " given)");
            const cv::Mat image(rows, cols, CV_8UC1,
                                const_cast<std::uint8_t*>(images.data.data()) + std::int64_t(i) * std::int64_t(rows) * cols);
            std::vector<std::uint8_t> png;
            cv::imencode(".png", image, png);
            auto sha256 = sha256Hex(png);
            return PreparedImage{std::move(png), ImageShape{cols, rows, 1}, std::move(sha256)};
        },
        [&](std::size_t i, PreparedImage& image) {
            const std::size_t label = labels.data[i];
            session.add(std::move(image), sourcePrefix + std::to_string(i),
                        classNames.empty() ? std::to_string(label) : classNames[label]);
        },
        [&] { return session.shouldContinue(); });
    return session.finish();
}

std::optional<IdxPair> idxPairOf(const fs::path& imagesFile) {
    const std::string name = withoutGz(imagesFile);
    const auto marker = name.find("-images-idx3-ubyte");
    if (marker == std::string::npos) return std::nullopt;
    const std::string prefix = name.substr(0, marker);
    std::error_code error;
    for (const char* suffix : {"-labels-idx1-ubyte", "-labels-idx1-ubyte.gz"}) {
        const fs::path labels = imagesFile.parent_path() / (prefix + suffix);
        if (fs::exists(labels, error)) return IdxPair{imagesFile, labels};
    }
    return std::nullopt;
}

std::vector<IdxPair> findIdxPairs(const fs::path& folder) {
    std::vector<IdxPair> pairs;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(folder, error))
        if (auto pair = idxPairOf(entry.path())) pairs.push_back(std::move(*pair));
    // "t10k" sorts before "train"; import the training file first so its images keep their sources.
    std::sort(pairs.begin(), pairs.end(), [](const IdxPair& a, const IdxPair& b) {
        const bool aTrain = a.images.filename().string().starts_with("train");
        const bool bTrain = b.images.filename().string().starts_with("train");
        return aTrain != bTrain ? aTrain : a.images < b.images;
    });
    return pairs;
}

} // namespace graft
