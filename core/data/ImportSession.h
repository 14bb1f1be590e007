#pragma once

#include "data/ImageDecoding.h"
#include "data/ImportReport.h"
#include "project/ProjectStore.h"

#include <chrono>
#include <memory>
#include <optional>

namespace graft {

// An image's bytes checked (decoded once) and hashed: the part of an import that threads can
// share, before one thread writes the images in order.
struct PreparedImage {
    std::vector<std::uint8_t> encoded;
    ImageShape shape;
    std::string sha256;
};
// Throws ImageDecodeError for bytes that are not an image Graft reads.
PreparedImage prepareImage(std::vector<std::uint8_t> encoded);

// What every importer shares: hashing and de-duplication, labels, chunked commits (a kill
// loses at most one chunk), progress, cancellation, and seeded splits for the new images.
class ImportSession {
public:
    ImportSession(Database& db, ImportOptions options, std::string_view stage);
    ~ImportSession();

    // False when cancelled; the importer should stop reading.
    bool shouldContinue();
    void setTotal(std::int64_t total);
    // Decodes to validate the bytes, unless the caller already knows their shape.
    void add(std::vector<std::uint8_t> encoded, const std::string& source, const std::optional<std::string>& label,
             std::optional<ImageShape> knownShape = std::nullopt);
    void add(PreparedImage image, const std::string& source, const std::optional<std::string>& label);
    // The image's classes in several tasks (ids from `task`), as a CSV with a column per task gives them.
    struct TaskLabel {
        std::int64_t task = 0;
        std::string className;
    };
    void add(PreparedImage image, const std::string& source, const std::vector<TaskLabel>& labels);
    // The id of the task named `name`, made when new within this import.
    std::int64_t task(const std::string& name);
    void skip(const std::string& source, const std::string& reason);
    ImportReport finish();

private:
    std::string keepDomain(const std::string& sha256);
    std::string keepLabels(const std::string& sha256, const std::vector<TaskLabel>& labels);
    void advance();
    void commitChunk();

    Database& db_;
    ProjectStore store_;
    ImportOptions options_;
    std::int64_t labelTask_ = kFirstTask; // options_.task's id
    std::string stage_;
    std::unique_ptr<Transaction> transaction_;
    ImportReport report_;
    std::int64_t done_ = 0;
    std::int64_t total_ = 0;
    std::int64_t sinceCommit_ = 0;
    std::chrono::steady_clock::time_point lastProgress_{};
};

} // namespace graft
