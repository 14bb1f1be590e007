#pragma once

#include "metrics/Reliability.h"

#include <QImage>
#include <QString>

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

namespace graft::ui {

struct InspectedError {
    QString image; // SHA-256
    QString actual;
    QString predicted;
    double confidence = 0; // the probability the model gave its (wrong) prediction
    QImage thumbnail;
};

// A run's model on the held-out images, for the confusion matrix and the error browser.
struct RunInspection {
    qint64 runId = 0;
    QString arm;
    qint64 seed = 0;
    QString budget; // "5 labels per class", "all labels", or in a labelling simulation "40 labels"
    QString split;
    qint64 images = 0;
    double accuracy = 0;
    std::vector<std::string> classes;
    std::vector<std::vector<std::int64_t>> confusion; // [actual][predicted]
    std::vector<InspectedError> errors;               // the most confident mistakes first
    Reliability reliability;                          // of the held-out confidences
};

// Evaluates the run's best checkpoint on the held-out split its experiment judges it on and
// decodes thumbnails of the images it got wrong. Throws graft::Error naming the run, or when stopped.
RunInspection inspectRun(const std::filesystem::path& project, qint64 runId, int thumbnailSize, std::stop_token stop);

} // namespace graft::ui
