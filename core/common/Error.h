#pragma once

#include <stdexcept>
#include <string>

namespace graft {

// Every error Graft reports to a person derives from this, so front ends can
// show what() as-is: messages name the file and the problem.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace graft
