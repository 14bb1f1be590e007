#include "domain/DomainGap.h"

#include "common/Error.h"
#include "data/ImageDecoding.h"
#include "data/Preprocess.h"
#include "domain/BatchNormShift.h"
#include "domain/FeatureDistances.h"
#include "models/Classifier.h"
#include "project/DomainStore.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"
#include "train/ComputeSetup.h"
#include "train/CpuBlockCache.h"
#include "train/RunModel.h"

#include <algorithm>
#include <random>

namespace graft {
namespace {

constexpr std::size_t kBatch = 64;

struct ModelUnderTest {
    std::string name;
    std::shared_ptr<ClassifierImpl> model;
    PreprocessSpec input;
};

ModelUnderTest modelOf(Database& db, const std::filesystem::path& project, const DomainGapRequest& request) {
    if (request.runId.has_value() == request.backbone.has_value())
        throw Error(project.string() + ": measure the domain gap with either a run or a backbone");
    if (request.backbone) return {request.backbone->name, request.backbone->load(), request.backbone->transform()};
    const auto run = loadRunModel(db, *request.runId, project.string() + " run " + std::to_string(*request.runId));
    return {"run " + std::to_string(*request.runId) + " (" + run.spec.config.arch + ")", run.model,
            run.architecture.preprocess};
}

// The images a set names, in a seeded order, at most `limit` of them.
std::vector<CatalogImage> imagesOfSet(Database& db, const std::string& set, const std::vector<CatalogImage>& catalog,
                                      const std::unordered_map<std::string, std::string>& domains,
                                      const std::filesystem::path& project, std::size_t limit, std::uint64_t seed) {
    const auto colon = set.find(':');
    const std::string domain = set.substr(0, colon);
    const std::string part = colon == std::string::npos ? "" : set.substr(colon + 1);
    if (domain != "*") DomainStore(db).requireDomain(domain, project.string());
    if (!part.empty() && part != "train" && part != "val" && part != "test" && part != "unlabelled")
        throw Error("domain set '" + set + "': the part after ':' is train, val, test or unlabelled, not '" + part + "'");
    std::vector<CatalogImage> chosen;
    for (const auto& image : catalog) {
        if (domain != "*") {
            const auto found = domains.find(image.sha256);
            if (found == domains.end() || found->second != domain) continue;
        }
        if (part == "unlabelled" && image.classId) continue;
        if (!part.empty() && part != "unlabelled" && (!image.classId || !image.split || splitName(*image.split) != part)) continue;
        chosen.push_back(image);
    }
    if (chosen.size() < 2) throw Error(project.string() + ": the set '" + set + "' holds " + std::to_string(chosen.size()) + " image(s); the gap needs at least 2");
    std::mt19937_64 generator(seed);
    std::shuffle(chosen.begin(), chosen.end(), generator);
    if (chosen.size() > limit) chosen.resize(limit);
    return chosen;
}

struct MeasuredSet {
    ImageSetGap gap;
    torch::Tensor features;
};

MeasuredSet measureSet(ProjectStore& store, const std::string& name, const std::vector<CatalogImage>& images,
                       ModelUnderTest& under, const std::filesystem::path& project, const ProgressCallback& progress,
                       std::stop_token stop) {
    auto blocks = under.model->blocks();
    blocks.pop_back(); // the head
    std::vector<torch::Tensor> features;
    std::size_t next = 0;
    const std::string stage = "measuring " + name;
    const auto forwardNextBatch = [&] {
        if (next >= images.size()) return false;
        const std::size_t end = std::min(images.size(), next + kBatch);
        std::vector<torch::Tensor> batch;
        for (; next < end; ++next) {
            try {
                batch.push_back(preprocessForEval(decodeImage(store.imageBytes(images[next].sha256), under.input.color), under.input));
            } catch (const Error& error) {
                throw Error(project.string() + ": image " + images[next].source + ": " + error.what());
            }
        }
        auto x = torch::stack(batch);
        for (auto& block : blocks) x = block.forward(x);
        features.push_back(x.flatten(1).to(torch::kDouble));
        if (progress) progress({stage, std::int64_t(end), std::int64_t(images.size())});
        return true;
    };
    MeasuredSet measured;
    measured.gap.set = name;
    measured.gap.images = std::int64_t(images.size());
    const auto shifts = batchNormShift(*under.model, forwardNextBatch, stop);
    for (const auto& shift : shifts) measured.gap.blocks.push_back({shift.block, shift.shift, shift.layers});
    measured.gap.reading = shiftReading(shifts);
    measured.features = torch::cat(features);
    return measured;
}

} // namespace

DomainGapReport measureDomainGap(const std::filesystem::path& project, const DomainGapRequest& request,
                                 const ProgressCallback& progress, std::stop_token stop) {
    if (request.sets.size() > 2) throw Error("the domain gap compares at most two sets of images, not " + std::to_string(request.sets.size()));
    useCpuCores();
    const CpuBlockCacheScope blockCache;
    Database db = openProject(project, ProjectAccess::ReadOnly);
    ProjectStore store(db);
    auto under = modelOf(db, project, request);
    const auto catalog = store.catalog();
    const auto domains = DomainStore(db).domainByImage();
    const std::vector<std::string> sets = request.sets.empty() ? std::vector<std::string>{"*"} : request.sets;

    DomainGapReport report;
    report.model = under.name;
    std::vector<torch::Tensor> features;
    for (std::size_t i = 0; i < sets.size(); ++i) {
        const auto images = imagesOfSet(db, sets[i], catalog, domains, project, request.maxImagesPerSet, request.seed + i);
        auto measured = measureSet(store, sets[i], images, under, project, progress, stop);
        report.sets.push_back(std::move(measured.gap));
        features.push_back(std::move(measured.features));
    }
    if (features.size() == 2) {
        DomainPairGap pair;
        pair.first = sets[0];
        pair.second = sets[1];
        pair.linearMmd = linearMmd(features[0], features[1]);
        pair.frechet = frechetDistance(features[0], features[1]);
        // As many of each for the domain classifier, so its chance error is one half.
        const auto rows = std::min(features[0].size(0), features[1].size(0));
        const auto proxy = proxyADistance(features[0].narrow(0, 0, rows), features[1].narrow(0, 0, rows));
        pair.proxyADistance = proxy.distance;
        pair.domainClassifierError = proxy.error;
        pair.heldOut = proxy.heldOut;
        report.between = pair;
    }
    return report;
}

} // namespace graft
