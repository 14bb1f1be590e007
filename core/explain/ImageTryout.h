#pragma once

#include "explain/RunExplanation.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

namespace graft {

// What a model makes of an image from outside the project.
struct TriedImage {
    std::string name;
    std::vector<ExplainedClass> top; // most probable first (the bundle's temperature applied)
    cv::Mat viewed;                  // 8-bit RGB: the image as the model saw it
    cv::Mat heatMap;                 // 8-bit RGB: Grad-CAM of the first class half over `viewed`;
                                     // empty for a TorchScript backbone, which has no stages to read
    double familiarity = 0;          // the top softmax probability of the plain logits
    bool unfamiliar = false;         // familiarity under the model's unfamiliarBelow
    std::string error;               // instead of the above, when the image cannot be read
};

// A trained model to try new images on, as Lobe and Teachable Machine offer: a run of a project
// or an exported bundle. Each image gets its top classes, its Grad-CAM heat map, and a flag when
// it looks unlike the held-out images (metrics/Unfamiliarity).
class ImageTryout {
public:
    // The run's best checkpoint; the threshold comes from evaluating it on its held-out images.
    static ImageTryout ofRun(const std::filesystem::path& project, std::int64_t runId, std::stop_token stop = {});
    // A bundle from exportRunBundle, through its native architecture (BundleClassifier).
    static ImageTryout ofBundle(const std::filesystem::path& folder);

    // Never throws for a bad image: the error names it instead.
    TriedImage tryImage(const std::string& name, std::span<const std::uint8_t> encoded, int topK = 3) const;
    const std::string& description() const;
    // Unset when the model has fewer than kFewestHeldOutToFlagUnfamiliar held-out images.
    std::optional<double> unfamiliarBelow() const;
    std::int64_t heldOutImages() const;

private:
    struct Model;
    explicit ImageTryout(std::shared_ptr<const Model> model);
    std::shared_ptr<const Model> model_;
};

} // namespace graft
