#include "StepStates.h"

#include <gtest/gtest.h>

namespace graft {
namespace {

using ui::Step;

const ui::StepState& stateOf(const std::vector<ui::StepState>& steps, Step step) { return steps.at(std::size_t(step)); }

TEST(StepStates, AStepThatCannotBeUsedYetSaysWhatItWaitsFor) {
    EXPECT_TRUE(stateOf(ui::stepStates({}), Step::Data).blocked) << "no project open";

    ui::ProjectSummary project;
    project.overview.images = 40;
    project.overview.unlabelled = 39;
    project.overview.classes = 1;
    project.overview.trainingClasses = 1;
    ui::WorkbenchState state{&project, "resnet18", 0, false, 0};
    auto steps = ui::stepStates(state);
    EXPECT_EQ(stateOf(steps, Step::Data).text, "1 class · 39 unlabelled");
    EXPECT_FALSE(stateOf(steps, Step::Data).blocked);
    EXPECT_EQ(stateOf(steps, Step::Model).text, "resnet18 · all blocks train");
    EXPECT_EQ(stateOf(steps, Step::Train).text, "label at least 2 classes");
    EXPECT_TRUE(stateOf(steps, Step::Train).blocked);
    EXPECT_TRUE(stateOf(steps, Step::Compare).blocked);
    EXPECT_EQ(stateOf(steps, Step::Train).fixedOn, Step::Data);
    EXPECT_EQ(stateOf(steps, Step::Try).text, "label at least 2 classes, then train");
    EXPECT_EQ(stateOf(steps, Step::Try).fixedOn, Step::Data);
    EXPECT_TRUE(stateOf(steps, Step::Export).blocked);

    project.overview.classes = project.overview.trainingClasses = 2;
    steps = ui::stepStates(state);
    EXPECT_EQ(stateOf(steps, Step::Try).text, "train a run first");
    EXPECT_EQ(stateOf(steps, Step::Try).fixedOn, Step::Train);
    EXPECT_EQ(stateOf(steps, Step::Compare).text, "run an experiment on Train");
    EXPECT_EQ(stateOf(steps, Step::Compare).fixedOn, Step::Train);

    project.overview.finishedRuns = 3;
    project.overview.newestFinishedRun = 7;
    project.verdict = "transfer: transfer helps at 5 labels per class";
    state.frozenBlocks = 1;
    steps = ui::stepStates(state);
    EXPECT_EQ(stateOf(steps, Step::Model).text, "resnet18 · 1 block frozen");
    EXPECT_EQ(stateOf(steps, Step::Train).text, "3 runs finished");
    EXPECT_EQ(stateOf(steps, Step::Compare).text, project.verdict);
    EXPECT_FALSE(stateOf(steps, Step::Compare).blocked);
    EXPECT_EQ(stateOf(steps, Step::Export).text, "run 7 ready");

    state.training = true;
    state.trainingPercent = 45;
    EXPECT_EQ(stateOf(ui::stepStates(state), Step::Train).text, "training · 45 %");
}

} // namespace
} // namespace graft
