#include "common/AtomicFile.h"
#include "common/Error.h"

#include "ErrorText.h"
#include "TempDir.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace graft {
namespace {

std::string contents(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

TEST(AtomicFile, ReplacesTheWholeFileAndLeavesNoPartialBehind) {
    testing::TempDir dir;
    const auto target = dir / "report.md";
    writeFileAtomically(target, std::string_view("a longer first version\n"));
    writeFileAtomically(target, std::string_view("second\n"));
    EXPECT_EQ(contents(target), "second\n");
    EXPECT_FALSE(std::filesystem::exists(dir / "report.md.partial"));
}

TEST(AtomicFile, FailedWriteNamesTheFileAndLeavesNothingBehind) {
    testing::TempDir dir;
    const auto target = dir / "missing-folder" / "w.pt";
    const std::vector<std::uint8_t> bytes = {1, 2, 3};
    EXPECT_NE(testing::errorOf([&] { writeFileAtomically(target, bytes); }).find(target.string()), std::string::npos);
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

} // namespace
} // namespace graft
