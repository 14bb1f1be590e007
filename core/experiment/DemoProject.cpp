#include "experiment/DemoProject.h"

#include "common/Error.h"
#include "data/ProjectSplits.h"
#include "experiment/ExperimentSpec.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"

#include <cstdlib>
#include <map>

namespace graft {
namespace {

namespace fs = std::filesystem;

constexpr int kLabelledPerDigit = 10;

// The first ten of each digit in hash order: a fixed draw that owes nothing to the sheet's layout.
std::vector<SplitAssignment> demoSplits(ProjectStore& store) {
    std::map<std::int64_t, int> taken;
    std::vector<SplitAssignment> assignments;
    for (const auto& image : store.labeledImages()) // ordered by class, then hash
        assignments.push_back({image.sha256, taken[image.classId]++ < kLabelledPerDigit ? Split::Train : Split::Test});
    return assignments;
}

void removeProjectFiles(const fs::path& path) {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal", "-lock"}) fs::remove(path.string() + suffix, ignored);
}

} // namespace

fs::path defaultDemoProjectPath() {
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return fs::path(xdg) / "graft" / "demo.graft";
    const char* home = std::getenv("HOME");
    return fs::path(home ? home : ".") / ".local" / "share" / "graft" / "demo.graft";
}

std::string demoExperimentSpecJson() {
    return R"({"name": "Digits: Fashion-MNIST TinyNet vs scratch", "seeds": 10, "budgets": [5, 10], "baseline": "scratch",
 "arms": [
  {"name": "fine-tune", "train": {"arch": "tinynet", "init": "builtin:tinynet-fmnist", "newHead": true, "learningRate": 0.001,
                                  "schedule": "constant", "batchSize": 32, "epochs": 20, "minImagesSeen": 2000}},
  {"name": "scratch", "train": {"arch": "tinynet", "learningRate": 0.001, "schedule": "constant", "batchSize": 32, "epochs": 20,
                                "minImagesSeen": 2000}},
  {"name": "probe", "train": {"arch": "tinynet", "init": "builtin:tinynet-fmnist", "newHead": true, "freeze": "probe",
                              "learningRate": 0.01, "schedule": "constant", "batchSize": 32, "epochs": 20, "minImagesSeen": 2000}}]})";
}

DemoProject createDemoProject(const fs::path& path, const fs::path& digitsSheet, const ImportOptions& options) {
    if (fs::exists(path)) throw Error(path.string() + ": already exists; the demo project is only ever created anew");
    std::error_code error;
    if (path.has_parent_path()) fs::create_directories(path.parent_path(), error);
    if (error) throw Error(path.parent_path().string() + ": cannot be created (" + error.message() + ")");
    const fs::path building = path.string() + ".creating";
    removeProjectFiles(building);
    DemoProject demo;
    try {
        {
            Database db = createProject(building);
            const auto report = importOpenCvDigits(db, digitsSheet, options);
            if (report.cancelled) throw Error("creating the demo project was cancelled");
            ProjectStore store(db);
            Transaction transaction(db);
            const auto assignments = demoSplits(store);
            restoreSplits(store, SplitPolicy{}, assignments);
            for (const auto& assignment : assignments) ++(assignment.split == Split::Train ? demo.labelled : demo.heldOut);
            const auto spec = ExperimentSpec::fromJson(demoExperimentSpecJson());
            demo.experimentId = ExperimentStore(db).create(spec.name, spec.withProjectDefaults(store).toJson());
            transaction.commit();
        }
        fs::rename(building, path, error);
        if (error) throw Error(path.string() + ": cannot be written (" + error.message() + ")");
    } catch (...) {
        removeProjectFiles(building);
        throw;
    }
    removeProjectFiles(building); // the lock file and any WAL leftovers
    return demo;
}

} // namespace graft
