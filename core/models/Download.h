#pragma once

#include "common/Progress.h"

#include <filesystem>
#include <stop_token>
#include <string>

namespace graft {

struct DownloadRequest {
    std::string url;
    std::filesystem::path destination;
    std::string sha256; // lowercase hex digest of the whole file, or at least its first 8 digits
};

struct DownloadOptions {
    ProgressCallback progress; // bytes
    std::stop_token stop;
};

// Downloads into `destination`.partial, resuming a partial file left by an interrupted attempt
// (HTTP Range), checks the SHA-256 and only then renames it into place. A wrong hash removes
// the partial file; an interrupted transfer keeps it for the next attempt. Errors name the URL
// or file and say what to do.
void downloadFile(const DownloadRequest& request, const DownloadOptions& options = {});

} // namespace graft
