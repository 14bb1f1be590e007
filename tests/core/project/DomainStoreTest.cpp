#include "project/DomainStore.h"

#include "common/Error.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/Schema.h"

#include "Images.h"
#include "TempDir.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

std::string addImage(ProjectStore& store, int seed) {
    const std::string png = testing::pngBytes(seed);
    return store.addImage({{png.begin(), png.end()}, 8, 8, 1, std::to_string(seed) + ".png"}).sha256;
}

TEST(DomainStore, SetsReplacesAndClearsOneDomainPerImage) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    const auto image = addImage(store, 1);
    DomainStore domains(db);
    EXPECT_FALSE(domains.domainOf(image));
    domains.setDomain(image, "lab");
    EXPECT_EQ(domains.domainOf(image), "lab");
    domains.setDomain(image, "field");
    EXPECT_EQ(domains.domainOf(image), "field");
    EXPECT_EQ(domains.domainNames(), std::vector<std::string>{"field"});
    domains.clearDomain(image);
    EXPECT_FALSE(domains.domainOf(image));
    EXPECT_TRUE(domains.domainNames().empty());
}

TEST(DomainStore, RejectsEmptyCommaAndOverlongNamesWithoutWriting) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    const auto image = addImage(store, 1);
    DomainStore domains(db);
    for (const std::string& bad : {std::string(), std::string("lab,field"), std::string(101, 'x'), std::string("a\nb")})
        EXPECT_THROW(domains.setDomain(image, bad), Error) << bad;
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM image_domains"), 0);
    try {
        domains.setDomain(image, "lab,field");
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("'lab,field' holds a comma"), std::string::npos) << error.what();
    }
}

TEST(DomainStore, CountsEachDomainsImagesBySplitAndUnlabelledWithTheUnassignedLast) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    DomainStore domains(db);
    const auto cls = store.ensureClass("a");
    std::vector<std::string> images;
    for (int i = 0; i < 7; ++i) images.push_back(addImage(store, i));
    // field: 2 train, 1 test, 1 unlabelled; lab: 1 val; no domain: 1 train, 1 unlabelled.
    for (int i : {0, 1, 2, 4, 5}) store.setLabel(images[std::size_t(i)], cls);
    store.setSplit(images[0], Split::Train);
    store.setSplit(images[1], Split::Train);
    store.setSplit(images[2], Split::Test);
    store.setSplit(images[4], Split::Val);
    store.setSplit(images[5], Split::Train);
    for (int i : {0, 1, 2, 3}) domains.setDomain(images[std::size_t(i)], "field");
    domains.setDomain(images[4], "lab");

    const auto summaries = domains.summaries();
    ASSERT_EQ(summaries.size(), 3u);
    EXPECT_EQ(summaries[0].name, "field");
    EXPECT_EQ(summaries[0].images, 4);
    EXPECT_EQ(summaries[0].train, 2);
    EXPECT_EQ(summaries[0].val, 0);
    EXPECT_EQ(summaries[0].test, 1);
    EXPECT_EQ(summaries[0].unlabelled, 1);
    EXPECT_EQ(summaries[1].name, "lab");
    EXPECT_EQ(summaries[1].images, 1);
    EXPECT_EQ(summaries[1].val, 1);
    EXPECT_EQ(summaries[2].name, "");
    EXPECT_EQ(summaries[2].images, 2);
    EXPECT_EQ(summaries[2].train, 1);
    EXPECT_EQ(summaries[2].unlabelled, 1);
    EXPECT_EQ(domains.domainByImage().at(images[4]), "lab");
    EXPECT_EQ(domains.domainByImage().size(), 5u);
}

TEST(DomainStore, DeletingAnImageDropsItsDomain) {
    Database db = openInMemoryProject();
    ProjectStore store(db);
    const auto image = addImage(store, 1);
    DomainStore(db).setDomain(image, "lab");
    db.prepare("DELETE FROM images WHERE sha256 = ?").bind(1, image).run();
    EXPECT_EQ(db.queryInt("SELECT count(*) FROM image_domains"), 0);
}

TEST(DomainStore, AProjectFromBeforeDomainsOpensWithItsLabelsAndNoDomains) {
    testing::TempDir dir;
    const auto path = dir / "old.graft";
    std::string image;
    {
        Database db(path.string(), Database::Mode::Create);
        db.exec("PRAGMA application_id = " + std::to_string(kGraftApplicationId));
        migrateTo(db, 7); // the schema before domains
        ProjectStore store(db);
        image = addImage(store, 3);
        // Labels as schema 7 wrote them, before tasks.
        db.exec("INSERT INTO classes(name) VALUES('healthy')");
        db.prepare("INSERT INTO labels(image, class_id) VALUES(?, 1)").bind(1, image).run();
        store.setSplit(image, Split::Val);
    }
    Database db = openProject(path);
    EXPECT_EQ(db.queryInt("PRAGMA user_version"), latestSchemaVersion());
    ProjectStore store(db);
    ASSERT_EQ(store.classSummaries().size(), 1u);
    EXPECT_EQ(store.classSummaries()[0].name, "healthy");
    EXPECT_EQ(store.classSummaries()[0].val, 1);
    const auto summaries = DomainStore(db).summaries();
    ASSERT_EQ(summaries.size(), 1u);
    EXPECT_EQ(summaries[0].name, "");
    EXPECT_EQ(summaries[0].val, 1);
    DomainStore(db).setDomain(image, "lab");
    EXPECT_EQ(DomainStore(db).domainOf(image), "lab");
}

} // namespace
} // namespace graft
