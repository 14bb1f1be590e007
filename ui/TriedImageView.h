#pragma once

#include <QImage>
#include <QString>

#include <filesystem>
#include <utility>
#include <vector>

namespace graft::ui {

// One image tried on the Try page, ready to show.
struct TriedImageView {
    QString name;
    std::vector<std::pair<QString, double>> top; // classes and probabilities, most probable first
    QImage viewed;                               // the image as the model saw it
    QImage heatMap;                              // its Grad-CAM over `viewed`
    double familiarity = 0;                      // top softmax probability
    bool unfamiliar = false;                     // under the held-out images' 5th percentile
    QString error;                               // instead of the above
};

// An image to try: a file (or a folder of them), or bytes pasted from the clipboard.
struct TryInput {
    QString name;
    std::filesystem::path file;
    std::vector<std::uint8_t> bytes;
};

// What to try images on: a run of a project, or a bundle folder.
struct TryoutSource {
    std::filesystem::path project;
    qint64 runId = 0;
    std::filesystem::path bundle;

    bool operator==(const TryoutSource&) const = default;
};

} // namespace graft::ui
