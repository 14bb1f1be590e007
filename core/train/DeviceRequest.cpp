#include "train/DeviceRequest.h"

#include "common/Error.h"

namespace graft {

DeviceRequest DeviceRequest::parse(const std::string& text) {
    if (text == "auto") return {Kind::Auto, 0};
    if (text == "cpu") return {Kind::Cpu, 0};
    if (text == "cuda") return {Kind::Cuda, 0};
    if (text.starts_with("cuda:") && text.size() > 5 && text.size() <= 7 &&
        text.find_first_not_of("0123456789", 5) == std::string::npos)
        return {Kind::Cuda, std::stoi(text.substr(5))};
    throw Error("unknown device '" + text + "' (auto, cpu, cuda or cuda:N)");
}

} // namespace graft
