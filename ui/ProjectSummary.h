#pragma once

#include "project/ProjectOverview.h"

#include <QString>

namespace graft::ui {

// What the welcome screen and the step bar say about a project.
struct ProjectSummary {
    ProjectOverview overview;
    // The newest experiment's clearest finding: its first verdict that is not "no evidence", at the
    // smallest budget ("fine-tune: transfer helps at 5 labels per class"), else what it has so far;
    // empty without an experiment.
    QString verdict;
};

// Throws graft::Error for a project it cannot read.
ProjectSummary summarizeProject(Database& db);

} // namespace graft::ui
