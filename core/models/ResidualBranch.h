#pragma once

#include <string>

namespace graft {

// A block whose inference output is one child's output, plus the block's input when residual():
// MobileNet's inverted residuals and EfficientNet's MBConv (whose stochastic depth is the identity
// outside training). Export writes such blocks through this, whatever their class.
class ResidualBranch {
public:
    virtual ~ResidualBranch() = default;
    virtual bool residual() const = 0;
    virtual std::string branchChild() const = 0; // the name of the child computing the branch
};

} // namespace graft
