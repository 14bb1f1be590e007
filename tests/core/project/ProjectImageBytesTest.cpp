#include "project/ProjectFile.h"
#include "project/ProjectImageBytes.h"
#include "project/ProjectStore.h"

#include "ErrorText.h"
#include "Images.h"
#include "TempDir.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace graft {
namespace {

TEST(ProjectImageBytes, GivesEveryImagesStoredBytesToManyThreadsAtOnce) {
    testing::TempDir dir;
    const auto path = dir / "images.graft";
    std::vector<std::string> sha256s;
    std::vector<std::vector<std::uint8_t>> stored;
    {
        Database db = createProject(path);
        ProjectStore store(db);
        for (int i = 0; i < 24; ++i) {
            const std::string png = testing::pngBytes(i);
            sha256s.push_back(store.addImage({{png.begin(), png.end()}, 8, 8, 1, "img" + std::to_string(i)}).sha256);
            stored.emplace_back(png.begin(), png.end());
        }
    }
    // Writers keep the project open while a run reads it: the recorder's connection.
    Database writer = openProject(path, ProjectAccess::ReadWrite);
    const ProjectImageBytes images(path, sha256s);
    ASSERT_EQ(images.size(), 24);
    std::atomic<int> mismatches = 0;
    std::vector<std::jthread> readers;
    for (int t = 0; t < 4; ++t)
        readers.emplace_back([&, t] {
            for (int round = 0; round < 5; ++round)
                for (std::int64_t i = t; i < images.size(); i += 2)
                    if (images.bytes(i) != stored[std::size_t(i)]) ++mismatches;
        });
    readers.clear();
    EXPECT_EQ(mismatches, 0);
}

TEST(ProjectImageBytes, AnImageRemovedWhileARunReadsNamesItAndTheProject) {
    testing::TempDir dir;
    const auto path = dir / "removed.graft";
    Database db = createProject(path);
    ProjectStore store(db);
    const std::string png = testing::pngBytes(3);
    const auto sha256 = store.addImage({{png.begin(), png.end()}, 8, 8, 1, "three.png"}).sha256;
    const ProjectImageBytes images(path, {sha256});
    EXPECT_EQ(images.bytes(0).size(), png.size());
    db.prepare("DELETE FROM images WHERE sha256 = ?").bind(1, sha256).run();
    const auto message = testing::errorOf([&] { images.bytes(0); });
    EXPECT_NE(message.find(sha256), std::string::npos) << message;
    EXPECT_NE(message.find("removed.graft"), std::string::npos) << message;
}

} // namespace
} // namespace graft
