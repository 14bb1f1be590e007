#include "Arguments.h"

namespace graft::cli {

Arguments::Arguments(const std::vector<std::string>& tokens, const std::set<std::string>& flags) {
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const std::string& token = tokens[i];
        if (!token.starts_with("--")) {
            positionals_.push_back(token);
            continue;
        }
        const auto equals = token.find('=');
        const std::string name = token.substr(0, equals);
        if (flags.contains(name)) {
            if (equals != std::string::npos) throw UsageError(name + " takes no value");
            flagsGiven_.insert(name);
        } else if (equals != std::string::npos) {
            options_.emplace_back(name, token.substr(equals + 1));
        } else if (i + 1 < tokens.size()) {
            options_.emplace_back(name, tokens[++i]);
        } else {
            throw UsageError(name + " needs a value");
        }
    }
}

bool Arguments::flag(const std::string& name) {
    used_.insert(name);
    return flagsGiven_.contains(name);
}

std::optional<std::string> Arguments::option(const std::string& name) {
    used_.insert(name);
    std::optional<std::string> value;
    for (const auto& [key, given] : options_)
        if (key == name) value = given;
    return value;
}

std::vector<std::string> Arguments::repeated(const std::string& name) {
    used_.insert(name);
    std::vector<std::string> values;
    for (const auto& [key, given] : options_)
        if (key == name) values.push_back(given);
    return values;
}

std::string Arguments::text(const std::string& name, const std::string& fallback) {
    return option(name).value_or(fallback);
}

int Arguments::integer(const std::string& name, int fallback) {
    return parsed(name, fallback, "a whole number", [](const std::string& text, std::size_t* end) {
        return std::stoi(text, end);
    });
}

double Arguments::number(const std::string& name, double fallback) {
    return parsed(name, fallback, "a number", [](const std::string& text, std::size_t* end) {
        return std::stod(text, end);
    });
}

void Arguments::rejectUnused() const {
    for (const auto& [name, value] : options_)
        if (!used_.contains(name)) throw UsageError("unknown option " + name);
    for (const auto& name : flagsGiven_)
        if (!used_.contains(name)) throw UsageError("unknown option " + name);
}

} // namespace graft::cli
