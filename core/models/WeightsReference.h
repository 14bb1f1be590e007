#pragma once

#include "models/PthReader.h"

#include <string>

namespace graft {

// The tensors a weights reference names: "builtin:NAME" (BuiltInWeights), or a weights file
// (readPthFile).
NamedTensors readWeightsReference(const std::string& reference);

} // namespace graft
