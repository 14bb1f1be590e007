#include "experiment/DemoProject.h"

#include "common/Error.h"
#include "data/ProjectSplits.h"
#include "experiment/ExperimentSpec.h"
#include "project/ExperimentStore.h"
#include "project/ProjectBuild.h"

#include <cstdlib>
#include <map>

namespace graft {
namespace {

namespace fs = std::filesystem;

constexpr int kLabelledPerDigit = 10;

struct DemoSplit {
    std::vector<SplitAssignment> assignments;
    std::vector<std::string> unlabelled; // in the training split, their labels to be removed
};

// The first ten of each digit in hash order are labelled for training, a fixed draw that owes
// nothing to the sheet's layout; the rest alternate between the unlabelled pool and the held-out set.
DemoSplit demoSplits(ProjectStore& store) {
    std::map<std::int64_t, int> taken;
    DemoSplit split;
    for (const auto& image : store.labeledImages()) { // ordered by class, then hash
        const int place = taken[image.classId]++;
        const bool labelled = place < kLabelledPerDigit, pooled = !labelled && (place - kLabelledPerDigit) % 2 == 0;
        split.assignments.push_back({image.sha256, labelled || pooled ? Split::Train : Split::Test});
        if (pooled) split.unlabelled.push_back(image.sha256);
    }
    return split;
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

std::string demoUnlabelledExperimentSpecJson() {
    return R"json({"name": "Digits: what the unlabelled digits add (FixMatch)", "seeds": 5, "budgets": [5, 10], "baseline": "fine-tune",
 "arms": [
  {"name": "fine-tune", "train": {"arch": "tinynet", "init": "builtin:tinynet-fmnist", "newHead": true, "learningRate": 0.001,
                                  "schedule": "constant", "batchSize": 32, "epochs": 20, "minImagesSeen": 2000}},
  {"name": "fine-tune + FixMatch", "train": {"arch": "tinynet", "init": "builtin:tinynet-fmnist", "newHead": true,
                                  "learningRate": 0.001, "schedule": "constant", "batchSize": 32, "epochs": 20, "minImagesSeen": 2000,
                                  "semiSupervised": "fixmatch", "unlabelledRatio": 2, "unlabelledPool": "beyond-budget"}},
  {"name": "scratch", "train": {"arch": "tinynet", "learningRate": 0.001, "schedule": "constant", "batchSize": 32, "epochs": 20,
                                "minImagesSeen": 2000}},
  {"name": "scratch + FixMatch", "train": {"arch": "tinynet", "learningRate": 0.001, "schedule": "constant", "batchSize": 32,
                                "epochs": 20, "minImagesSeen": 2000, "semiSupervised": "fixmatch", "unlabelledRatio": 2,
                                "unlabelledPool": "beyond-budget"}}]})json";
}

DemoProject createDemoProject(const fs::path& path, const fs::path& digitsSheet, const ImportOptions& options) {
    DemoProject demo;
    buildProject(path, [&](Database& db) {
        const auto report = importOpenCvDigits(db, digitsSheet, options);
        if (report.cancelled) throw Error("creating the demo project was cancelled");
        ProjectStore store(db);
        Transaction transaction(db);
        const auto split = demoSplits(store);
        restoreSplits(store, SplitPolicy{}, split.assignments);
        for (const auto& sha256 : split.unlabelled) store.clearLabel(sha256);
        demo.unlabelled = std::int64_t(split.unlabelled.size());
        for (const auto& assignment : split.assignments) ++(assignment.split == Split::Train ? demo.labelled : demo.heldOut);
        demo.labelled -= demo.unlabelled;
        // Both specs are judged by the same metric, chosen while every digit's labels are even.
        const auto spec = ExperimentSpec::fromJson(demoExperimentSpecJson()).withProjectDefaults(store);
        demo.experimentId = ExperimentStore(db).create(spec.name, spec.toJson());
        const auto unlabelledSpec = ExperimentSpec::fromJson(demoUnlabelledExperimentSpecJson()).withProjectDefaults(store);
        demo.unlabelledExperimentId = ExperimentStore(db).create(unlabelledSpec.name, unlabelledSpec.toJson());
        transaction.commit();
    });
    return demo;
}

} // namespace graft
