#include "domain/DomainGap.h"

#include "common/Error.h"
#include "data/IdxImport.h"
#include "data/OpenCvDigits.h"
#include "experiment/DomainShiftProject.h"
#include "project/ProjectFile.h"

#include "RequiredData.h"

#include "TempDir.h"
#include "TwoDomainShapes.h"

#include <gtest/gtest.h>

#include <iostream>
#include <numeric>

namespace graft {
namespace {

struct TwoDomainProject {
    testing::TempDir dir;
    std::filesystem::path file = testing::createTwoDomainShapesProject(dir / "shapes.graft", dir.path(), 12);
};

DomainGapRequest underFashionTinyNet(std::vector<std::string> sets) {
    DomainGapRequest request;
    request.backbone = PretrainedBackbone{"builtin:tinynet-fmnist", "tinynet", "builtin:tinynet-fmnist", std::nullopt};
    request.sets = std::move(sets);
    return request;
}

TEST(DomainGap, InvertedImagesLieFurtherThanAnotherSplitOfTheSameDomain) {
    TwoDomainProject project;
    const auto within = measureDomainGap(project.file, underFashionTinyNet({"plain:train", "plain:test"}), {}, {});
    const auto across = measureDomainGap(project.file, underFashionTinyNet({"plain", "inverted"}), {}, {});
    ASSERT_TRUE(within.between && across.between);
    EXPECT_GT(across.between->linearMmd, 2 * within.between->linearMmd);
    EXPECT_GT(across.between->frechet, 2 * within.between->frechet);
    EXPECT_GT(across.between->proxyADistance, within.between->proxyADistance);
    EXPECT_GT(across.between->proxyADistance, 1.5) << "inverted images are easy to tell apart";
    EXPECT_EQ(across.sets[0].images, 36);
    EXPECT_EQ(across.sets[1].images, 36);

    // Fashion-MNIST has dark backgrounds like the plain shapes: its first block shifts more on inverted ones.
    ASSERT_EQ(across.sets.size(), 2u);
    const auto& plainBlocks = across.sets[0].blocks;
    const auto& invertedBlocks = across.sets[1].blocks;
    ASSERT_FALSE(plainBlocks.empty());
    ASSERT_GT(plainBlocks.front().layers, 0);
    EXPECT_GT(invertedBlocks.front().shift, plainBlocks.front().shift);
    EXPECT_NE(across.sets[1].reading.find("shifts most"), std::string::npos) << across.sets[1].reading;
    EXPECT_EQ(across.model, "builtin:tinynet-fmnist");
}

void printPair(const char* what, const DomainPairGap& pair) {
    std::cout << "[ gap ] " << what << ": MMD^2 " << pair.linearMmd << ", Frechet " << pair.frechet << ", proxy A-distance "
              << pair.proxyADistance << "\n";
}

double meanShift(const ImageSetGap& set) {
    double sum = 0;
    int blocks = 0;
    for (const auto& block : set.blocks)
        if (block.layers > 0) {
            sum += block.shift;
            ++blocks;
        }
    return sum / std::max(1, blocks);
}

// The benchmark's own question: printed digits are another domain than handwritten ones, more
// than the handwritten training images are than the handwritten test images.
TEST(DomainGap, PrintedDigitsLieFurtherFromHandwrittenOnesThanHandwrittenTrainingFromTest) {
    GRAFT_REQUIRE_DATA(kOpenCvDigitsSheet, "opencv-doc");
    testing::TempDir dir;
    createDomainShiftProject(dir / "shift.graft", 50, 1);
    auto request = underFashionTinyNet({"printed", "handwritten"});
    request.maxImagesPerSet = 500;
    const auto across = measureDomainGap(dir / "shift.graft", request, {}, {});
    request.sets = {"handwritten:train", "handwritten:test"};
    const auto within = measureDomainGap(dir / "shift.graft", request, {}, {});
    ASSERT_TRUE(across.between && within.between);
    printPair("printed against handwritten", *across.between);
    printPair("handwritten training against test", *within.between);
    EXPECT_GT(across.between->linearMmd, within.between->linearMmd);
    EXPECT_GT(across.between->frechet, within.between->frechet);
    EXPECT_GT(across.between->proxyADistance, within.between->proxyADistance);
}

// Fashion-MNIST's TinyNet remembers Fashion-MNIST: its BatchNorm layers move more on digits than
// on Fashion-MNIST's own test images.
TEST(DomainGap, UnderFashionMnistTinyNetDigitsShiftMoreThanFashionMnistsTestImages) {
    const std::filesystem::path fashion = FASHION_MNIST_DIR;
    GRAFT_REQUIRE_DATA(fashion / "t10k-images-idx3-ubyte.gz", "dataset-fashion-mnist");
    GRAFT_REQUIRE_DATA(kOpenCvDigitsSheet, "opencv-doc");
    testing::TempDir dir;
    {
        Database db = createProject(dir / "mixed.graft");
        ImportOptions fashionImages, digits;
        fashionImages.domain = "fashion";
        digits.domain = "digits";
        importIdx(db, fashion / "t10k-images-idx3-ubyte.gz", fashion / "t10k-labels-idx1-ubyte.gz", {}, fashionImages);
        importOpenCvDigits(db, kOpenCvDigitsSheet, digits);
    }
    auto request = underFashionTinyNet({"fashion", "digits"});
    request.maxImagesPerSet = 1000;
    const auto report = measureDomainGap(dir / "mixed.graft", request, {}, {});
    ASSERT_EQ(report.sets.size(), 2u);
    for (const auto& set : report.sets) {
        std::cout << "[ gap ] " << set.set << " under builtin:tinynet-fmnist:";
        for (const auto& block : set.blocks)
            if (block.layers > 0) std::cout << " " << block.block << " " << block.shift;
        std::cout << "\n";
    }
    EXPECT_GT(meanShift(report.sets[1]), 2 * meanShift(report.sets[0]));
}

TEST(DomainGap, WithoutSetsMeasuresEveryImageAndComparesNothing) {
    TwoDomainProject project;
    const auto report = measureDomainGap(project.file, underFashionTinyNet({}), {}, {});
    ASSERT_EQ(report.sets.size(), 1u);
    EXPECT_EQ(report.sets[0].images, 72);
    EXPECT_FALSE(report.between);
}

TEST(DomainGap, UnknownDomainBadPartAndTooManySetsAreNamed) {
    TwoDomainProject project;
    const auto messageOf = [&](std::vector<std::string> sets) {
        try {
            measureDomainGap(project.file, underFashionTinyNet(std::move(sets)), {}, {});
        } catch (const Error& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(messageOf({"field"}).find("no domain 'field' (domains: inverted, plain)"), std::string::npos) << messageOf({"field"});
    EXPECT_NE(messageOf({"plain:tset"}).find("train, val, test or unlabelled, not 'tset'"), std::string::npos);
    EXPECT_NE(messageOf({"plain:unlabelled"}).find("holds 0 image(s)"), std::string::npos);
    EXPECT_NE(messageOf({"plain", "inverted", "plain:test"}).find("at most two"), std::string::npos);
}

} // namespace
} // namespace graft
