#pragma once

#include "data/ImageBytesSource.h"
#include "project/Database.h"

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace graft {

// Images' bytes read from the project file as they are asked for, each reading thread on a
// read-only connection of its own (taken from a pool, so threads never share one), so that a run
// over 20,000 photos holds none of their bytes beyond the batches being decoded. WAL lets these
// readers run while the run's recorder writes.
class ProjectImageBytes final : public ImageBytesSource {
public:
    // `names`, when given, are the images' sources (as imported), one per SHA-256, for errors.
    ProjectImageBytes(std::filesystem::path project, std::vector<std::string> sha256s, std::vector<std::string> names = {});
    ~ProjectImageBytes() override;

    std::int64_t size() const override { return std::int64_t(sha256s_.size()); }
    std::vector<std::uint8_t> bytes(std::int64_t index) const override;
    std::string nameOf(std::int64_t index) const override;

private:
    std::filesystem::path project_;
    std::vector<std::string> sha256s_;
    std::vector<std::string> names_;
    mutable std::mutex mutex_;
    mutable std::vector<std::unique_ptr<Database>> idle_; // connections no thread is reading with
};

} // namespace graft
