#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>

namespace graft::testing {

// What a reference script prints as JSON when Debian's python3 (GRAFT_REFERENCE_PYTHON) runs it
// with `arguments`; a script that fails prints nothing, and the parse error says so.
inline nlohmann::json pythonReferenceJson(const std::string& script, const std::string& arguments) {
    const std::string command = std::string(GRAFT_REFERENCE_PYTHON) + " " + script + " " + arguments;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    std::string output;
    char buffer[4096];
    while (pipe && std::fgets(buffer, sizeof buffer, pipe.get())) output += buffer;
    return nlohmann::json::parse(output);
}

} // namespace graft::testing
