#pragma once

#include "project/ProjectStore.h"
#include "train/TrainConfig.h"

#include <string>
#include <vector>

namespace graft {

// Which of a project's images a run may see, by domain (TrainConfig's trainingDomains and
// targetDomain). Without domains in the configuration every image passes.

// The labelled images it trains and validates on: those of its training domains; when it adapts
// and names none, those of every domain but the target (images without a domain included).
std::vector<LabeledImage> inTrainingDomains(Database& db, const TrainConfig& config, std::vector<LabeledImage> images);

// The held-out images that judge it: its target domain's, when it has one.
std::vector<LabeledImage> inTargetDomain(Database& db, const TrainConfig& config, std::vector<LabeledImage> images);

// What domain adaptation learns from without labels: the target domain's unlabelled images and
// its labelled training images, their labels never read. Validation and test images never join.
// SHA-256s in import order.
std::vector<std::string> targetDomainPool(Database& db, const TrainConfig& config);

} // namespace graft
