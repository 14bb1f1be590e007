#pragma once

#include "export/LoadedBundle.h"

#include <memory>

namespace graft {

class ClassifierImpl;

// The bundle's model as Graft's native classifier (its metrics.json names the architecture), with
// the weights of model.pt, where TorchScriptExport registered each state_dict tensor with '.' as
// '_'. What needs the network's blocks, such as Grad-CAM, then works on an exported model too.
// Throws, naming the bundle, when the architecture is unknown or a tensor is missing or misshapen.
std::shared_ptr<ClassifierImpl> bundleClassifier(const LoadedBundle& bundle, const std::string& source);

} // namespace graft
