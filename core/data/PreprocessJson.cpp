#include "data/PreprocessJson.h"

#include "common/Error.h"

#include <nlohmann/json.hpp>

namespace graft {

std::string preprocessJson(const PreprocessSpec& spec) {
    return nlohmann::json{{"resizeShorter", spec.resizeShorter},
                          {"crop", spec.crop},
                          {"color", spec.color == ColorMode::Gray ? "gray" : "rgb"},
                          {"interpolation", spec.interpolation == Interpolation::Bicubic ? "bicubic" : "bilinear"},
                          {"mean", spec.mean},
                          {"std", spec.std},
                          {"order", "decode, resize the shorter side (antialiased when shrinking), centre crop, "
                                    "/255, (x - mean) / std; N x C x H x W float32"}}
        .dump(2);
}

PreprocessSpec preprocessFromJson(const std::string& json, const std::string& source) {
    try {
        const auto parsed = nlohmann::json::parse(json);
        PreprocessSpec spec;
        spec.resizeShorter = parsed.at("resizeShorter").get<int>();
        spec.crop = parsed.at("crop").get<int>();
        const auto color = parsed.at("color").get<std::string>();
        if (color != "gray" && color != "rgb") throw Error(source + ": color must be gray or rgb, not '" + color + "'");
        spec.color = color == "gray" ? ColorMode::Gray : ColorMode::Rgb;
        const auto interpolation = parsed.at("interpolation").get<std::string>();
        if (interpolation != "bilinear" && interpolation != "bicubic")
            throw Error(source + ": interpolation must be bilinear or bicubic, not '" + interpolation + "'");
        spec.interpolation = interpolation == "bicubic" ? Interpolation::Bicubic : Interpolation::Bilinear;
        spec.mean = parsed.at("mean").get<std::array<float, 3>>();
        spec.std = parsed.at("std").get<std::array<float, 3>>();
        if (spec.crop < 1 || spec.resizeShorter < spec.crop)
            throw Error(source + ": needs 1 <= crop <= resizeShorter");
        return spec;
    } catch (const nlohmann::json::exception& error) {
        throw Error(source + ": not a preprocessing description (" + error.what() + ")");
    }
}

} // namespace graft
