#include "experiment/DomainShiftProject.h"

#include "common/Error.h"
#include "data/PrintedDigits.h"
#include "data/ProjectSplits.h"
#include "experiment/DemoProject.h"
#include "experiment/ExperimentSpec.h"
#include "project/DomainStore.h"
#include "project/ExperimentStore.h"
#include "project/ProjectBuild.h"

#include <nlohmann/json.hpp>

#include <map>

namespace graft {
namespace {

// Per digit in hash order: printed ones nine in ten for training, handwritten ones alternately
// training and test.
std::vector<SplitAssignment> benchmarkSplits(ProjectStore& store, DomainStore& domains) {
    const auto domainOf = domains.domainByImage();
    std::map<std::pair<std::string, std::int64_t>, int> taken;
    std::vector<SplitAssignment> assignments;
    for (const auto& image : store.labeledImages()) { // ordered by class, then hash
        const auto& domain = domainOf.at(image.sha256);
        const int place = taken[{domain, image.classId}]++;
        const Split split = domain == "printed" ? (place % 10 == 9 ? Split::Val : Split::Train)
                                                : (place % 2 == 0 ? Split::Train : Split::Test);
        assignments.push_back({image.sha256, split});
    }
    return assignments;
}

nlohmann::json arm(const std::string& name, nlohmann::json overrides) {
    nlohmann::json train = {{"arch", "tinynet"},          {"learningRate", 0.001}, {"schedule", "constant"},
                            {"batchSize", 64},            {"epochs", 1},           {"minImagesSeen", 13500},
                            {"targetDomain", "handwritten"}, {"trainingDomains", "printed"}};
    train.update(overrides);
    return {{"name", name}, {"train", train}};
}

} // namespace

std::filesystem::path defaultDomainShiftProjectPath() { return defaultDemoProjectPath().parent_path() / "domain-shift.graft"; }

std::string domainShiftExperimentSpecJson(int seeds) {
    const nlohmann::json spec = {
        {"name", "Printed to handwritten digits: what adaptation does"},
        {"seeds", seeds},
        {"budgets", {"all"}},
        {"baseline", "source only"},
        {"arms",
         {arm("source only", nlohmann::json::object()), arm("AdaBN", {{"domainAdaptation", "adabn"}}),
          arm("Deep CORAL", {{"domainAdaptation", "coral"}}), arm("DANN", {{"domainAdaptation", "dann"}}),
          arm("10 handwritten labels per digit", {{"trainingDomains", "handwritten"}, {"labelsPerClass", 10}}),
          arm("every handwritten label", {{"trainingDomains", "handwritten"}})}}};
    return spec.dump();
}

DomainShiftProject createDomainShiftProject(const std::filesystem::path& path, int printedPerDigit, int seeds,
                                            const std::filesystem::path& digitsSheet, const ImportOptions& options) {
    if (printedPerDigit < 10) throw Error("the domain-shift benchmark needs at least 10 printed digits per class");
    DomainShiftProject project;
    buildProject(path, [&](Database& db) {
        ImportOptions printed = options, handwritten = options;
        printed.domain = "printed";
        handwritten.domain = "handwritten";
        if (importDigitImages(db, renderPrintedDigits(printedPerDigit, 0), "printed", "Rendering printed digits", printed).cancelled ||
            importOpenCvDigits(db, digitsSheet, handwritten).cancelled)
            throw Error("creating the domain-shift benchmark was cancelled");
        ProjectStore store(db);
        DomainStore domains(db);
        Transaction transaction(db);
        const auto assignments = benchmarkSplits(store, domains);
        restoreSplits(store, SplitPolicy{}, assignments);
        for (const auto& summary : domains.summaries()) {
            if (summary.name == "printed") project.printed = summary.images;
            if (summary.name == "handwritten") {
                project.handwrittenTraining = summary.train;
                project.handwrittenHeldOut = summary.test;
            }
        }
        const auto spec = ExperimentSpec::fromJson(domainShiftExperimentSpecJson(seeds)).withProjectDefaults(store);
        project.experimentId = ExperimentStore(db).create(spec.name, spec.toJson());
        transaction.commit();
    });
    return project;
}

} // namespace graft
