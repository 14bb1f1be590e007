#include "Commands.h"
#include "Console.h"
#include "InterruptSignal.h"

#include "common/Version.h"
#include "data/AutoImport.h"
#include "data/ProjectSplits.h"
#include "data/UnlabelledPool.h"
#include "project/DomainStore.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "project/Schema.h"
#include "project/TaskStore.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <sstream>

namespace graft::cli {
namespace {

std::string requireProjectPath(Arguments& args) {
    if (args.positionals().empty()) throw UsageError("missing the project file (FILE.graft)");
    return args.positionals().front();
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    std::stringstream stream(text);
    for (std::string item; std::getline(stream, item, ',');) items.push_back(item);
    return items;
}

nlohmann::json skippedJson(const std::vector<SkippedFile>& files) {
    auto list = nlohmann::json::array();
    for (const auto& file : files) list.push_back({{"path", file.path}, {"reason", file.reason}});
    return list;
}

// Read-write where possible, so that runs whose process died are marked interrupted before being
// listed; read-only while another process writes the project, since its runs are then alive.
Database openForInfo(const std::filesystem::path& path) {
    try {
        return openProject(path);
    } catch (const ProjectNotWritableError& error) {
        std::cerr << error.what() << "\nShowing it read-only.\n";
        return openProject(path, ProjectAccess::ReadOnly);
    }
}

} // namespace

int commandNew(Arguments& args) {
    const auto path = requireProjectPath(args);
    const bool json = args.flag("--json");
    args.rejectUnused();
    createProject(path);
    if (json) std::cout << nlohmann::json{{"project", path}, {"schemaVersion", latestSchemaVersion()}} << "\n";
    else std::cout << "Created " << path << "\n";
    return 0;
}

int commandImport(Arguments& args) {
    const auto path = requireProjectPath(args);
    const bool json = args.flag("--json");
    const auto classNames = splitList(args.text("--class-names", ""));
    const auto domain = args.text("--domain", "");
    const auto task = args.option("--task");
    args.rejectUnused();
    std::vector<std::filesystem::path> sources(args.positionals().begin() + 1, args.positionals().end());
    if (sources.empty()) throw UsageError("nothing to import: give folders, CSV files or images after the project");

    Database db = openProject(path);
    InterruptSignal interrupt;
    ConsoleProgress progress;
    ImportOptions options;
    options.stop = interrupt.token();
    options.progress = [&](const Progress& update) { progress.update(update.stage, update.done, update.total); };
    if (!domain.empty()) options.domain = domain;
    options.task = task;
    const ImportReport report = importPaths(db, sources, classNames, options);
    progress.finish();

    if (json) {
        std::cout << nlohmann::json{{"added", report.added},
                                    {"labeled", report.labeled},
                                    {"duplicates", skippedJson(report.duplicates)},
                                    {"skipped", skippedJson(report.skipped)},
                                    {"cancelled", report.cancelled}}
                  << "\n";
    } else {
        std::cout << "Added " << report.added << " images (" << report.labeled << " labelled), "
                  << report.duplicates.size() << " duplicates, " << report.skipped.size() << " skipped\n";
        for (const auto& file : report.skipped) std::cout << "  skipped " << file.path << ": " << file.reason << "\n";
        const std::size_t shown = std::min<std::size_t>(report.duplicates.size(), 10);
        for (std::size_t i = 0; i < shown; ++i)
            std::cout << "  duplicate " << report.duplicates[i].path << ": " << report.duplicates[i].reason << "\n";
        if (report.duplicates.size() > shown)
            std::cout << "  ... and " << report.duplicates.size() - shown << " more duplicates (--json lists all)\n";
        if (report.cancelled) std::cout << "Cancelled; the images added before that are kept.\n";
    }
    return report.cancelled ? kExitCancelled : 0;
}

int commandSplit(Arguments& args) {
    const auto path = requireProjectPath(args);
    Database db = openProject(path);
    ProjectStore store(db);
    SplitPolicy policy = readSplitPolicy(store);
    policy.ratios.val = args.number("--val", policy.ratios.val);
    policy.ratios.test = args.number("--test", policy.ratios.test);
    policy.seed = std::uint64_t(args.integer("--seed", int(policy.seed)));
    if (const auto task = args.option("--task")) policy.task = TaskStore(db).require(*task);
    args.rejectUnused();
    Transaction transaction(db);
    resplitAll(store, policy);
    transaction.commit();
    std::cout << "Split with val " << policy.ratios.val << ", test " << policy.ratios.test << ", seed " << policy.seed
              << ", stratified on task " << TaskStore(db).name(policy.task) << "\n";
    return 0;
}

int commandTask(Arguments& args) {
    const auto& words = args.positionals();
    const bool renaming = words.size() == 4 && words[1] == "rename";
    if (!renaming && !(words.size() == 3 && (words[1] == "add" || words[1] == "remove")))
        throw UsageError("expected: task FILE.graft add NAME | rename NAME NEW | remove NAME");
    args.rejectUnused();
    Database db = openProject(words[0]);
    TaskStore tasks(db);
    Transaction transaction(db);
    if (words[1] == "add") {
        if (tasks.find(words[2])) throw Error(words[0] + ": a task named '" + words[2] + "' already exists");
        tasks.ensure(words[2]);
        std::cout << "Added task " << words[2] << "\n";
    } else if (renaming) {
        tasks.rename(tasks.require(words[2]), words[3]);
        std::cout << "Renamed task " << words[2] << " to " << words[3] << "\n";
    } else {
        const auto task = tasks.require(words[2]);
        const auto labelled = ProjectStore(db, task).labeledImages().size();
        tasks.remove(task);
        std::cout << "Removed task " << words[2] << " and its " << labelled << " labels\n";
    }
    transaction.commit();
    return 0;
}

int commandInfo(Arguments& args) {
    const auto path = requireProjectPath(args);
    const bool json = args.flag("--json");
    args.rejectUnused();
    Database db = openForInfo(path);
    ProjectStore store(db);
    RunStore runStore(db);
    const auto tasks = TaskStore(db).summaries();
    const auto runs = runStore.runs();
    const auto domains = DomainStore(db).summaries();
    const bool anyDomain = !domains.empty() && !domains.front().name.empty();

    const auto classesOf = [&](const TaskSummary& task) { return ProjectStore(db, task.id).classSummaries(); };
    if (json) {
        const auto classList = [&](const TaskSummary& task) {
            auto list = nlohmann::json::array();
            for (const auto& c : classesOf(task))
                list.push_back({{"name", c.name}, {"images", c.images}, {"train", c.train}, {"val", c.val}, {"test", c.test}});
            return list;
        };
        auto taskList = nlohmann::json::array();
        for (const auto& task : tasks)
            taskList.push_back({{"name", task.name},
                                {"labeled", task.labeled},
                                {"unlabeled", store.imageCount() - task.labeled},
                                {"classes", classList(task)}});
        auto nameList = nlohmann::json::array();
        for (const auto& d : anyDomain ? domains : std::vector<DomainSummary>{})
            nameList.push_back({{"name", d.name.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.name)},
                                  {"images", d.images},
                                  {"unlabelled", d.unlabelled},
                                  {"train", d.train},
                                  {"val", d.val},
                                  {"test", d.test}});
        auto runList = nlohmann::json::array();
        for (const auto& run : runs) {
            runList.push_back({{"id", run.id},
                               {"arm", run.arm},
                               {"arch", run.arch},
                               {"init", run.init},
                               {"seed", run.seed},
                               {"status", runStatusName(run.status)},
                               {"detail", run.statusDetail},
                               {"lastStep", run.lastStep},
                               {"epochs", run.epochsDone},
                               {"valAccuracy", run.lastValAccuracy ? nlohmann::json(*run.lastValAccuracy) : nullptr},
                               {"startedAt", run.startedAt},
                               {"endedAt", run.endedAt}});
        }
        std::cout << nlohmann::json{{"project", path},
                                    {"schemaVersion", db.queryInt("PRAGMA user_version")},
                                    {"images", store.imageCount()},
                                    {"unlabeled", store.unlabeledCount()},
                                    {"unlabelledPool", unlabelledPool(store, HiddenLabels::None, 0, 0).size()},
                                    {"classes", classList(tasks.front())}, // the first task's
                                    {"tasks", taskList},
                                    {"domains", nameList},
                                    {"runs", runList}}
                  << "\n";
        return 0;
    }

