#include "common/Error.h"
#include "common/Sha256.h"
#include "models/Download.h"

#include "LocalHttpServer.h"
#include "TempDir.h"

#include <gtest/gtest.h>

#include <random>

namespace graft {
namespace {

using testing::LocalHttpServer;
using testing::TempDir;

// Everything here talks to a server on 127.0.0.1 started by the test; nothing leaves the machine.
class Download : public ::testing::Test {
protected:
    Download() : body_(randomBytes(300000)), server_(body_) {}

    static std::string randomBytes(std::size_t size) {
        std::mt19937 generator(7);
        std::string bytes(size, '\0');
        for (auto& byte : bytes) byte = char(generator());
        return bytes;
    }
    std::string bodyHash() const { return sha256Hex({reinterpret_cast<const std::uint8_t*>(body_.data()), body_.size()}); }
    std::filesystem::path target() const { return dir_ / "cache" / "weights.pth"; }
    std::filesystem::path partial() const { return dir_ / "cache" / "weights.pth.partial"; }
    std::string errorOf(const DownloadRequest& request, const DownloadOptions& options = {}) {
        try {
            downloadFile(request, options);
        } catch (const Error& error) {
            return error.what();
        }
        return "(no error)";
    }

    std::string body_;
    LocalHttpServer server_;
    TempDir dir_;
};

TEST_F(Download, StoresTheFileWhenItsHashMatches) {
    downloadFile({server_.url(), target(), bodyHash()});
    EXPECT_EQ(testing::readFile(target()), body_);
    EXPECT_FALSE(std::filesystem::exists(partial()));
}

TEST_F(Download, WrongHashIsAnErrorAndLeavesNoFile) {
    const std::string error = errorOf({server_.url(), target(), std::string(64, '0')});
    EXPECT_NE(error.find("SHA-256 is " + bodyHash()), std::string::npos) << error;
    EXPECT_FALSE(std::filesystem::exists(target()));
    EXPECT_FALSE(std::filesystem::exists(partial()));
}

TEST_F(Download, BrokenConnectionKeepsThePartAndTheNextAttemptResumes) {
    server_.dropAfter(100000);
    const std::string error = errorOf({server_.url(), target(), bodyHash()});
    EXPECT_NE(error.find("failed after 100000 bytes"), std::string::npos) << error;
    EXPECT_NE(error.find("run it again to resume"), std::string::npos) << error;
    EXPECT_EQ(std::filesystem::file_size(partial()), 100000u);
    EXPECT_FALSE(std::filesystem::exists(target()));

    server_.serveFully();
    downloadFile({server_.url(), target(), bodyHash()});
    EXPECT_EQ(testing::readFile(target()), body_);
    EXPECT_EQ(server_.rangesRequested(), std::vector<std::string>{"100000-"});
}

TEST_F(Download, ServerWithoutRangeSupportMakesTheNextAttemptStartOver) {
    server_.dropAfter(100000);
    errorOf({server_.url(), target(), bodyHash()});
    ASSERT_EQ(std::filesystem::file_size(partial()), 100000u);
    server_.serveFully();
    server_.ignoreRanges();
    downloadFile({server_.url(), target(), bodyHash()});
    EXPECT_EQ(testing::readFile(target()), body_);
}

TEST_F(Download, HttpErrorSaysTheServerRefusedAndLeavesNothing) {
    server_.notFound();
    const std::string error = errorOf({server_.url(), target(), bodyHash()});
    EXPECT_NE(error.find("refused by the server"), std::string::npos) << error;
    EXPECT_NE(error.find("404"), std::string::npos) << error;
    EXPECT_FALSE(std::filesystem::exists(partial()));
}

TEST_F(Download, CancelStopsAndKeepsThePartForLater) {
    std::stop_source stop;
    DownloadOptions options;
    options.stop = stop.get_token();
    std::int64_t lastTotal = 0;
    options.progress = [&](const Progress& progress) {
        lastTotal = progress.total;
        if (progress.done > 0) stop.request_stop();
    };
    const std::string error = errorOf({server_.url(), target(), bodyHash()}, options);
    EXPECT_NE(error.find("cancelled"), std::string::npos) << error;
    EXPECT_EQ(lastTotal, std::int64_t(body_.size()));
    EXPECT_FALSE(std::filesystem::exists(target()));
    ASSERT_TRUE(std::filesystem::exists(partial())) << "the part already downloaded is kept";
    EXPECT_GT(std::filesystem::file_size(partial()), 0u);
    EXPECT_LE(std::filesystem::file_size(partial()), body_.size());
}

} // namespace
} // namespace graft
