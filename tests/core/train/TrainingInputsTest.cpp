#include "train/TrainingInputs.h"

#include "models/Architectures.h"
#include "models/Classifier.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <thread>

namespace graft {
namespace {

// A trial's seeded initial weights, while another thread keeps building models (as an experiment
// evaluating a finished trial does beside a starting one): without one lock over every build, its
// draws from the shared generator would land between the trial's seed and its weights.
TEST(InitialModel, ModelsBuiltOnAnotherThreadMeanwhileLeaveTheSeededWeightsAsTheyWere) {
    TrainConfig config;
    config.arch = "tinynet";
    config.seed = 11;
    const auto reference = createInitialModel(config, 3).model->parameters();

    std::atomic<bool> done = false;
    std::jthread evaluations([&] {
        while (!done) createClassifier(architectureSpec("tinynet"), 3);
    });
    int differing = 0;
    for (int trial = 0; trial < 200; ++trial) {
        const auto parameters = createInitialModel(config, 3).model->parameters();
        for (std::size_t i = 0; i < parameters.size(); ++i)
            if (!torch::equal(parameters[i], reference[i])) {
                ++differing;
                break;
            }
    }
    done = true;
    EXPECT_EQ(differing, 0) << "of 200 seeded builds";
}

} // namespace
} // namespace graft