    std::printf("Project %s (schema %lld, Graft %s)\n", path.c_str(), (long long)db.queryInt("PRAGMA user_version"),
                kGraftVersion);
    if (tasks.size() > 1) std::printf("Images: %lld, labelled in %zu tasks\n", (long long)store.imageCount(), tasks.size());
    else std::printf("Images: %lld (%lld unlabelled)\n", (long long)store.imageCount(), (long long)store.unlabeledCount());
    std::printf("Unlabelled pool: %zu images for semi-supervised training (labelled validation and test images never join it)\n",
                unlabelledPool(store, HiddenLabels::None, 0, 0).size());
    for (const auto& task : tasks) {
        if (tasks.size() > 1)
            std::printf("\nTask %s: %lld labelled, %lld unlabelled\n", task.name.c_str(), (long long)task.labeled,
                        (long long)(store.imageCount() - task.labeled));
        std::printf("\n%-24s %8s %8s %8s %8s\n", "class", "images", "train", "val", "test");
        for (const auto& c : classesOf(task))
            std::printf("%-24s %8lld %8lld %8lld %8lld\n", c.name.c_str(), (long long)c.images, (long long)c.train,
                        (long long)c.val, (long long)c.test);
    }
    if (anyDomain) {
        std::printf("\n%-24s %8s %8s %8s %8s %10s\n", "domain", "images", "train", "val", "test", "unlabelled");
        for (const auto& d : domains)
            std::printf("%-24s %8lld %8lld %8lld %8lld %10lld\n", d.name.empty() ? "(none)" : d.name.c_str(),
                        (long long)d.images, (long long)d.train, (long long)d.val, (long long)d.test,
                        (long long)d.unlabelled);
    }
    if (runs.empty()) {
        std::printf("\nNo runs yet.\n");
        return 0;
    }
    std::printf("\n%4s %-10s %-9s %6s %-12s %6s %8s %8s\n", "run", "arch", "init", "seed", "status", "epochs", "steps",
                "val acc");
    for (const auto& run : runs) {
        const std::string accuracy = run.lastValAccuracy ? std::to_string(*run.lastValAccuracy).substr(0, 6) : "-";
        std::printf("%4lld %-10s %-9s %6llu %-12s %6lld %8lld %8s\n", (long long)run.id, run.arch.c_str(),
                    run.init.c_str(), (unsigned long long)run.seed, std::string(runStatusName(run.status)).c_str(),
                    (long long)run.epochsDone, (long long)run.lastStep, accuracy.c_str());
    }
    return 0;
}

} // namespace graft::cli
