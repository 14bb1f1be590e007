#include "ThumbnailLoader.h"

#include "project/ProjectFile.h"
#include "project/ProjectStore.h"

#include "ShapesProject.h"
#include "TempDir.h"
#include "TestApplication.h"

#include <QSignalSpy>
#include <QTest>
#include <gtest/gtest.h>

namespace graft {
namespace {

// The loader lives on this thread here, so nothing is decoded until the test lets events run:
// all four requests are pending at once, as after a fast scroll.
TEST(ThumbnailLoader, DecodesTheNewestRequestFirst) {
    testing::ensureTestApplication();
    testing::TempDir dir;
    const auto project = testing::createShapesProject(dir / "shapes.graft", 2);
    std::vector<QString> images;
    {
        Database db = openProject(project, ProjectAccess::ReadOnly);
        for (const auto& image : ProjectStore(db).catalog()) images.push_back(QString::fromStdString(image.sha256));
    }
    ASSERT_GE(images.size(), 4u);
    ui::ThumbnailLoader loader(QString::fromStdString(project.string()), 20);
    QSignalSpy loaded(&loader, &ui::ThumbnailLoader::loaded);
    for (int i = 0; i < 4; ++i) loader.request(images[std::size_t(i)]);
    EXPECT_EQ(loaded.size(), 0) << "requests return at once";
    ASSERT_TRUE(QTest::qWaitFor([&] { return loaded.size() == 4; }, 10'000));
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(loaded.at(i).at(0).toString(), images[std::size_t(3 - i)]) << "newest first";
        const auto image = loaded.at(i).at(1).value<QImage>();
        EXPECT_EQ(std::max(image.width(), image.height()), 20);
    }
}

} // namespace
} // namespace graft
