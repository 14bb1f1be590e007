#include "data/AutoImport.h"
#include "data/IdxImport.h"
#include "data/ImageDecoding.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/TaskStore.h"

#include "ErrorText.h"
#include "RequiredData.h"
#include "TempDir.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace graft {
namespace {

using testing::TempDir;

std::string bigEndian(std::uint32_t value) {
    return {char(value >> 24), char(value >> 16), char(value >> 8), char(value)};
}

std::string idxHeader(const std::vector<std::uint32_t>& dims) {
    std::string header = {0, 0, 0x08, char(dims.size())};
    for (auto dim : dims) header += bigEndian(dim);
    return header;
}

void writeGzip(const std::filesystem::path& path, const std::string& bytes) {
    gzFile file = gzopen(path.c_str(), "wb");
    gzwrite(file, bytes.data(), unsigned(bytes.size()));
    gzclose(file);
}

// Four 3x2 images whose pixels encode their index, labelled 0,1,2,1.
void writeMnistPair(const std::filesystem::path& folder) {
    std::string images = idxHeader({4, 3, 2});
    for (int i = 0; i < 4; ++i) images += std::string(6, char(10 * i + 5));
    writeGzip(folder / "train-images-idx3-ubyte.gz", images);
    writeGzip(folder / "train-labels-idx1-ubyte.gz", idxHeader({4}) + std::string{0, 1, 2, 1});
}

TEST(IdxImport, ImportsGzippedMnistPairsAsLabelledPngs) {
    TempDir dir;
    writeMnistPair(dir.path());
    Database db = openInMemoryProject();
    const auto report = importPaths(db, {dir.path()}, {"zero", "one", "two"});
    EXPECT_EQ(report.added, 4);
    EXPECT_EQ(report.labeled, 4);
    ProjectStore store(db);
    const auto classes = store.classSummaries();
    ASSERT_EQ(classes.size(), 3u);
    EXPECT_EQ(classes[1].name, "one");
    EXPECT_EQ(classes[1].images, 2);

    // The stored PNG decodes back to the original pixels.
    const auto labeled = store.labeledImages();
    const auto& first = std::find_if(labeled.begin(), labeled.end(),
                                     [&](const LabeledImage& image) { return image.classId == classes[0].id; });
    const cv::Mat decoded = decodeImage(store.imageBytes(first->sha256), ColorMode::Gray);
    EXPECT_EQ(decoded.rows, 3);
    EXPECT_EQ(decoded.cols, 2);
    EXPECT_EQ(decoded.at<std::uint8_t>(2, 1), 5);
}

TEST(IdxImport, IntoANamedTaskLabelsThatTaskAndLeavesTheFirstTaskWithout) {
    TempDir dir;
    writeMnistPair(dir.path());
    Database db = openInMemoryProject();
    ImportOptions options;
    options.task = "digit";
    const auto report = importIdx(db, dir / "train-images-idx3-ubyte.gz", dir / "train-labels-idx1-ubyte.gz", {}, options);
    EXPECT_EQ(report.labeled, 4);
    EXPECT_TRUE(ProjectStore(db).labeledImages().empty()) << "the first task has no label";
    ProjectStore digit(db, TaskStore(db).require("digit"));
    EXPECT_EQ(digit.labeledImages().size(), 4u);
    EXPECT_EQ(digit.classSummaries().size(), 3u);
    for (const auto& image : digit.catalog()) EXPECT_TRUE(image.split) << "labelled in a task, an image has a split";
}

TEST(IdxImport, NamesClassesByLabelNumberByDefault) {
    TempDir dir;
    writeMnistPair(dir.path());
    Database db = openInMemoryProject();
    importIdx(db, dir / "train-images-idx3-ubyte.gz", dir / "train-labels-idx1-ubyte.gz");
    EXPECT_EQ(ProjectStore(db).classSummaries()[2].name, "2");
}

TEST(IdxImport, TruncatedFileIsAnErrorNamingTheFile) {
    TempDir dir;
    std::string images = idxHeader({4, 3, 2}) + std::string(10, 'x');
    writeGzip(dir / "cut-images-idx3-ubyte.gz", images);
    try {
        readIdxFile(dir / "cut-images-idx3-ubyte.gz");
        FAIL();
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("cut-images-idx3-ubyte.gz: truncated"), std::string::npos)
            << error.what();
    }
}

TEST(IdxImport, RejectsMismatchedImageAndLabelCountsWithoutImporting) {
    TempDir dir;
    writeGzip(dir / "a-images-idx3-ubyte.gz", idxHeader({2, 1, 1}) + "ab");
    writeGzip(dir / "a-labels-idx1-ubyte.gz", idxHeader({3}) + std::string{0, 1, 0});
    Database db = openInMemoryProject();
    EXPECT_THROW(importIdx(db, dir / "a-images-idx3-ubyte.gz", dir / "a-labels-idx1-ubyte.gz"), Error);
    EXPECT_EQ(ProjectStore(db).imageCount(), 0);
}

// Found by fuzzing: OpenCV's PNG encoder threw on a 0-pixel side, past the importer's errors.
TEST(IdxImport, ImagesWithAZeroSideAreRefusedNamingTheFile) {
    TempDir dir;
    writeGzip(dir / "flat-images-idx3-ubyte.gz", idxHeader({2, 0, 2}) + "abcd");
    writeGzip(dir / "flat-labels-idx1-ubyte.gz", idxHeader({2}) + std::string{0, 1});
    Database db = openInMemoryProject();
    const auto message = testing::errorOf(
        [&] { importIdx(db, dir / "flat-images-idx3-ubyte.gz", dir / "flat-labels-idx1-ubyte.gz"); });
    EXPECT_NE(message.find("flat-images-idx3-ubyte.gz: images of 0 x 2 pixels"), std::string::npos) << message;
    EXPECT_EQ(ProjectStore(db).imageCount(), 0);
}

TEST(IdxImport, SidesWhoseProductOverflowsAreRefusedAsImplausible) {
    TempDir dir;
    writeGzip(dir / "huge-images-idx3-ubyte.gz", idxHeader({0xFFFFFFFF, 0xFFFFFF21, 1}) + "ab");
    const auto message = testing::errorOf([&] { readIdxFile(dir / "huge-images-idx3-ubyte.gz"); });
    EXPECT_NE(message.find("implausibly large"), std::string::npos) << message;
}

TEST(IdxImport, RejectsBadMagicNumber) {
    TempDir dir;
    writeGzip(dir / "bad-images-idx3-ubyte.gz", std::string("\x00\x00\x0d\x03", 4) + std::string(12, '\0'));
    EXPECT_THROW(readIdxFile(dir / "bad-images-idx3-ubyte.gz"), Error);
}

// The real Fashion-MNIST test set from Debian's dataset-fashion-mnist package.
TEST(IdxImport, ImportsDebianFashionMnistTestSet) {
    const std::filesystem::path folder = FASHION_MNIST_DIR;
    GRAFT_REQUIRE_DATA(folder / "t10k-images-idx3-ubyte.gz", "dataset-fashion-mnist");
    Database db = openInMemoryProject();
    const auto report = importIdx(db, folder / "t10k-images-idx3-ubyte.gz", folder / "t10k-labels-idx1-ubyte.gz");
    EXPECT_EQ(report.added + std::int64_t(report.duplicates.size()), 10000);
    const auto classes = ProjectStore(db).classSummaries();
    ASSERT_EQ(classes.size(), 10u);
    std::int64_t total = 0;
    for (const auto& c : classes) total += c.images;
    EXPECT_EQ(total, report.added);
}

} // namespace
} // namespace graft
