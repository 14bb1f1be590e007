#include "domain/DomainGap.h"

#include "common/Error.h"

#include "TempDir.h"
#include "TwoDomainShapes.h"

#include <gtest/gtest.h>

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
