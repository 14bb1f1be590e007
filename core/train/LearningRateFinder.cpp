#include "train/LearningRateFinder.h"

#include "common/Error.h"
#include "project/ProjectFile.h"
#include "train/ComputeSetup.h"
#include "train/CpuBlockCache.h"
#include "train/FanOutObserver.h"
#include "train/Trainer.h"
#include "train/TrainingInputs.h"

#include <algorithm>
#include <cmath>
#include <stop_token>

namespace graft {
namespace {

// Records each step and ends the sweep once the loss has clearly blown up.
class SweepRecorder : public TrainObserver {
public:
    explicit SweepRecorder(std::stop_source& stop) : stop_(stop) {}

    void onStep(const StepEvent& event) override {
        constexpr double kBeta = 0.98;
        average_ = kBeta * average_ + (1 - kBeta) * event.loss;
        const double smoothed = average_ / (1 - std::pow(kBeta, double(points.size() + 1)));
        points.push_back({event.learningRate, event.loss, smoothed});
        best_ = std::min(best_, smoothed);
        if (smoothed > 4 * best_) {
            stopReason = "the loss exceeded 4x its minimum";
            stop_.request_stop();
        }
    }

    std::vector<LearningRateProbe> points;
    std::string stopReason;

private:
    std::stop_source& stop_;
    double average_ = 0;
    double best_ = INFINITY;
};

} // namespace

double suggestLearningRate(const std::vector<LearningRateProbe>& points) {
    if (points.size() < 3) return 0;
    std::size_t minimum = 0;
    for (std::size_t i = 1; i < points.size(); ++i)
        if (points[i].smoothedLoss < points[minimum].smoothedLoss) minimum = i;
    // The first tenth is skipped (the moving average has too few samples to trust) and slopes
    // span a window of +-5 % of the sweep, so that step-to-step noise cannot win.
    const std::size_t skip = points.size() / 10, window = std::max<std::size_t>(1, points.size() / 20);
    double steepest = INFINITY;
    double suggested = points[minimum].learningRate / 10;
    for (std::size_t i = skip + window; i + window <= minimum && i + window < points.size(); ++i) {
        const auto& before = points[i - window];
        const auto& after = points[i + window];
        const double slope = (after.smoothedLoss - before.smoothedLoss) /
                             (std::log10(after.learningRate) - std::log10(before.learningRate));
        if (slope < steepest) steepest = slope, suggested = points[i].learningRate;
    }
    return suggested;
}

LearningRateSweep sweepLearningRate(std::shared_ptr<ClassifierImpl> model, TrainConfig config,
                                    const LabeledTensors& trainSet, const LearningRateSweepRange& range,
                                    TrainObserver& observer, std::stop_token stop, const std::optional<PreprocessSpec>& pixelsOf,
                                    const std::vector<TaskHead>& tasks) {
    if (!(range.start > 0 && range.end > range.start) || range.steps < 3)
        throw Error("the learning-rate sweep needs 0 < start < end and at least 3 steps");
    const std::int64_t stepsPerEpoch = (trainSet.size() + config.batchSize - 1) / config.batchSize;
    config.schedule = "exponential";
    config.learningRate = range.start;
    config.finalLearningRate = range.end;
    config.warmupEpochs = 0;
    config.recalibrateBatchNorm = false; // the sweep's weights are thrown away
    config.maxSteps = range.steps;
    config.epochs = int((range.steps + stepsPerEpoch - 1) / std::max<std::int64_t>(stepsPerEpoch, 1));
    config.validate();

    std::stop_source sweepStop;
    std::stop_callback forward(stop, [&] { sweepStop.request_stop(); });
    SweepRecorder recorder(sweepStop);
    FanOutObserver fanOut({&recorder, &observer});
    LearningRateSweep sweep;
    Trainer trainer(std::move(model), config, resolveDevice(config.device)); // a bad freeze plan throws here
    if (pixelsOf) trainer.normalisePixelsWith(*pixelsOf);
    if (!tasks.empty()) trainer.learnTasks(tasks);
    try {
        trainer.train(trainSet, {}, fanOut, sweepStop.get_token());
        if (stop.stop_requested()) sweep.stopReason = "stopped on request";
        else sweep.stopReason = recorder.stopReason;
    } catch (const Error& diverged) { // a non-finite loss ends the sweep like a large one
        sweep.stopReason = diverged.what();
    }
    sweep.points = std::move(recorder.points);
    sweep.suggested = suggestLearningRate(sweep.points);
    return sweep;
}

LearningRateSweep findLearningRate(const std::filesystem::path& project, const TrainConfig& config,
                                   const LearningRateSweepRange& range, TrainObserver& observer, std::stop_token stop) {
    config.validate();
    useCpuCores();
    const CpuBlockCacheScope blockCache;
    // The sweep reads the loss on plain images: augmentation would only add noise to a short curve.
    TrainConfig plain = config;
    plain.augment = "none";
    TrainingInputs inputs;
    {
        Database db = openProject(project, ProjectAccess::ReadOnly);
        inputs = prepareTrainingInputs(project, db, plain, observer);
    }
    return sweepLearningRate(inputs.model, plain, inputs.trainSet, range, observer, stop, inputs.preprocess, inputs.tasks);
}

} // namespace graft
