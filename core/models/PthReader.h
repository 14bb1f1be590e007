#pragma once

#include <torch/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace graft {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Reads the tensors of a PyTorch checkpoint written by torch.save: the zip format (1.6+) or the
// legacy stream, such as torchvision's official ImageNet weights, and Graft's own weights files
// (LibTorch's pickle_save). The pickle is interpreted by
// RestrictedUnpickler with an allow-list (OrderedDict, tensor rebuilders, storage types), so a
// file that names anything else is refused and nothing in it runs. A {"state_dict": ...}
// wrapper is unwrapped and a "module." prefix (DataParallel) is stripped. Errors name the file.
NamedTensors readPthFile(const std::filesystem::path& path);

} // namespace graft
