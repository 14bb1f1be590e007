#pragma once

#include "data/Preprocess.h"

#include <memory>
#include <string>
#include <vector>

namespace graft {

class ClassifierImpl;

struct ArchitectureSpec {
    std::string name;
    std::string description;
    PreprocessSpec preprocess;
};

std::vector<ArchitectureSpec> architectures();
// Throws, listing the known names, for an unknown architecture.
ArchitectureSpec architectureSpec(const std::string& name);
// Randomly initialised from torch's global generator.
std::shared_ptr<ClassifierImpl> createClassifier(const ArchitectureSpec& spec, int numClasses);

} // namespace graft
