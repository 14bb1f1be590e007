#include "export/TorchScriptPreprocess.h"

#include <string>

namespace graft {
namespace {

std::string replaced(std::string text, const std::string& placeholder, const std::string& value) {
    for (auto at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at + value.size()))
        text.replace(at, placeholder.size(), value);
    return text;
}

// preprocessForEval step by step: resize the shorter side (antialiased only when shrinking),
// round back to uint8 as torchvision does, centre-crop with Python's round-half-to-even
// offset, then scale and normalise. (define() knows only aten ops under `torch.`, no exception
// classes or dtype names: hence assert, and uint8's number.)
constexpr const char* kSource = R"source(
def preprocess(self, images):
    if images.dim() == 3:
        images = images.unsqueeze(0)
    assert images.dim() == 4 and images.dtype == UINT8 and images.size(3) == CHANNELS, "preprocess expects uint8 images, H x W x CHANNELS or N x H x W x CHANNELS (COLOR)"
    x = images.permute(0, 3, 1, 2)
    height = x.size(2)
    width = x.size(3)
    shorter = min(height, width)
    longer = max(height, width)
    if shorter != RESIZE:
        longer = int(float(RESIZE * longer) / float(shorter))
        size = [RESIZE, longer] if height <= width else [longer, RESIZE]
        if RESIZE < shorter:
            resized = torch._upsample_MODE2d_aa(x.float(), size, False, None, None)
        else:
            resized = torch.upsample_MODE2d(x.float(), size, False, None, None)
        CLAMP
        x = torch.round(resized).byte()
    top = (x.size(2) - CROP) // 2
    if (x.size(2) - CROP) % 2 == 1 and top % 2 == 1:
        top += 1
    left = (x.size(3) - CROP) // 2
    if (x.size(3) - CROP) % 2 == 1 and left % 2 == 1:
        left += 1
    x = x[:, :, top:top + CROP, left:left + CROP]
    return x.float().div(255.0).sub(self.preprocess_mean).div(self.preprocess_std).contiguous()
)source";

} // namespace

void definePreprocess(torch::jit::Module& module, const PreprocessSpec& spec) {
    const int channels = spec.channels();
    const auto statistic = [&](const std::array<float, 3>& values) {
        return torch::tensor(std::vector<float>(values.begin(), values.begin() + channels)).view({1, channels, 1, 1});
    };
    module.register_buffer("preprocess_mean", statistic(spec.mean));
    module.register_buffer("preprocess_std", statistic(spec.std));
    const bool bicubic = spec.interpolation == Interpolation::Bicubic;
    std::string source = kSource;
    source = replaced(source, "CLAMP", bicubic ? "resized = torch.clamp(resized, 0.0, 255.0)" : "pass");
    source = replaced(source, "MODE", bicubic ? "bicubic" : "bilinear");
    source = replaced(source, "CHANNELS", std::to_string(channels));
    source = replaced(source, "COLOR", spec.color == ColorMode::Gray ? "gray" : "RGB");
    source = replaced(source, "RESIZE", std::to_string(spec.resizeShorter));
    source = replaced(source, "CROP", std::to_string(spec.crop));
    source = replaced(source, "UINT8", std::to_string(int(torch::kUInt8)));
    module.define(source);
}

} // namespace graft
