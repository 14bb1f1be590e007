#include "Commands.h"
#include "Console.h"
#include "ExperimentConsole.h"

#include "experiment/DemoProject.h"
#include "experiment/DomainShiftProject.h"
#include "experiment/MultiTaskProject.h"
#include "experiment/ExperimentRunner.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"

#include <chrono>
#include <cstdio>

namespace graft::cli {
namespace {

// The demo's experiment: the first one, which createDemoProject defines.
std::int64_t demoExperimentId(const std::filesystem::path& project) {
    Database db = openProject(project, ProjectAccess::ReadOnly);
    const auto experiments = ExperimentStore(db).experiments();
    if (experiments.empty()) throw Error(project.string() + ": has no experiment; is it a demo project?");
    return experiments.front().id;
}

} // namespace

int commandDemo(Arguments& args) {
    const bool domainShift = args.flag("--domain-shift");
    const bool multiTask = args.flag("--multi-task");
    if (domainShift && multiTask) throw UsageError("--domain-shift and --multi-task are two examples: choose one");
    const std::filesystem::path path = args.text(
        "--out", (domainShift ? defaultDomainShiftProjectPath() : multiTask ? defaultMultiTaskProjectPath() : defaultDemoProjectPath())
                     .string());
    const char* example = domainShift ? "domain-shift benchmark" : multiTask ? "multi-task example" : "demo project";
    const char* flag = domainShift ? " --domain-shift" : multiTask ? " --multi-task" : "";
    const std::filesystem::path sheet = args.text("--digits", kOpenCvDigitsSheet.string());
    const bool run = args.flag("--run");
    const int parallel = args.integer("--parallel", 1);
    const bool json = args.flag("--json");
    const int printedPerDigit = domainShift ? args.integer("--printed-per-digit", 500) : 0;
    const int seeds = domainShift || multiTask ? args.integer("--seeds", 10) : 0;
    args.rejectUnused();
    const auto started = std::chrono::steady_clock::now();

    if (domainShift && !std::filesystem::exists(path)) {
        ConsoleProgress progress;
        ImportOptions options;
        options.progress = [&](const Progress& update) { progress.update(update.stage, update.done, update.total); };
        const auto benchmark = createDomainShiftProject(path, printedPerDigit, seeds, sheet, options);
        progress.finish();
        if (!json)
            std::printf("Created the domain-shift benchmark %s: %lld printed digits (Hershey fonts) to learn from, OpenCV's "
                        "handwritten digits to adapt to (%lld for training, labels unread by the adapting arms) and to be "
                        "judged on (%lld held out).\nExperiment %lld is defined: source only, AdaBN, Deep CORAL, DANN, 10 "
                        "handwritten labels per digit and every one, %d seeds.\n",
                        path.c_str(), (long long)benchmark.printed, (long long)benchmark.handwrittenTraining,
                        (long long)benchmark.handwrittenHeldOut, (long long)benchmark.experimentId, seeds);
    } else if (multiTask && !std::filesystem::exists(path)) {
        ConsoleProgress progress;
        ImportOptions options;
        options.progress = [&](const Progress& update) { progress.update(update.stage, update.done, update.total); };
        const auto created = createMultiTaskProject(path, seeds, sheet, options);
        progress.finish();
        if (!json)
            std::printf("Created the multi-task example %s: OpenCV's %lld handwritten digits, each labelled in task digit "
                        "(0-9) and task parity (even, odd); %lld held out.\nExperiment %lld is defined: one TinyNet with a "
                        "head for each task against a network per task, at 5 and 20 labels per class, %d seeds.\n",
                        path.c_str(), (long long)created.images, (long long)created.heldOut, (long long)created.experimentId,
                        seeds);
    } else if (!domainShift && !std::filesystem::exists(path)) {
        ConsoleProgress progress;
        ImportOptions options;
        options.progress = [&](const Progress& update) { progress.update(update.stage, update.done, update.total); };
        const auto demo = createDemoProject(path, sheet, options);
        progress.finish();
        if (!json)
            std::printf("Created the demo project %s: OpenCV's handwritten digits, %lld labelled for training (10 per "
                        "digit), %lld unlabelled and %lld held out.\nExperiment %lld is defined: TinyNet pretrained on "
                        "Fashion-MNIST, fine-tuned, against the same network from scratch and a linear probe, at 5 and 10 "
                        "labels per digit, 10 seeds.\nExperiment %lld asks what the unlabelled digits add: fine-tuning and "
                        "scratch, each also with FixMatch, 5 seeds (graft-cli experiment run %s %lld).\n",
                        path.c_str(), (long long)demo.labelled, (long long)demo.unlabelled, (long long)demo.heldOut,
                        (long long)demo.experimentId, (long long)demo.unlabelledExperimentId, path.c_str(),
                        (long long)demo.unlabelledExperimentId);
    } else if (!json) {
        std::printf("The %s %s already exists.\n", example, path.c_str());
    }
    const auto id = demoExperimentId(path);
    if (!run) {
        if (!json)
            std::printf("Run its experiment with  graft-cli demo%s --run --out %s,  or open it with  graft %s\n", flag,
                        path.c_str(), path.c_str());
        else
            std::printf("{\"project\": \"%s\", \"experiment\": %lld}\n", path.c_str(), (long long)id);
        return 0;
    }
    if (const int code = runExperimentInConsole(path, id, json, parallel); code != 0) return code;
    if (!json) std::printf("\n");
    printComparison(path, id, std::filesystem::absolute(path).parent_path(), json);
    if (!json)
        std::printf("Demo finished in %.0f s. Open it with  graft %s\n",
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), path.c_str());
    return 0;
}

} // namespace graft::cli
