#include "data/FolderImport.h"

#include "data/ImageDecoding.h"
#include "data/ImportSession.h"
#include "data/WindowedPreparation.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <unistd.h>

namespace graft {
namespace {

namespace fs = std::filesystem;

struct PendingFile {
    fs::path path;
    std::optional<std::string> label;
    std::string unreadable; // why a folder could not be listed; empty for files to import
};

// Empty when the folder can be listed; else why not, for the import report.
std::string folderProblem(const fs::path& folder) {
    if (access(folder.c_str(), R_OK | X_OK) == 0) return {};
    return std::string("folder cannot be read (") + std::strerror(errno) + "); none of its images were imported";
}

bool startsLikeAnImage(const fs::path& path) {
    std::array<char, 16> head{};
    std::ifstream file(path, std::ios::binary);
    file.read(head.data(), head.size());
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(head.data());
    return hasImageSignature({bytes, std::size_t(file.gcount())});
}

bool isHidden(const fs::path& path) { return path.filename().string().starts_with('.'); }

// Files under `folder` with its label, and each folder that cannot be listed, reported rather
// than skipped in silence.
std::vector<PendingFile> sortedFilesUnder(const fs::path& folder, const std::string& label) {
    std::vector<PendingFile> files;
    if (auto problem = folderProblem(folder); !problem.empty()) return {{folder, label, std::move(problem)}};
    for (auto it = fs::recursive_directory_iterator(folder); it != fs::recursive_directory_iterator(); ++it) {
        if (isHidden(it->path())) {
            if (it->is_directory()) it.disable_recursion_pending();
            continue;
        }
        if (!it->is_directory()) {
            files.push_back({it->path(), label, {}});
        } else if (auto problem = folderProblem(it->path()); !problem.empty()) {
            it.disable_recursion_pending();
            files.push_back({it->path(), label, std::move(problem)});
        }
    }
    std::sort(files.begin(), files.end(), [](const PendingFile& a, const PendingFile& b) { return a.path < b.path; });
    return files;
}

// A file read, checked and hashed, or why it is skipped.
struct PreparedFile {
    std::optional<PreparedImage> image;
    std::string skipped;
};

PreparedFile prepareFile(const PendingFile& file) {
    if (!file.unreadable.empty()) return {std::nullopt, file.unreadable};
    // Scraped datasets name files "x___RS_Early.B 2037" or leave the extension off: files
    // without an image extension are judged by their first bytes.
    if (!hasImageExtension(file.path) && !startsLikeAnImage(file.path))
        return {std::nullopt, "not an image file (extension '" + file.path.extension().string() +
                                  "', and not an image format by its content)"};
    try {
        return {prepareImage(readFileBytes(file.path)), {}};
    } catch (const ImageDecodeError& error) {
        return {std::nullopt, error.what()};
    }
}

// Read, decoded and hashed on every core; written in the files' order, so duplicates and the
// report come out as from one thread. 2,000 JPEGs of 256 px: see tests/bench/README.md.
ImportReport importPending(Database& db, const std::vector<PendingFile>& files, const ImportOptions& options) {
    ImportSession session(db, options, "Importing images");
    session.setTotal(std::int64_t(files.size()));
    prepareInWindows<PreparedFile>(
        files.size(), [&](std::size_t i) { return prepareFile(files[i]); },
        [&](std::size_t i, PreparedFile& file) {
            if (file.image) session.add(std::move(*file.image), files[i].path.string(), files[i].label);
            else session.skip(files[i].path.string(), file.skipped);
        },
        [&] { return session.shouldContinue(); });
    return session.finish();
}

} // namespace

bool hasImageExtension(const fs::path& path) {
    // torchvision's IMG_EXTENSIONS, so a folder imports here as it would in ImageFolder.
    static constexpr std::array kExtensions = {".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"};
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    return std::find(kExtensions.begin(), kExtensions.end(), extension) != kExtensions.end();
}

ImportReport importImageFolder(Database& db, const fs::path& root, const ImportOptions& options) {
    std::error_code error;
    if (!fs::is_directory(root, error)) throw Error(root.string() + ": is not a folder");
    if (const auto problem = folderProblem(root); !problem.empty()) throw Error(root.string() + ": " + problem);
    std::vector<fs::directory_entry> entries(fs::directory_iterator(root), fs::directory_iterator{});
    std::sort(entries.begin(), entries.end());
    std::vector<PendingFile> files;
    for (const auto& entry : entries) {
        if (isHidden(entry.path())) continue;
        if (entry.is_directory()) {
            for (auto& file : sortedFilesUnder(entry.path(), entry.path().filename().string()))
                files.push_back(std::move(file));
        } else {
            files.push_back({entry.path(), std::nullopt, {}});
        }
    }
    return importPending(db, files, options);
}

ImportReport importImageFiles(Database& db, const std::vector<fs::path>& paths, const ImportOptions& options) {
    std::vector<PendingFile> files;
    for (const auto& path : paths) files.push_back({path, std::nullopt, {}});
    return importPending(db, files, options);
}

} // namespace graft
