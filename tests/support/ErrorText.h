#pragma once

#include "common/Error.h"

#include <functional>
#include <string>

namespace graft::testing {

// The message of the graft::Error that `action` throws, or "(no error)".
inline std::string errorOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& error) {
        return error.what();
    }
    return "(no error)";
}

} // namespace graft::testing
