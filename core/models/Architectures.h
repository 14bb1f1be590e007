#pragma once

#include "data/Preprocess.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace graft {

class ClassifierImpl;

struct ArchitectureSpec {
    std::string name;
    std::string description;
    PreprocessSpec preprocess;
    std::filesystem::path torchScript; // set for imported TorchScript feature extractors
};

std::vector<ArchitectureSpec> architectures();
// Throws, listing the known names, for an unknown architecture. "script:<name>" is a TorchScript
// backbone imported into the weights cache.
ArchitectureSpec architectureSpec(const std::string& name);
// The same at `inputSize` pixels (PreprocessSpec::atCrop); 0 keeps the architecture's own.
ArchitectureSpec architectureSpec(const std::string& name, int inputSize);
// Randomly initialised from torch's global generator.
std::shared_ptr<ClassifierImpl> createClassifier(const ArchitectureSpec& spec, int numClasses);

} // namespace graft
