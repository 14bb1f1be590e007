#include "experiment/MultiTaskProject.h"

#include "common/Error.h"
#include "experiment/DemoProject.h"
#include "experiment/ExperimentSpec.h"
#include "project/ExperimentStore.h"
#include "project/ProjectBuild.h"
#include "project/ProjectStore.h"
#include "project/TaskStore.h"

#include <nlohmann/json.hpp>

namespace graft {
namespace {

nlohmann::json arm(const std::string& name, const std::string& tasks, std::int64_t minImagesSeen) {
    return {{"name", name},
            {"train",
             {{"arch", "tinynet"}, {"learningRate", 0.001}, {"schedule", "constant"}, {"batchSize", 32}, {"epochs", 1},
              {"minImagesSeen", minImagesSeen}, {"tasks", tasks}}}};
}

} // namespace

std::filesystem::path defaultMultiTaskProjectPath() { return defaultDemoProjectPath().parent_path() / "multi-task.graft"; }

std::string multiTaskExperimentSpecJson(int seeds, const std::vector<int>& budgets, std::int64_t minImagesSeen) {
    const nlohmann::json spec = {{"name", "Digit and parity: does one backbone for both help either?"},
                                 {"seeds", seeds},
                                 {"budgets", budgets},
                                 {"baseline", "digit alone"},
                                 {"arms",
                                  {arm("digit alone", "digit", minImagesSeen), arm("parity alone", "parity", minImagesSeen),
                                   arm("digit and parity", "digit,parity", minImagesSeen)}}};
    return spec.dump();
}

MultiTaskProject createMultiTaskProject(const std::filesystem::path& path, int seeds, const std::filesystem::path& digitsSheet,
                                        const ImportOptions& options) {
    MultiTaskProject project;
    buildProject(path, [&](Database& db) {
        if (importOpenCvDigits(db, digitsSheet, options).cancelled) throw Error("creating the multi-task example was cancelled");
        Transaction transaction(db);
        TaskStore tasks(db);
        tasks.rename(kFirstTask, "digit");
        ProjectStore digits(db);
        ProjectStore parity(db, tasks.ensure("parity"));
        const auto even = parity.ensureClass("even"), odd = parity.ensureClass("odd");
        const auto names = digits.classNames();
        for (const auto& image : digits.labeledImages())
            parity.setLabel(image.sha256, std::stoi(names.at(image.classId)) % 2 == 0 ? even : odd);
        project.images = digits.imageCount();
        project.heldOut = std::int64_t(digits.labeledImagesInSplit(Split::Test).size());
        const auto spec = ExperimentSpec::fromJson(multiTaskExperimentSpecJson(seeds)).withProjectDefaults(digits);
        project.experimentId = ExperimentStore(db).create(spec.name, spec.toJson());
        transaction.commit();
    });
    return project;
}

} // namespace graft
