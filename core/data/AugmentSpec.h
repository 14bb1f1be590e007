#pragma once

#include <string>

namespace graft {

// Random training augmentation, applied with OpenCV in torchvision's order: random-resized-crop,
// horizontal flip, rotation, colour jitter, then ToTensor and Normalize as in PreprocessSpec.
// Text form (the CLI's --augment and the run record), comma-separated, any subset:
//   crop:S        random-resized-crop keeping S..1 of the area (aspect 3/4..4/3); without it the
//                 image is resized and centre-cropped as for evaluation
//   flip:P        horizontal flip with probability P
//   rotate:D      rotation by up to D degrees either way (edges reflected, not black)
//   brightness:B, contrast:C, saturation:S, hue:H    ColorJitter's factors
// "none" turns augmentation off; "standard" is crop:0.35,flip:0.5,rotate:10,brightness:0.2,
// contrast:0.2,saturation:0.2 (fastai's defaults for small datasets).
struct AugmentSpec {
    double cropScale = 1.0; // 1: no random crop
    double flipProbability = 0;
    double rotationDegrees = 0;
    double brightness = 0;
    double contrast = 0;
    double saturation = 0;
    double hue = 0;

    // Throws graft::Error naming the bad item and the known ones.
    static AugmentSpec parse(const std::string& text);
    bool enabled() const;
    // Saturation and hue mean nothing for one-channel images: turned off there.
    AugmentSpec forChannels(int channels) const;
};

} // namespace graft
