#pragma once

#include "project/Database.h"
#include "project/TaskStore.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace graft {

enum class Split { Train, Val, Test };
std::string_view splitName(Split split);
Split parseSplit(std::string_view name);

struct NewImage {
    std::vector<std::uint8_t> encoded; // the file's bytes as imported, hashed for the key
    int width = 0;
    int height = 0;
    int channels = 0;
    std::string source;
};

struct AddImageResult {
    std::string sha256;
    bool added = false;              // false: the same bytes are already in the project
    std::string existingSource;      // where the earlier copy came from, when not added
};

struct ClassSummary {
    std::int64_t id = 0;
    std::string name;
    std::int64_t images = 0;
    std::int64_t train = 0;
    std::int64_t val = 0;
    std::int64_t test = 0;
};

struct LabeledImage {
    std::string sha256;
    std::int64_t classId = 0;
};

// One image as the labelling grid lists it.
struct CatalogImage {
    std::string sha256;
    int width = 0;
    int height = 0;
    std::string source;
    std::optional<std::int64_t> classId; // unlabelled when empty
    std::optional<Split> split;
};

// One change of an image's label: the class it got, or none when the label was cleared.
struct LabelChange {
    std::optional<std::string> className;
    std::string changedAt; // UTC, ISO 8601
};

struct ImageForTraining {
    std::vector<std::uint8_t> encoded;
    std::int64_t classId = 0;
};

// Images, classes, labels and splits of one project, the classes and labels those of one task
// (the first unless told). A view over a Database it does not own; batch writes belong in a
// Transaction opened by the caller.
class ProjectStore {
public:
    explicit ProjectStore(Database& db, std::int64_t task = kFirstTask) : db_(db), task_(task) {}

    std::int64_t task() const { return task_; }
    Database& database() const { return db_; }

    // `knownSha256`: the bytes' SHA-256, when the caller hashed them already (on another thread).
    AddImageResult addImage(const NewImage& image, std::string_view knownSha256 = {});
    std::vector<std::uint8_t> imageBytes(const std::string& sha256);
    std::int64_t imageCount();
    std::int64_t unlabeledCount();

    // Returns the id of the class, creating it when new.
    std::int64_t ensureClass(const std::string& name);
    // Throws naming the class when it is not one of this task's.
    void setLabel(const std::string& sha256, std::int64_t classId);
    void clearLabel(const std::string& sha256);
    // The image's class in this task; none when it has no label here.
    std::optional<std::int64_t> classOf(const std::string& sha256);
    // Every label the image has had, oldest first (recorded from schema 6 on, whoever wrote it).
    std::vector<LabelChange> labelHistory(const std::string& sha256);
    // Every image with its label and split, in import order.
    std::vector<CatalogImage> catalog();
    std::vector<ClassSummary> classSummaries();
    // Id to name; cheaper than classSummaries, which counts every class's images.
    std::map<std::int64_t, std::string> classNames();
    // Throws naming both when another class already has `name` (merge them instead).
    void renameClass(std::int64_t classId, const std::string& name);
    // The class and its labels go; its images become unlabelled.
    void deleteClass(std::int64_t classId);
    // Puts back a deleted class under its old id, so labels and undo records that name it stay valid.
    void restoreClass(std::int64_t classId, const std::string& name);
    std::vector<std::string> imagesOfClass(std::int64_t classId);

    // Ordered by class id, then hash, so callers see a stable order.
    std::vector<LabeledImage> labeledImages();
    // What splits stratify: every image with a label in any task, its class that in this task (0,
    // a stratum of its own, where it has none here). Ordered as labeledImages.
    std::vector<LabeledImage> imagesToSplit();
    std::vector<LabeledImage> imagesToSplitWithoutSplit();
    // The same among `images` only, in the same order: a probe per image instead of a scan.
    std::vector<LabeledImage> imagesToSplitWithoutSplit(const std::vector<std::string>& images);
    std::optional<Split> splitOf(const std::string& sha256);
    std::vector<LabeledImage> labeledImagesInSplit(Split split);
    void setSplit(const std::string& sha256, Split split);
    void clearSplits();
    std::vector<ImageForTraining> imagesForTraining(const std::vector<LabeledImage>& images);

    std::optional<std::string> setting(const std::string& key);
    void setSetting(const std::string& key, const std::string& value);

private:
    std::vector<LabeledImage> queryLabeled(Statement statement);

    Database& db_;
    std::int64_t task_;
};

} // namespace graft
