#include "models/WeightsReference.h"

#include "models/BuiltInWeights.h"
#include "models/Weights.h"

namespace graft {

NamedTensors readWeightsReference(const std::string& reference) {
    if (!reference.starts_with(kBuiltInWeightsPrefix)) return readPthFile(reference);
    const auto weights = builtInWeights(reference.substr(kBuiltInWeightsPrefix.size()));
    return unpickleTensors(weights.bytes, reference);
}

} // namespace graft
