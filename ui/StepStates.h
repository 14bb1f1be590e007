#pragma once

#include "ProjectSummary.h"

#include <QString>

#include <vector>

namespace graft::ui {

// The workbench's steps in order, as the step bar lists them.
enum class Step { Data, Model, Train, Compare, Try, Export };

// What the step bar needs to know beyond the project file.
struct WorkbenchState {
    const ProjectSummary* project = nullptr; // none open
    QString architecture;
    int frozenBlocks = 0;
    bool training = false; // a run or an experiment
    int trainingPercent = 0;
};

// A step's state in a few words ("3 classes · 12 unlabelled", "run 4 · 45 %"); a blocked step's
// text says what it waits for ("label at least 2 classes") and `fixedOn` the step where that is done.
struct StepState {
    QString text;
    bool blocked = false;
    Step fixedOn = Step::Data;
};

// One per Step, in order.
std::vector<StepState> stepStates(const WorkbenchState& state);

} // namespace graft::ui
