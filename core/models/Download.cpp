#include "models/Download.h"

#include "common/Error.h"
#include "common/Sha256.h"

#include <curl/curl.h>

#include <cstdio>
#include <fstream>
#include <memory>

namespace graft {
namespace {

namespace fs = std::filesystem;

struct Transfer {
    const DownloadOptions* options;
    std::int64_t alreadyHad;
};

std::size_t writeChunk(char* data, std::size_t size, std::size_t count, void* context) {
    auto* file = static_cast<std::ofstream*>(context);
    file->write(data, std::streamsize(size * count));
    return *file ? size * count : 0; // a short count makes curl stop with a write error
}

int onProgress(void* context, curl_off_t total, curl_off_t done, curl_off_t, curl_off_t) {
    auto* transfer = static_cast<Transfer*>(context);
    if (transfer->options->stop.stop_requested()) return 1; // aborts the transfer
    if (transfer->options->progress && total > 0)
        transfer->options->progress({"Downloading", transfer->alreadyHad + done, transfer->alreadyHad + total});
    return 0;
}

// One attempt: appends to `partial` from its current size. `curlError` receives curl's message.
CURLcode transferInto(const std::string& url, const fs::path& partial, const DownloadOptions& options,
                      char (&curlError)[CURL_ERROR_SIZE]) {
    std::error_code error;
    const auto alreadyHad = fs::exists(partial, error) ? std::int64_t(fs::file_size(partial, error)) : 0;
    std::ofstream file(partial, std::ios::binary | std::ios::app);
    if (!file) throw Error(partial.string() + ": cannot be written");
    Transfer transfer{&options, alreadyHad};
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, curlError);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, writeChunk);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &file);
    curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(curl.get(), CURLOPT_RESUME_FROM_LARGE, curl_off_t(alreadyHad));
    // A stalled connection (under 1 kB/s for 30 s) fails instead of hanging forever.
    curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_TIME, 30L);
    return curl_easy_perform(curl.get());
}

} // namespace

void downloadFile(const DownloadRequest& request, const DownloadOptions& options) {
    const fs::path partial = request.destination.string() + ".partial";
    std::error_code error;
    fs::create_directories(request.destination.parent_path(), error);
    char curlError[CURL_ERROR_SIZE] = {};
    CURLcode result = transferInto(request.url, partial, options, curlError);
    if (result == CURLE_RANGE_ERROR) {
        // The server cannot resume (it ignores Range): start over from the first byte.
        fs::remove(partial, error);
        curlError[0] = '\0';
        result = transferInto(request.url, partial, options, curlError);
    }

    // Nothing arrived (no connection, say): leave no empty part behind.
    if (result != CURLE_OK && fs::exists(partial, error) && fs::file_size(partial, error) == 0) fs::remove(partial, error);
    if (result == CURLE_ABORTED_BY_CALLBACK)
        throw Error("download of " + request.url + " cancelled; run it again to resume from " + partial.string());
    const std::string reason = *curlError ? curlError : curl_easy_strerror(result);
    if (result == CURLE_HTTP_RETURNED_ERROR) {
        throw Error("download of " + request.url + " refused by the server (" + reason +
                    "); check the address, or import the file by hand");
    }
    if (result != CURLE_OK) {
        const auto kept = fs::exists(partial, error) ? fs::file_size(partial, error) : 0;
        throw Error("download of " + request.url + " failed after " + std::to_string(kept) + " bytes (" + reason +
                    (kept > 0 ? "); run it again to resume" : "); check the connection and try again"));
    }
    const std::string actual = fileSha256Hex(partial);
    if (!sha256Matches(actual, request.sha256)) {
        fs::remove(partial, error);
        throw Error(request.url + ": the downloaded file's SHA-256 is " + actual + ", expected " + request.sha256 +
                    "; it was deleted. The server sent a different file, or it was corrupted on the way.");
    }
    fs::rename(partial, request.destination, error);
    if (error) throw Error(request.destination.string() + ": cannot be written (" + error.message() + ")");
}

} // namespace graft
