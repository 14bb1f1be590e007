#include "data/AugmentSpec.h"

#include "common/Error.h"

#include <sstream>

namespace graft {
namespace {

double numberAfterColon(const std::string& item, const std::string& value, double low, double high) {
    try {
        std::size_t end = 0;
        const double number = std::stod(value, &end);
        if (end == value.size() && number >= low && number <= high) return number;
    } catch (const std::exception&) {
    }
    std::ostringstream message;
    message << "augmentation '" << item << "' needs a number from " << low << " to " << high << " after the colon";
    throw Error(message.str());
}

} // namespace

AugmentSpec AugmentSpec::parse(const std::string& text) {
    if (text == "none" || text.empty()) return {};
    if (text == "standard") return parse("crop:0.35,flip:0.5,rotate:10,brightness:0.2,contrast:0.2,saturation:0.2");
    AugmentSpec spec;
    std::istringstream stream(text);
    for (std::string item; std::getline(stream, item, ',');) {
        const auto colon = item.find(':');
        const std::string name = item.substr(0, colon), value = colon == std::string::npos ? "" : item.substr(colon + 1);
        if (name == "crop") spec.cropScale = numberAfterColon(item, value, 0.01, 1);
        else if (name == "flip") spec.flipProbability = numberAfterColon(item, value, 0, 1);
        else if (name == "rotate") spec.rotationDegrees = numberAfterColon(item, value, 0, 180);
        else if (name == "brightness") spec.brightness = numberAfterColon(item, value, 0, 1);
        else if (name == "contrast") spec.contrast = numberAfterColon(item, value, 0, 1);
        else if (name == "saturation") spec.saturation = numberAfterColon(item, value, 0, 1);
        else if (name == "hue") spec.hue = numberAfterColon(item, value, 0, 0.5);
        else
            throw Error("unknown augmentation '" + item +
                        "' (none, standard, or a list of crop:S, flip:P, rotate:D, brightness:B, contrast:C, saturation:S, hue:H)");
    }
    return spec;
}

bool AugmentSpec::enabled() const {
    return cropScale < 1.0 || flipProbability > 0 || rotationDegrees > 0 || brightness > 0 || contrast > 0 ||
           saturation > 0 || hue > 0;
}

AugmentSpec AugmentSpec::forChannels(int channels) const {
    AugmentSpec spec = *this;
    if (channels == 1) spec.saturation = spec.hue = 0;
    return spec;
}

} // namespace graft
