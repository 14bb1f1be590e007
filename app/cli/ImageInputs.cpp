#include "ImageInputs.h"

#include "common/Error.h"
#include "data/FolderImport.h"

#include <algorithm>
#include <filesystem>

namespace graft::cli {

std::vector<std::string> expandImages(const std::vector<std::string>& inputs) {
    std::vector<std::string> images;
    for (const auto& input : inputs) {
        if (!std::filesystem::is_directory(input)) {
            images.push_back(input);
            continue;
        }
        std::vector<std::string> found;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(input))
            if (entry.is_regular_file() && hasImageExtension(entry.path())) found.push_back(entry.path().string());
        if (found.empty()) throw Error(input + ": holds no images (.png, .jpg, .bmp, ...)");
        std::sort(found.begin(), found.end());
        images.insert(images.end(), found.begin(), found.end());
    }
    return images;
}

// Read errors already name the file; decoding errors are given its name here.
cv::Mat decodeNamed(const std::string& image, ColorMode color) {
    const auto bytes = readFileBytes(image);
    try {
        return decodeImage(bytes, color);
    } catch (const ImageDecodeError& error) {
        throw ImageDecodeError(image + ": " + error.what());
    }
}

} // namespace graft::cli
