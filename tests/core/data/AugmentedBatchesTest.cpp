#include "data/AugmentedBatches.h"

#include "ErrorText.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <numeric>

namespace graft {
namespace {

constexpr char kAugment[] = "crop:0.5,flip:0.5,rotate:10,brightness:0.2";

PreprocessSpec spec() {
    PreprocessSpec preprocess;
    preprocess.resizeShorter = preprocess.crop = 16;
    preprocess.color = ColorMode::Rgb;
    return preprocess;
}

std::vector<std::vector<std::uint8_t>> encodedImages(int count) {
    std::vector<std::vector<std::uint8_t>> images;
    for (int i = 0; i < count; ++i) {
        cv::Mat image(20 + i, 24, CV_8UC3);
        cv::randu(image, 0, 256);
        images.emplace_back();
        cv::imencode(".png", image, images.back());
    }
    return images;
}

BatchPlan plan(std::int64_t images, std::int64_t firstBatch = 0) {
    BatchPlan result;
    result.order.resize(std::size_t(images));
    std::iota(result.order.rbegin(), result.order.rend(), 0); // reversed, so order matters
    result.batchSize = 4;
    result.firstBatch = firstBatch;
    result.epochSeed = 42;
    return result;
}

std::vector<torch::Tensor> allBatches(AugmentedBatches& batches) {
    std::vector<torch::Tensor> result;
    while (!batches.done()) result.push_back(batches.next());
    return result;
}

TEST(AugmentedBatches, AreTheSameWhateverTheWorkersAndEqualToAugmentingEachImage) {
    const ImageBytesInMemory images(encodedImages(10));
    const auto augment = AugmentSpec::parse(kAugment);
    AugmentedBatches serial(images, spec(), augment, plan(10), 1, 1);
    AugmentedBatches parallel(images, spec(), augment, plan(10), 4, 3);
    const auto one = allBatches(serial), many = allBatches(parallel);
    ASSERT_EQ(one.size(), 3u);
    ASSERT_EQ(many.size(), 3u);
    EXPECT_EQ(one[2].size(0), 2) << "the last batch holds the remainder";
    for (std::size_t b = 0; b < one.size(); ++b) EXPECT_TRUE(torch::equal(one[b], many[b])) << b;

    // Position 0 of the epoch is image 9 (the order is reversed).
    auto expected = torch::empty({3, 16, 16});
    augmentInto(decodeImage(images.bytes(9), ColorMode::Rgb), spec(), augment, AugmentedBatches::imageSeed(42, 9),
                expected.data_ptr<float>());
    EXPECT_TRUE(torch::equal(one[0][0], expected));
}

TEST(AugmentedBatches, AResumedEpochGivesTheSameRemainingBatches) {
    const ImageBytesInMemory images(encodedImages(10));
    const auto augment = AugmentSpec::parse(kAugment);
    AugmentedBatches whole(images, spec(), augment, plan(10), 2, 2);
    AugmentedBatches resumed(images, spec(), augment, plan(10, 1), 2, 2);
    const auto all = allBatches(whole), tail = allBatches(resumed);
    ASSERT_EQ(tail.size(), 2u);
    EXPECT_TRUE(torch::equal(all[1], tail[0]));
    EXPECT_TRUE(torch::equal(all[2], tail[1]));
}

TEST(AugmentedBatches, ACorruptImageIsReportedByItsNumber) {
    auto pngs = encodedImages(6);
    pngs[4] = std::vector<std::uint8_t>(50, 0x17);
    const ImageBytesInMemory images(std::move(pngs));
    AugmentedBatches batches(images, spec(), AugmentSpec::parse(kAugment), plan(6), 2, 2);
    const auto message = testing::errorOf([&] { allBatches(batches); });
    EXPECT_NE(message.find("training image 5:"), std::string::npos) << message;

    auto streamed = plan(6);
    streamed.evalPreprocessing = true;
    streamed.imagesCalled = "validation image";
    AugmentedBatches validation(images, spec(), AugmentSpec{}, streamed, 2, 2);
    const auto streamedMessage = testing::errorOf([&] { allBatches(validation); });
    EXPECT_NE(streamedMessage.find("validation image 5:"), std::string::npos) << streamedMessage;
}

TEST(AugmentedBatches, StrongViewsHoldEachImagesWeakViewThenItsStrongViewSeededByPlace) {
    const ImageBytesInMemory images(encodedImages(3));
    const auto augment = AugmentSpec::parse(kAugment);
    BatchPlan twice;
    twice.order = {2, 0, 2, 1}; // image 2 comes twice, as a small pool does within one epoch
    twice.batchSize = 4;
    twice.epochSeed = 7;
    twice.strongViews = true;
    AugmentedBatches serial(images, spec(), augment, twice, 1, 1);
    AugmentedBatches parallel(images, spec(), augment, twice, 3, 2);
    const auto batch = serial.next();
    ASSERT_EQ(batch.size(0), 8) << "four weak views, then four strong ones";
    EXPECT_TRUE(torch::equal(batch, parallel.next()));

    const auto seed = AugmentedBatches::imageSeed(7, 2); // place 2 holds image 2
    auto weak = torch::empty({3, 16, 16});
    augmentInto(decodeImage(images.bytes(2), ColorMode::Rgb), spec(), augment, seed, weak.data_ptr<float>());
    EXPECT_TRUE(torch::equal(batch[2], weak));
    EXPECT_FALSE(torch::equal(batch[0], batch[2])) << "the same image at another place gets other draws";
    for (int i = 0; i < 4; ++i) EXPECT_FALSE(torch::equal(batch[i], batch[4 + i])) << "the strong view differs at " << i;
}

TEST(AugmentedBatches, StopsCleanlyWhenLeftMidEpoch) {
    const ImageBytesInMemory images(encodedImages(40));
    {
        AugmentedBatches batches(images, spec(), AugmentSpec::parse(kAugment), plan(40), 3, 2);
        EXPECT_EQ(batches.next().size(0), 4);
    } // must join its workers without making the rest (a hang fails by ctest's timeout)
}

} // namespace
} // namespace graft
