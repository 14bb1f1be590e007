#pragma once

#include "data/Preprocess.h"

#include <filesystem>
#include <memory>
#include <mutex>
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
// Randomly initialised from torch's global generator, under modelConstructionMutex().
std::shared_ptr<ClassifierImpl> createClassifier(const ArchitectureSpec& spec, int numClasses);
// Module constructors draw their initial weights from LibTorch's default generator, which the
// whole process shares. Every model is built holding this lock, and a seeded build holds it from
// manual_seed to its last draw: otherwise a model built for an evaluation would take draws from
// between a trial's seed and its weights, and trials side by side (--parallel, an experiment's
// rank 0) would start from weights that depend on the timing.
std::recursive_mutex& modelConstructionMutex();

} // namespace graft
