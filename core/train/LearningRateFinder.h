#pragma once

#include "data/TensorDataset.h"
#include "models/Classifier.h"
#include "train/TaskHead.h"
#include "train/TrainConfig.h"
#include "train/TrainObserver.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

struct LearningRateProbe {
    double learningRate = 0;
    double loss = 0;
    double smoothedLoss = 0; // exponential moving average, bias-corrected (fastai's)
};

struct LearningRateSweep {
    std::vector<LearningRateProbe> points;
    double suggested = 0;  // 0 when the sweep was too short to suggest anything
    std::string stopReason; // why the sweep ended before its last step, if it did
};

struct LearningRateSweepRange {
    double start = 1e-7;
    double end = 10;
    int steps = 100;
};

// The rate where the smoothed loss falls fastest (per decade of learning rate) before its
// minimum: fastai's "steep" suggestion; a tenth of the minimum's rate when no slope can be
// measured before it. 0 for fewer than 3 points.
double suggestLearningRate(const std::vector<LearningRateProbe>& points);

// fastai's LR range test: trains `model` (changing it) from range.start to range.end, growing
// the rate exponentially each step, under config's freeze plan, optimizer and multipliers,
// and stops once the smoothed loss exceeds 4x its minimum or stops being finite. `pixelsOf`:
// trainSet's images are uint8 pixels of this preprocessing (loadPixels). `tasks`: a multi-task
// model's heads (Trainer::learnTasks), its labels N x tasks.
LearningRateSweep sweepLearningRate(std::shared_ptr<ClassifierImpl> model, TrainConfig config,
                                    const LabeledTensors& trainSet, const LearningRateSweepRange& range,
                                    TrainObserver& observer, std::stop_token stop,
                                    const std::optional<PreprocessSpec>& pixelsOf = std::nullopt,
                                    const std::vector<TaskHead>& tasks = {});

// The same on a project's training split; records nothing in the project.
LearningRateSweep findLearningRate(const std::filesystem::path& project, const TrainConfig& config,
                                   const LearningRateSweepRange& range, TrainObserver& observer, std::stop_token stop);

} // namespace graft
