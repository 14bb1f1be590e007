#include "export/Bundle.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "data/PreprocessJson.h"
#include "experiment/ComparisonReport.h"
#include "experiment/ExperimentComparison.h"
#include "metrics/Unfamiliarity.h"
#include "models/Architectures.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"
#include "project/TaskStore.h"
#include "train/RunEvaluation.h"
#include "train/RunSpec.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

namespace graft {
namespace {

namespace fs = std::filesystem;

std::string formatted(const char* format, double value) {
    char text[64];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

// What the bundle says about the run beyond its own evaluation.
struct RunContext {
    RunRecord record;
    RunSpec spec;
    std::vector<ClassSummary> classes; // of the run's (one) task
    std::map<std::string, std::vector<ClassSummary>> taskClasses; // a multi-task run's, by task
    std::optional<ExperimentComparison> experiment;
    std::optional<std::size_t> trialIndex; // of the run's arm and budget in experiment->results

    const ArmBudgetResult* trial() const { return trialIndex ? &experiment->results[*trialIndex] : nullptr; }
};

RunContext runContext(const fs::path& project, std::int64_t runId) {
    Database db = openProject(project, ProjectAccess::ReadOnly);
    RunContext context;
    context.record = RunStore(db).run(runId);
    context.spec = RunSpec::fromJson(context.record.configJson);
    const auto tasks = nameList(context.spec.config.tasks);
    TaskStore taskStore(db);
    context.classes = ProjectStore(db, tasks.empty() ? kFirstTask : taskStore.require(tasks.front())).classSummaries();
    for (const auto& task : context.spec.tasks)
        context.taskClasses[task.name] = ProjectStore(db, taskStore.require(task.name)).classSummaries();
    if (context.record.experimentId > 0) {
        context.experiment = compareExperiment(project, context.record.experimentId);
        const auto& results = context.experiment->results;
        for (std::size_t i = 0; i < results.size(); ++i)
            if (results[i].arm == context.record.arm && results[i].budget == context.spec.config.labelsPerClass)
                context.trialIndex = i;
    }
    return context;
}

nlohmann::json summaryJson(const Summary& summary) {
    return {{"mean", summary.mean}, {"sd", summary.standardDeviation}, {"low", summary.low}, {"high", summary.high},
            {"seeds", summary.count}};
}

nlohmann::json reliabilityJson(const Reliability& reliability) {
    auto bins = nlohmann::json::array();
    for (const auto& bin : reliability.bins)
        bins.push_back({{"lower", bin.lower}, {"upper", bin.upper}, {"images", bin.count}, {"confidence", bin.confidence},
                        {"accuracy", bin.accuracy}});
    return {{"ece", reliability.ece}, {"bins", bins}};
}

nlohmann::json calibrationJson(const RunEvaluationResult& evaluation, bool applied) {
    nlohmann::json calibration = {{"heldOut", reliabilityJson(evaluation.reliability)}, {"temperatureApplied", applied}};
    if (const auto& scaling = evaluation.temperatureScaling)
        calibration["temperatureScaling"] = {{"temperature", scaling->temperature},
                                             {"fittedOn", {{"split", "val"}, {"images", scaling->fittedImages},
                                                           {"nllBefore", scaling->fittedNllBefore},
                                                           {"nllAfter", scaling->fittedNllAfter}}},
                                             {"heldOut", reliabilityJson(scaling->after)}};
    return calibration;
}

std::string metricsJson(const RunContext& context, const RunEvaluationResult& evaluation, const ExportReplay& replay,
                        bool calibrated) {
    auto classes = nlohmann::json::array();
    for (const auto& metrics : evaluation.report.classes)
        classes.push_back({{"name", metrics.name}, {"support", metrics.support}, {"precision", metrics.precision},
                           {"recall", metrics.recall}, {"f1", metrics.f1}});
    nlohmann::json metrics = {
        {"run", context.record.id},
        {"arch", context.spec.config.arch},
        {"init", context.spec.config.init},
        {"checkpoint", evaluation.bestCheckpoint ? "best" : "last"},
        {"checkpointEpoch", evaluation.checkpointEpoch},
        {"heldOut",
         {{"split", splitName(evaluation.split)}, {"images", evaluation.images}, {"accuracy", evaluation.accuracy},
          {"loss", evaluation.loss}, {"macroF1", evaluation.report.macroF1}, {"classes", classes},
          {"unfamiliarBelow", unfamiliarBelow(evaluation.confidences)},
          {"confusion", evaluation.report.confusion}}},
        {"calibration", calibrationJson(evaluation, calibrated)},
        {"parity",
         {{"images", replay.images}, {"topOneAgreements", replay.topOneAgreements},
          {"maxDifference", replay.maxDifference}, {"tolerance", replay.tolerance}}}};
    if (const auto* found = context.trial()) {
        const auto& trial = *found;
        nlohmann::json experiment = {{"id", context.record.experimentId}, {"name", context.experiment->spec.name},
                                     {"arm", trial.arm}, {"labelsPerClass", budgetText(trial.budget)}};
        experiment["metric"] = metricKey(context.experiment->metric);
        if (trial.score) experiment["score"] = summaryJson(*trial.score);
        if (trial.versusBaseline)
            experiment["versusBaseline"] = {{"baseline", context.experiment->spec.baseline},
                                            {"delta", summaryJson(trial.versusBaseline->delta)},
                                            {"verdict", verdictText(trial.versusBaseline->verdict)}};
        metrics["experiment"] = experiment;
    }
    return metrics.dump(2);
}

std::string transferSection(const RunContext& context) {
    const auto* found = context.trial();
    if (!found)
        return "This run is not a trial of an experiment, so there is no paired evidence about whether its starting "
               "weights (" + context.spec.config.init + ") helped. `graft-cli experiment run` measures that.\n";
    const auto& trial = *found;
    const auto& spec = context.experiment->spec;
    std::string text = "This model is the **" + trial.arm + "** arm of experiment " +
                       std::to_string(context.record.experimentId) + " (" + spec.name + ") at " + budgetText(trial.budget) +
                       " labels per class, seed " + std::to_string(context.record.seed) + ". Over its seeds, held-out " +
                       std::string(metricLabel(context.experiment->metric)) + " " + scoreText(trial) + " (mean [95 % interval]).";
    if (trial.versusBaseline)
        text += " Against " + spec.baseline + ", trained on the same images: " + deltaText(trial) + ", verdict: **" +
                std::string(verdictText(trial.versusBaseline->verdict)) + "**.";
    else if (trial.arm == spec.baseline)
        text += " It is the experiment's baseline.";
    return text + "\n";
}

std::string confidenceSection(const RunEvaluationResult& evaluation, bool calibrated) {
    std::string text = "Expected calibration error (ECE, 15 bins) on the held-out images: " +
                       formatted("%.3f", evaluation.reliability.ece) +
                       ", the average gap between how sure the model says it is and how often it is right. ";
    const auto& scaling = evaluation.temperatureScaling;
    if (!scaling)
        return text + "There are no validation images apart from these, so no temperature was fitted.\n";
    text += "Temperature scaling fitted on " + std::to_string(scaling->fittedImages) + " validation images (T = " +
            formatted("%.3f", scaling->temperature) + ", their NLL " + formatted("%.3f", scaling->fittedNllBefore) + " -> " +
            formatted("%.3f", scaling->fittedNllAfter) + ") gives ECE " + formatted("%.3f", scaling->after.ece) +
            " on the held-out images. ";
    return text + (calibrated ? "It is applied: `calibration.json` holds T, `graft-cli predict` divides the logits by it, "
                                "and so should you.\n"
                              : "It is not applied; export with --calibrate to record it for predict.\n");
}

std::string dataTable(const std::vector<std::string>& classes, const std::vector<ClassSummary>& summaries) {
    std::string table = "| class | train | val | test |\n|---|---|---|---|\n";
    for (const auto& name : classes) {
        const auto summary = std::find_if(summaries.begin(), summaries.end(), [&](const auto& c) { return c.name == name; });
        if (summary == summaries.end()) continue;
        table += "| " + name + " | " + std::to_string(summary->train) + " | " + std::to_string(summary->val) + " | " +
                 std::to_string(summary->test) + " |\n";
    }
    return table;
}

std::string resultsTable(const RunEvaluationResult& evaluation) {
    std::string table = "| class | precision | recall | F1 | images |\n|---|---|---|---|---|\n";
    for (const auto& metrics : evaluation.report.classes)
        table += "| " + metrics.name + " | " + formatted("%.3f", metrics.precision) + " | " + formatted("%.3f", metrics.recall) +
                 " | " + formatted("%.3f", metrics.f1) + " | " + std::to_string(metrics.support) + " |\n";
    return table;
}

std::string modelCard(const fs::path& project, const RunContext& context, const RunEvaluationResult& evaluation,
                      const ExportReplay& replay, const PreprocessSpec& input, bool calibrated) {
    const auto& config = context.spec.config;
    std::string card = "# " + project.stem().string() + ": " + config.arch + " classifier (run " +
                       std::to_string(context.record.id) + ")\n\n";
    card += "Exported by Graft from `" + project.filename().string() + "`, the " +
            (evaluation.bestCheckpoint ? "best" : "last") + " checkpoint (epoch " + std::to_string(evaluation.checkpointEpoch) +
            "). Started from: " + config.init + "; freeze: " + config.freeze + "; " + std::to_string(config.epochs) +
            " epochs at learning rate " + formatted("%g", config.learningRate) + ".\n\n";
    card += "## Data\n\n" + dataTable(context.spec.classes, context.classes);
    if (config.labelsPerClass > 0)
        card += "\nThe run saw " + std::to_string(config.labelsPerClass) + " labelled training images per class.\n";
    card += "\n## Results on held-out images\n\nAccuracy " + formatted("%.3f", evaluation.accuracy) + " on " +
            std::to_string(evaluation.images) + " " + std::string(splitName(evaluation.split)) + " images, macro F1 " +
            formatted("%.3f", evaluation.report.macroF1) + ".\n\n" + resultsTable(evaluation);
    card += "\n## Confidence\n\n" + confidenceSection(evaluation, calibrated);
    card += "\n## Did transfer help?\n\n" + transferSection(context);
    card += "\n## Parity\n\nBefore this bundle was written, the " + std::to_string(replay.images) +
            " images above went through `model.pt` (TorchScript) and through Graft's own model: the top class agreed on " +
            std::to_string(replay.topOneAgreements) + " of " + std::to_string(replay.images) +
            ", and no output differed by more than " + formatted("%.2g", replay.maxDifference) + ".\n";
    card += "\n## Use\n\nInput: N x " + std::to_string(input.channels()) + " x " + std::to_string(input.crop) + " x " +
            std::to_string(input.crop) + " float32 images, transformed exactly as `preprocess.json` says. Output: one logit per "
            "class of `labels.json`, in that order.\n\n```python\nimport json, torch\nmodel = torch.jit.load(\"model.pt\")\n"
            "labels = json.load(open(\"labels.json\"))\n" +
            (calibrated ? "temperature = json.load(open(\"calibration.json\"))[\"temperature\"]\n"
                          "probabilities = torch.softmax(model(images) / temperature, 1)\n"
                        : "probabilities = torch.softmax(model(images), 1)\n") +
            "```\n\n"
            "Or: `graft-cli predict --model THIS_FOLDER IMAGE...`\n";
    card += "\n## Intended use and limits\n\nIt tells apart only the classes above and gives one of them for any image, "
            "even one of something else. The figures come from held-out images of the same collection; images from other "
            "cameras, lighting or sources may do worse, so check it on some of yours before relying on it. With few "
            "held-out images per class, the figures are rough.\n";
    return card;
}

struct TaskResult {
    TaskHead head;
    RunEvaluationResult evaluation;
};

std::string multiTaskMetricsJson(const RunContext& context, const std::vector<TaskResult>& tasks, const ExportReplay& replay) {
    nlohmann::json byTask = nlohmann::json::object();
    for (const auto& [head, evaluation] : tasks) {
        auto classes = nlohmann::json::array();
        for (const auto& metrics : evaluation.report.classes)
            classes.push_back({{"name", metrics.name}, {"support", metrics.support}, {"precision", metrics.precision},
                               {"recall", metrics.recall}, {"f1", metrics.f1}});
        byTask[head.name] = {{"heldOut",
                              {{"split", splitName(evaluation.split)}, {"images", evaluation.images}, {"accuracy", evaluation.accuracy},
                               {"loss", evaluation.loss}, {"macroF1", evaluation.report.macroF1}, {"classes", classes},
                               {"unfamiliarBelow", unfamiliarBelow(evaluation.confidences)},
                               {"confusion", evaluation.report.confusion}}},
                             {"calibration", calibrationJson(evaluation, false)}};
    }
    nlohmann::json metrics = {{"run", context.record.id},
                              {"arch", context.spec.config.arch},
                              {"init", context.spec.config.init},
                              {"checkpoint", tasks.front().evaluation.bestCheckpoint ? "best" : "last"},
                              {"checkpointEpoch", tasks.front().evaluation.checkpointEpoch},
                              {"tasks", byTask},
                              {"parity",
                               {{"images", replay.images}, {"topOneAgreements", replay.topOneAgreements},
                                {"maxDifference", replay.maxDifference}, {"tolerance", replay.tolerance}}}};
    if (context.experiment) {
        auto verdicts = nlohmann::json::array();
        for (const auto& task : context.experiment->tasks)
            for (const auto& shared : task.shared)
                if (shared.arm == context.record.arm && shared.budget == context.spec.config.labelsPerClass && shared.versusAlone)
                    verdicts.push_back({{"task", task.task}, {"alone", task.alone}, {"delta", summaryJson(shared.versusAlone->delta)},
                                        {"verdict", sharingVerdictText(shared.versusAlone->verdict, task.task)}});
        metrics["experiment"] = {{"id", context.record.experimentId}, {"name", context.experiment->spec.name},
                                 {"arm", context.record.arm}, {"tasks", verdicts}};
    }
    return metrics.dump(2);
}

std::string sharingSection(const RunContext& context) {
    if (!context.experiment)
        return "This run is not a trial of an experiment, so there is no paired evidence about whether learning its tasks "
               "together helped any of them. An experiment with an arm per task alone measures that.\n";
    std::string text = "This model is the **" + context.record.arm + "** arm of experiment " +
                       std::to_string(context.record.experimentId) + " (" + context.experiment->spec.name + "), seed " +
                       std::to_string(context.record.seed) + ". Each task against the arm that learns it alone, paired by seed:\n\n";
    for (const auto& task : context.experiment->tasks)
        for (const auto& shared : task.shared)
            if (shared.arm == context.record.arm && shared.budget == context.spec.config.labelsPerClass) {
                if (!shared.versusAlone) {
                    text += "- " + task.task + ": no arm learns it alone, or no paired seed finished\n";
                    continue;
                }
                const auto& delta = shared.versusAlone->delta;
                text += "- " + task.task + ": " + formatted("%+.3f", delta.mean) + " [" + formatted("%+.3f", delta.low) + ", " +
                        formatted("%+.3f", delta.high) + "] against " + task.alone + ": **" +
                        sharingVerdictText(shared.versusAlone->verdict, task.task) + "**\n";
            }
    return text;
}

std::string multiTaskModelCard(const fs::path& project, const RunContext& context, const std::vector<TaskResult>& tasks,
                               const ExportReplay& replay, const PreprocessSpec& input) {
    const auto& config = context.spec.config;
    const auto& first = tasks.front().evaluation;
    std::string names;
    for (const auto& task : tasks) names += (names.empty() ? "" : ", ") + task.head.name;
    std::string card = "# " + project.stem().string() + ": " + config.arch + " with a head per task (run " +
                       std::to_string(context.record.id) + ")\n\n";
    card += "Exported by Graft from `" + project.filename().string() + "`, the " + (first.bestCheckpoint ? "best" : "last") +
            " checkpoint (epoch " + std::to_string(first.checkpointEpoch) + "). One backbone with a head for each of " +
            std::to_string(tasks.size()) + " tasks: " + names + ". Started from: " + config.init + "; freeze: " + config.freeze +
            "; loss weights: " + config.taskWeights + "; " + std::to_string(config.epochs) + " epochs at learning rate " +
            formatted("%g", config.learningRate) + ".\n";
    for (const auto& [head, evaluation] : tasks) {
        card += "\n## Task " + head.name + "\n\n" + dataTable(head.classes, context.taskClasses.at(head.name));
        card += "\nOn held-out images labelled in " + head.name + ": accuracy " + formatted("%.3f", evaluation.accuracy) +
                " on " + std::to_string(evaluation.images) + " " + std::string(splitName(evaluation.split)) + " images, macro F1 " +
                formatted("%.3f", evaluation.report.macroF1) + ", ECE " + formatted("%.3f", evaluation.reliability.ece) + ".\n\n" +
                resultsTable(evaluation);
    }
    if (config.labelsPerClass > 0)
        card += "\nThe run saw " + std::to_string(config.labelsPerClass) + " labelled training images per class of each task.\n";
    card += "\n## Did sharing help?\n\n" + sharingSection(context);
    card += "\n## Parity\n\nBefore this bundle was written, " + std::to_string(replay.images) +
            " images went through `model.pt` (TorchScript) and through Graft's own model: every task's top class agreed on " +
            std::to_string(replay.topOneAgreements) + " of them, and no output differed by more than " +
            formatted("%.2g", replay.maxDifference) + ".\n";
    card += "\n## Use\n\nInput: N x " + std::to_string(input.channels()) + " x " + std::to_string(input.crop) + " x " +
            std::to_string(input.crop) + " float32 images, transformed exactly as `preprocess.json` says. Output: a dictionary "
            "with one tensor of logits per task, named as in `labels.json`, which lists each task with its classes in output order."
            "\n\n```python\nimport json, torch\nmodel = torch.jit.load(\"model.pt\")\n"
            "labels = {entry[\"task\"]: entry[\"classes\"] for entry in json.load(open(\"labels.json\"))}\n"
            "outputs = model(images)\nfor task, logits in outputs.items():\n    print(task, labels[task][int(logits[0].argmax())])\n"
            "```\n\nOr: `graft-cli predict --model THIS_FOLDER IMAGE...`, which prints every task.\n";
    card += "\n## Intended use and limits\n\nEach head tells apart only its task's classes above and gives one of them for "
            "any image, even one of something else. The figures come from held-out images of the same collection; images from "
            "other cameras, lighting or sources may do worse, so check it on some of yours before relying on it.\n";
    return card;
}

} // namespace

BundleReport exportRunBundle(const fs::path& project, std::int64_t runId, const fs::path& folder,
                             const ProgressCallback& progress, std::stop_token stop, const BundleOptions& options) {
    if (fs::exists(folder)) throw Error(folder.string() + ": already exists; name a new folder for the bundle");
    const fs::path partial = folder.string() + ".partial";
    std::error_code ignored;
    fs::remove_all(partial, ignored);
    try {
        fs::create_directories(partial);
        BundleReport report;
        report.replay = exportRun(project, runId, partial / "model.pt", {}, progress, stop);
        const auto context = runContext(project, runId);
        const auto input = architectureSpec(context.spec.config.arch, context.spec.config.inputSize).preprocess;
        writeFileAtomically(partial / "preprocess.json", preprocessJson(input));
        if (!context.spec.tasks.empty()) {
            if (options.calibrate)
                throw Error(project.string() + " run " + std::to_string(runId) +
                            ": learns several tasks, and a bundle of one does not hold a temperature per task yet; "
                            "export it without --calibrate");
            std::vector<TaskResult> tasks;
            nlohmann::json labels = nlohmann::json::array(); // in output order: each task's classes
            for (const auto& head : context.spec.tasks) {
                tasks.push_back({head, evaluateRun(project, runId, report.replay.split, stop, TemperatureFit::OnValidation, head.name)});
                labels.push_back({{"task", head.name}, {"classes", head.classes}});
                report.accuracy += tasks.back().evaluation.accuracy / double(context.spec.tasks.size());
                report.ece += tasks.back().evaluation.reliability.ece / double(context.spec.tasks.size());
            }
            writeFileAtomically(partial / "labels.json", labels.dump(2));
            writeFileAtomically(partial / "metrics.json", multiTaskMetricsJson(context, tasks, report.replay));
            writeFileAtomically(partial / "README.md", multiTaskModelCard(project, context, tasks, report.replay, input));
            fs::rename(partial, folder);
            return report;
        }
        const auto evaluation = evaluateRun(project, runId, report.replay.split, stop, TemperatureFit::OnValidation);
        report.accuracy = evaluation.accuracy;
        report.ece = evaluation.reliability.ece;
        report.temperatureScaling = evaluation.temperatureScaling;
        if (options.calibrate && !evaluation.temperatureScaling)
            throw Error(project.string() + " run " + std::to_string(runId) +
                        ": cannot calibrate: its classes have no validation images apart from the held-out ones");
        writeFileAtomically(partial / "labels.json", nlohmann::json(context.spec.classes).dump(2));
        writeFileAtomically(partial / "metrics.json", metricsJson(context, evaluation, report.replay, options.calibrate));
        if (options.calibrate)
            writeFileAtomically(partial / "calibration.json",
                                nlohmann::json{{"temperature", evaluation.temperatureScaling->temperature}}.dump(2));
        writeFileAtomically(partial / "README.md", modelCard(project, context, evaluation, report.replay, input, options.calibrate));
        fs::rename(partial, folder);
        return report;
    } catch (const fs::filesystem_error& error) {
        fs::remove_all(partial, ignored);
        throw Error(folder.string() + ": the bundle cannot be written (" + error.code().message() + ")");
    } catch (...) {
        fs::remove_all(partial, ignored);
        throw;
    }
}

} // namespace graft
