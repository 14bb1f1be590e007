#pragma once

#include <string>

namespace graft::cli {

// A CSV field as RFC 4180 writes it: quoted, with quotes doubled, when it holds a comma, quote or newline.
inline std::string csvField(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string quoted = "\"";
    for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

} // namespace graft::cli
