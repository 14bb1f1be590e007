#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string_view>

namespace graft::testing {

// CI sets CI (to "true"); its installer/setup.sh test installs every data package a test reads.
inline bool runningInContinuousIntegration() {
    const char* ci = std::getenv("CI");
    return ci && *ci && std::string_view(ci) != "false" && std::string_view(ci) != "0";
}

} // namespace graft::testing

// Skips the test when `path` (a file of Debian package `package`) is missing on a developer's
// machine, and fails it in CI, where a missing package would otherwise shrink the suite unseen.
#define GRAFT_REQUIRE_DATA(path, package)                                                                        \
    do {                                                                                                         \
        if (std::filesystem::exists(path)) break;                                                                \
        if (::graft::testing::runningInContinuousIntegration())                                                  \
            FAIL() << (path) << " is missing, though CI installs " package " (installer/setup.sh test)";        \
        GTEST_SKIP() << "needs " package " (installer/setup.sh test)";                                           \
    } while (false)
