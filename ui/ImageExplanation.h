#pragma once

#include <QImage>
#include <QString>

#include <filesystem>
#include <stop_token>
#include <utility>
#include <vector>

namespace graft::ui {

// What one run's model makes of one project image, ready to show.
struct ImageExplanation {
    qint64 runId = 0;
    QString block;                                  // where Grad-CAM read the model
    std::vector<std::pair<QString, double>> top;    // classes and probabilities, most probable first
    QImage viewed;                                  // the image as the model saw it
    QImage heatMap;                                 // Grad-CAM of the first class, half over `viewed`
};

// Each run's top 3 and Grad-CAM for the project image `sha256`, in the order of `runIds`.
// Throws graft::Error naming the run or image, or when stopped.
std::vector<ImageExplanation> explainProjectImage(const std::filesystem::path& project, const std::vector<qint64>& runIds,
                                                  const QString& sha256, std::stop_token stop);

} // namespace graft::ui
