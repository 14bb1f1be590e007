#include "train/RunDomains.h"

#include "project/DomainStore.h"

#include <algorithm>

namespace graft {

std::vector<LabeledImage> inTrainingDomains(Database& db, const TrainConfig& config, std::vector<LabeledImage> images) {
    const auto named = nameList(config.trainingDomains);
    if (named.empty() && !config.adaptsToDomain()) return images;
    const auto domains = DomainStore(db).domainByImage();
    std::erase_if(images, [&](const LabeledImage& image) {
        const auto found = domains.find(image.sha256);
        if (named.empty()) return found != domains.end() && found->second == config.targetDomain;
        return found == domains.end() || std::find(named.begin(), named.end(), found->second) == named.end();
    });
    return images;
}

std::vector<LabeledImage> inTargetDomain(Database& db, const TrainConfig& config, std::vector<LabeledImage> images) {
    if (config.targetDomain.empty()) return images;
    const auto domains = DomainStore(db).domainByImage();
    std::erase_if(images, [&](const LabeledImage& image) {
        const auto found = domains.find(image.sha256);
        return found == domains.end() || found->second != config.targetDomain;
    });
    return images;
}

std::vector<std::string> targetDomainPool(Database& db, const TrainConfig& config) {
    const auto domains = DomainStore(db).domainByImage();
    std::vector<std::string> pool;
    for (const auto& image : ProjectStore(db).catalog()) {
        const auto found = domains.find(image.sha256);
        if (found == domains.end() || found->second != config.targetDomain) continue;
        if (!image.classId || image.split == Split::Train) pool.push_back(image.sha256);
    }
    return pool;
}

} // namespace graft
