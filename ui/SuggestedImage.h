#pragma once

#include <QString>

namespace graft::ui {

// An image the selection strategy picks to label next, as the GUI shows it.
struct SuggestedImage {
    QString sha256;
    double score = 0;
    QString predicted;       // the run's predicted class; empty without a run
    double confidence = -1;  // its probability; -1 without a run
};

} // namespace graft::ui
