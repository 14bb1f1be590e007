#include "data/AutoImport.h"
#include "data/CsvImport.h"
#include "data/FolderImport.h"
#include "data/ImageDecoding.h"
#include "common/Error.h"
#include "project/DomainStore.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/TaskStore.h"

#include "CmykJpeg.h"
#include "Images.h"
#include "TempDir.h"
#include "WithoutPermissionOverride.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>

namespace graft {
namespace {

using testing::pngBytes;
using testing::TempDir;
using testing::writeFile;

bool reportsSkipped(const ImportReport& report, const std::string& fileName, const std::string& reason) {
    return std::any_of(report.skipped.begin(), report.skipped.end(), [&](const SkippedFile& file) {
        return file.path.ends_with(fileName) && file.reason.find(reason) != std::string::npos;
    });
}

std::map<std::string, std::int64_t> imagesPerClass(Database& db) {
    std::map<std::string, std::int64_t> counts;
    for (const auto& summary : ProjectStore(db).classSummaries()) counts[summary.name] = summary.images;
    return counts;
}

TEST(FolderImport, LabelsByFolderAndSkipsCorruptZeroByteAndNonImageFiles) {
    TempDir dir;
    for (int i = 0; i < 3; ++i) writeFile(dir / ("data/early_blight/" + std::to_string(i) + ".png"), pngBytes(i));
    for (int i = 3; i < 5; ++i) writeFile(dir / ("data/healthy/nested/" + std::to_string(i) + ".PNG"), pngBytes(i));
    writeFile(dir / "data/healthy/corrupt.png", "\x89PNG\r\n\x1a\n this is not really a png");
    writeFile(dir / "data/healthy/zero.jpg", "");
    writeFile(dir / "data/healthy/readme.txt", "notes");
    writeFile(dir / "data/loose.png", pngBytes(9));
    writeFile(dir / "data/.hidden/ignored.png", pngBytes(10));

    Database db = openInMemoryProject();
    const ImportReport report = importImageFolder(db, dir / "data");

    EXPECT_EQ(report.added, 6);
    EXPECT_EQ(report.labeled, 5);
    EXPECT_EQ(report.skipped.size(), 3u);
    EXPECT_TRUE(reportsSkipped(report, "corrupt.png", "not a decodable image"));
    EXPECT_TRUE(reportsSkipped(report, "zero.jpg", "empty file"));
    EXPECT_TRUE(reportsSkipped(report, "readme.txt", "not an image file"));
    EXPECT_EQ(imagesPerClass(db), (std::map<std::string, std::int64_t>{{"early_blight", 3}, {"healthy", 2}}));
    EXPECT_EQ(ProjectStore(db).unlabeledCount(), 1);
}

std::string encodedAs(const std::string& extension, const cv::Mat& image) {
    std::vector<std::uint8_t> bytes;
    EXPECT_TRUE(cv::imencode(extension, image, bytes));
    return {bytes.begin(), bytes.end()};
}

// Issue 10's bad inputs that a folder of real photos holds: each is either imported as the
// 8-bit RGB the models take, or skipped with a reason; none stops the import.
TEST(FolderImport, TakesSixteenBitAndAlphaImagesAndSkipsTruncatedOnesAndTextNamedJpg) {
    TempDir dir;
    const cv::Mat sixteenBit(12, 10, CV_16UC3, cv::Scalar(1000, 30000, 65535));
    const cv::Mat withAlpha(12, 10, CV_8UC4, cv::Scalar(10, 20, 30, 128));
    const std::string jpeg = encodedAs(".jpg", testing::randomImage(64, 64, 3));
    const std::string png = encodedAs(".png", testing::randomImage(64, 64, 3));
    writeFile(dir / "in/a/sixteen.png", encodedAs(".png", sixteenBit));
    writeFile(dir / "in/a/alpha.png", encodedAs(".png", withAlpha));
    writeFile(dir / "in/a/half.jpg", jpeg.substr(0, jpeg.size() / 2));
    writeFile(dir / "in/a/half.png", png.substr(0, png.size() / 2));
    writeFile(dir / "in/a/notes.jpg", "this is text, not a photo");
    writeFile(dir / "in/a/\xff\xfe-latin1.png", pngBytes(3)); // a file name that is not UTF-8

    Database db = openInMemoryProject();
    const ImportReport report = importImageFolder(db, dir / "in");
    EXPECT_EQ(report.added, 3);
    for (const auto* name : {"half.jpg", "half.png", "notes.jpg"})
        EXPECT_TRUE(std::any_of(report.skipped.begin(), report.skipped.end(),
                                [&](const SkippedFile& file) { return file.path.ends_with(name); }))
            << name << " was not skipped";
    for (const auto& image : ProjectStore(db).catalog()) {
        const cv::Mat decoded = decodeImage(ProjectStore(db).imageBytes(image.sha256), ColorMode::Rgb);
        EXPECT_EQ(decoded.type(), CV_8UC3) << image.source;
    }
}

// Adobe's inverted CMYK, as Photoshop writes it: each stored ink value v means 255 - v of ink,
// so red = C·K/255 and so on. The expected colour is that formula, not OpenCV's output.
TEST(FolderImport, CmykJpegIsImportedAsRgbOfItsInks) {
    TempDir dir;
    const std::array<unsigned char, 4> stored = {40, 120, 200, 230};
    writeFile(dir / "in/print/cmyk.jpg", testing::cmykJpeg(stored));
    Database db = openInMemoryProject();
    ASSERT_EQ(importImageFolder(db, dir / "in").added, 1);
    const auto image = ProjectStore(db).catalog().at(0);
    EXPECT_EQ(image.width, 8);
    const cv::Mat rgb = decodeImage(ProjectStore(db).imageBytes(image.sha256), ColorMode::Rgb);
    ASSERT_EQ(rgb.type(), CV_8UC3);
    const auto pixel = rgb.at<cv::Vec3b>(4, 4);
    for (int channel = 0; channel < 3; ++channel)
        EXPECT_NEAR(pixel[channel], stored[std::size_t(channel)] * stored[3] / 255.0, 3) << "channel " << channel;
}

TEST(FolderImport, UnreadableFilesAndFoldersAreReportedAsPermissionDenied) {
    TempDir dir;
    writeFile(dir / "in/a/ok.png", pngBytes(1));
    writeFile(dir / "in/a/locked.png", pngBytes(2));
    writeFile(dir / "in/b/inside.png", pngBytes(3));
    writeFile(dir / "in/a/sealed/deep.png", pngBytes(4));
    std::filesystem::permissions(dir / "in/a/locked.png", std::filesystem::perms::none);
    std::filesystem::permissions(dir / "in/b", std::filesystem::perms::none);
    std::filesystem::permissions(dir / "in/a/sealed", std::filesystem::perms::none);
    Database db = openInMemoryProject();
    ImportReport report;
    testing::withoutPermissionOverride([&] { report = importImageFolder(db, dir / "in"); });
    EXPECT_EQ(report.added, 1);
    EXPECT_TRUE(reportsSkipped(report, "locked.png", "Permission denied"));
    EXPECT_TRUE(reportsSkipped(report, "in/b", "folder cannot be read (Permission denied)"));
    EXPECT_TRUE(reportsSkipped(report, "a/sealed", "folder cannot be read (Permission denied)"));
    for (const char* folder : {"in/b", "in/a/sealed"}) std::filesystem::permissions(dir / folder, std::filesystem::perms::owner_all);
}

TEST(FolderImport, RecognisesImagesWithoutAnExtensionByTheirContent) {
    TempDir dir;
    writeFile(dir / "data/healthy/00fc2ee5___RS_HL", pngBytes(1));
    writeFile(dir / "data/healthy/26f15c9c___RS_Early.B 2037", pngBytes(2));
    writeFile(dir / "data/healthy/LICENSE", "MIT License");
    Database db = openInMemoryProject();
    const ImportReport report = importImageFolder(db, dir / "data");
    EXPECT_EQ(report.added, 2);
    EXPECT_TRUE(reportsSkipped(report, "LICENSE", "not an image format by its content"));
}

TEST(ImageDecoding, SignaturesOfCommonFormatsAreRecognisedAndTextIsNot) {
    using namespace std::string_view_literals;
    const auto bytes = [](std::string_view text) {
        return std::vector<std::uint8_t>(text.begin(), text.end());
    };
    EXPECT_TRUE(hasImageSignature(bytes("\xFF\xD8\xFF\xE0....JFIF"sv)));
    EXPECT_TRUE(hasImageSignature(bytes(pngBytes(1))));
    EXPECT_TRUE(hasImageSignature(bytes("RIFF\x10\0\0\0WEBPVP8 "sv)));
    EXPECT_TRUE(hasImageSignature(bytes("P5\n2 2\n255\n"sv)));
    EXPECT_FALSE(hasImageSignature(bytes("RIFF\x10\0\0\0WAVEfmt "sv)));
    EXPECT_FALSE(hasImageSignature(bytes("name,label\n"sv)));
    EXPECT_FALSE(hasImageSignature({}));
}

TEST(FolderImport, SkipsDuplicatesByContentAndNamesTheOriginal) {
    TempDir dir;
    writeFile(dir / "data/a/original.png", pngBytes(1));
    writeFile(dir / "data/b/copy.png", pngBytes(1));
    Database db = openInMemoryProject();
    const auto report = importImageFolder(db, dir / "data");
    EXPECT_EQ(report.added, 1);
    ASSERT_EQ(report.duplicates.size(), 1u);
    EXPECT_TRUE(report.duplicates[0].path.ends_with("copy.png"));
    EXPECT_NE(report.duplicates[0].reason.find("original.png"), std::string::npos);
    // Importing the same folder again adds nothing.
    EXPECT_EQ(importImageFolder(db, dir / "data").added, 0);
}

// Threads read, check and hash windows of files; the report and the stored images come out in
// the files' order all the same, over more files than one window holds.
TEST(FolderImport, ManyFilesAreReportedInTheirOrderWhateverThreadPreparedThem) {
    TempDir dir;
    for (int i = 0; i < 150; ++i) {
        const auto name = "data/c" + std::to_string(i % 3) + "/" + std::to_string(1000 + i);
        if (i % 10 == 9) writeFile(dir / (name + ".png"), "not a png");
        else writeFile(dir / (name + ".png"), pngBytes(i % 7 == 6 ? 6 : 100 + i)); // copies of image 6
    }
    Database db = openInMemoryProject();
    std::vector<std::int64_t> progress;
    ImportOptions options;
    options.progress = [&](const Progress& step) { progress.push_back(step.done); };
    const auto report = importImageFolder(db, dir / "data", options);
    ASSERT_EQ(report.skipped.size(), 15u);
    EXPECT_TRUE(std::is_sorted(report.skipped.begin(), report.skipped.end(),
                               [](const SkippedFile& a, const SkippedFile& b) { return a.path < b.path; }));
    ASSERT_FALSE(report.duplicates.empty());
    const auto original = report.duplicates.front().reason.substr(std::string("same content as ").size());
    for (const auto& duplicate : report.duplicates) {
        EXPECT_LT(original, duplicate.path) << "the first copy in path order is the original";
        EXPECT_NE(duplicate.reason.find(original), std::string::npos) << duplicate.reason;
    }
    EXPECT_EQ(report.added + std::int64_t(report.duplicates.size() + report.skipped.size()), 150);
    EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
    EXPECT_EQ(progress.back(), 150);
}

TEST(FolderImport, ImportedLabelledImagesGetStratifiedSplits) {
    TempDir dir;
    for (int i = 0; i < 20; ++i) writeFile(dir / ("data/a/" + std::to_string(i) + ".png"), pngBytes(i));
    for (int i = 20; i < 40; ++i) writeFile(dir / ("data/b/" + std::to_string(i) + ".png"), pngBytes(i));
    Database db = openInMemoryProject();
    importImageFolder(db, dir / "data");
    for (const auto& summary : ProjectStore(db).classSummaries()) {
        EXPECT_EQ(summary.val, 2) << summary.name;
        EXPECT_EQ(summary.test, 2) << summary.name;
        EXPECT_EQ(summary.train, 16) << summary.name;
    }
}

TEST(FolderImport, StopRequestCancelsAndKeepsWhatWasAlreadyImported) {
    TempDir dir;
    for (int i = 0; i < 5; ++i) writeFile(dir / ("data/a/" + std::to_string(i) + ".png"), pngBytes(i));
    std::stop_source stop;
    ImportOptions options;
    options.stop = stop.get_token();
    // The first progress report comes after the first image; stopping there leaves exactly one.
    options.progress = [&](const Progress& progress) {
        EXPECT_EQ(progress.total, 5);
        stop.request_stop();
    };
    Database db = openInMemoryProject();
    const auto report = importImageFolder(db, dir / "data", options);
    EXPECT_TRUE(report.cancelled);
    EXPECT_EQ(report.added, 1);
    EXPECT_EQ(ProjectStore(db).imageCount(), 1);
}

TEST(FolderImport, DomainGoesToNewImagesAndToDuplicatesThatHadNone) {
    TempDir dir;
    for (int i = 0; i < 3; ++i) writeFile(dir / ("lab/a/" + std::to_string(i) + ".png"), pngBytes(i));
    for (int i = 2; i < 5; ++i) writeFile(dir / ("plain/a/" + std::to_string(i) + ".png"), pngBytes(i));
    for (int i = 3; i < 6; ++i) writeFile(dir / ("field/a/" + std::to_string(i) + ".png"), pngBytes(i));
    Database db = openInMemoryProject();
    ImportOptions lab;
    lab.domain = "lab";
    importImageFolder(db, dir / "lab", lab);
    importImageFolder(db, dir / "plain", {}); // 2 is a duplicate; 3 and 4 arrive without a domain
    ImportOptions field;
    field.domain = "field";
    const auto report = importImageFolder(db, dir / "field", field);
    EXPECT_EQ(report.added, 1);
    ASSERT_EQ(report.duplicates.size(), 2u);
    EXPECT_NE(report.duplicates[0].reason.find("now in domain field"), std::string::npos) << report.duplicates[0].reason;

    const auto summaries = DomainStore(db).summaries();
    ASSERT_EQ(summaries.size(), 2u);
    EXPECT_EQ(summaries[0].name, "field");
    EXPECT_EQ(summaries[0].images, 3); // 3 and 4 took it, 5 is new
    EXPECT_EQ(summaries[1].name, "lab");
    EXPECT_EQ(summaries[1].images, 3);

    ImportOptions other;
    other.domain = "scanner-b";
    const auto again = importImageFolder(db, dir / "lab", other);
    ASSERT_EQ(again.duplicates.size(), 3u);
    EXPECT_NE(again.duplicates[0].reason.find("kept its domain lab"), std::string::npos) << again.duplicates[0].reason;
    EXPECT_EQ(DomainStore(db).summaries()[1].images, 3) << "lab keeps its three";
}

TEST(FolderImport, BadDomainNameIsRefusedBeforeAnyImageIsRead) {
    TempDir dir;
    writeFile(dir / "data/a/0.png", pngBytes(0));
    Database db = openInMemoryProject();
    ImportOptions options;
    options.domain = "lab,field";
    EXPECT_THROW(importImageFolder(db, dir / "data", options), Error);
    EXPECT_EQ(ProjectStore(db).imageCount(), 0);
}

TEST(CsvImport, ParsesQuotedFields) {
    EXPECT_EQ(parseCsvLine(R"(a,"b,c","say ""hi""",)"), (std::vector<std::string>{"a", "b,c", "say \"hi\"", ""}));
}

TEST(CsvImport, ResolvesRelativePathsAndReportsBadRowsByLine) {
    TempDir dir;
    writeFile(dir / "images/one.png", pngBytes(1));
    writeFile(dir / "images/two.png", pngBytes(2));
    writeFile(dir / "elsewhere/three.png", pngBytes(3));
    writeFile(dir / "labels.csv", "path,label\n"
                                  "images/one.png,cat\n"
                                  "\"images/two.png\",dog\n"
                                  + (dir / "elsewhere/three.png").string() + ",\n"
                                  "images/missing.png,cat\n"
                                  "too,many,fields\n");
    Database db = openInMemoryProject();
    const auto report = importCsv(db, dir / "labels.csv");
    EXPECT_EQ(report.added, 3);
    EXPECT_EQ(report.labeled, 2);
    EXPECT_TRUE(reportsSkipped(report, "labels.csv:5", "missing.png"));
    EXPECT_TRUE(reportsSkipped(report, "labels.csv:6", "expected 2 fields"));
    EXPECT_EQ(imagesPerClass(db), (std::map<std::string, std::int64_t>{{"cat", 1}, {"dog", 1}}));
}

// Found by fuzzing: a folder reads as a file of about 2^63 bytes, and allocating that aborted.
TEST(CsvImport, ARowNamingAFolderIsSkippedByLine) {
    TempDir dir;
    writeFile(dir / "images/one.png", pngBytes(1));
    writeFile(dir / "labels.csv", "path,label\nimages,cat\n,dog\nimages/one.png,cat\n");
    Database db = openInMemoryProject();
    const auto report = importCsv(db, dir / "labels.csv");
    EXPECT_EQ(report.added, 1);
    EXPECT_TRUE(reportsSkipped(report, "labels.csv:2", "is a folder"));
    EXPECT_TRUE(reportsSkipped(report, "labels.csv:3", "is a folder"));
}

std::map<std::string, std::string> labelsOfTask(Database& db, const std::string& task) {
    ProjectStore store(db, TaskStore(db).require(task));
    const auto names = store.classNames();
    std::map<std::string, std::string> labels; // source file name -> class
    std::map<std::string, std::string> sourceOf;
    for (const auto& image : store.catalog()) sourceOf[image.sha256] = std::filesystem::path(image.source).filename();
    for (const auto& image : store.labeledImages()) labels[sourceOf[image.sha256]] = names.at(image.classId);
    return labels;
}

TEST(CsvImport, AColumnPerTaskLabelsEachTaskAndAnEmptyCellLeavesThatTaskWithout) {
    TempDir dir;
    for (int i = 1; i <= 3; ++i) writeFile(dir / ("leaf" + std::to_string(i) + ".png"), pngBytes(i));
    writeFile(dir / "labels.csv", "path,class,severity\n"
                                  "leaf1.png,blight,mild\n"
                                  "leaf2.png,,severe\n"
                                  "leaf3.png,healthy,\n"
                                  "leaf3.png,healthy\n");
    Database db = openInMemoryProject();
    const auto report = importCsv(db, dir / "labels.csv");
    EXPECT_EQ(report.added, 3);
    EXPECT_EQ(report.labeled, 3);
    EXPECT_TRUE(reportsSkipped(report, "labels.csv:5", "expected 3 fields (path,class,severity), found 2"));
    EXPECT_EQ(labelsOfTask(db, "class"), (std::map<std::string, std::string>{{"leaf1.png", "blight"}, {"leaf3.png", "healthy"}}));
    EXPECT_EQ(labelsOfTask(db, "severity"), (std::map<std::string, std::string>{{"leaf1.png", "mild"}, {"leaf2.png", "severe"}}));
    EXPECT_EQ(ProjectStore(db).imagesToSplit().size(), 3u);
    for (const auto& image : ProjectStore(db).catalog()) EXPECT_TRUE(image.split) << image.source << " has no split";
}

TEST(CsvImport, ATwoColumnHeaderLabelsTheImportsTaskWhateverItsSecondColumnIsCalled) {
    TempDir dir;
    writeFile(dir / "leaf.png", pngBytes(1));
    writeFile(dir / "labels.csv", "path,category\nleaf.png,blight\n");
    Database db = openInMemoryProject();
    importCsv(db, dir / "labels.csv");
    EXPECT_EQ(TaskStore(db).summaries().size(), 1u) << "no task 'category' was made";
    EXPECT_EQ(labelsOfTask(db, "class"), (std::map<std::string, std::string>{{"leaf.png", "blight"}}));
}

TEST(CsvImport, AHeaderWithAnUnnamedTaskColumnIsRefusedAndNothingIsImported) {
    TempDir dir;
    writeFile(dir / "leaf.png", pngBytes(1));
    writeFile(dir / "labels.csv", "path,class,\nleaf.png,blight,mild\n");
    Database db = openInMemoryProject();
    try {
        importCsv(db, dir / "labels.csv");
        FAIL();
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("labels.csv:1: column 3 has no task name"), std::string::npos) << error.what();
    }
    EXPECT_EQ(ProjectStore(db).imageCount(), 0);
    EXPECT_EQ(TaskStore(db).summaries().size(), 1u);
}

TEST(FolderImport, IntoANamedTaskLabelsThatTaskAndGivesImagesAlreadyThereTheirLabelInIt) {
    TempDir dir;
    writeFile(dir / "disease/blight/a.png", pngBytes(1));
    writeFile(dir / "disease/healthy/b.png", pngBytes(2));
    writeFile(dir / "severity/mild/a.png", pngBytes(1));
    writeFile(dir / "severity/severe/c.png", pngBytes(3));
    writeFile(dir / "again/healthy/a.png", pngBytes(1));
    Database db = openInMemoryProject();
    importImageFolder(db, dir / "disease");
    ImportOptions intoSeverity;
    intoSeverity.task = "severity";
    const auto report = importImageFolder(db, dir / "severity", intoSeverity);
    EXPECT_EQ(report.added, 1);
    ASSERT_EQ(report.duplicates.size(), 1u);
    EXPECT_NE(report.duplicates[0].reason.find("now labelled mild in task severity"), std::string::npos)
        << report.duplicates[0].reason;
    EXPECT_EQ(labelsOfTask(db, "class"), (std::map<std::string, std::string>{{"a.png", "blight"}, {"b.png", "healthy"}}));
    EXPECT_EQ(labelsOfTask(db, "severity"), (std::map<std::string, std::string>{{"a.png", "mild"}, {"c.png", "severe"}}));

    const auto again = importImageFolder(db, dir / "again");
    ASSERT_EQ(again.duplicates.size(), 1u);
    EXPECT_NE(again.duplicates[0].reason.find("kept its label blight in task class"), std::string::npos)
        << again.duplicates[0].reason;
    EXPECT_EQ(labelsOfTask(db, "class").at("a.png"), "blight");
}

TEST(AutoImport, MissingPathIsAnErrorNamingIt) {
    Database db = openInMemoryProject();
    try {
        importPaths(db, {"/no/such/folder"});
        FAIL();
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("/no/such/folder"), std::string::npos);
    }
}

} // namespace
} // namespace graft
