#pragma once

#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace graft::cli {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// `--name value`, `--name=value` and value-less flags; everything else is positional.
// Every option must be consumed, so a typo is an error instead of being ignored.
class Arguments {
public:
    Arguments(const std::vector<std::string>& tokens, const std::set<std::string>& flags);

    const std::vector<std::string>& positionals() const { return positionals_; }
    bool flag(const std::string& name);
    std::optional<std::string> option(const std::string& name);
    // Every value of an option given more than once, in order.
    std::vector<std::string> repeated(const std::string& name);
    std::string text(const std::string& name, const std::string& fallback);
    int integer(const std::string& name, int fallback);
    double number(const std::string& name, double fallback);
    // Call after reading every option.
    void rejectUnused() const;

private:
    // The whole value must parse; otherwise a UsageError says what was expected.
    template <typename T, typename Parse>
    T parsed(const std::string& name, T fallback, const char* expected, Parse parse) {
        const auto value = option(name);
        if (!value) return fallback;
        try {
            std::size_t end = 0;
            const T result = parse(*value, &end);
            if (end == value->size()) return result;
        } catch (const std::exception&) {
        }
        throw UsageError(name + " expects " + expected + ", not '" + *value + "'");
    }

    std::vector<std::string> positionals_;
    std::vector<std::pair<std::string, std::string>> options_;
    std::set<std::string> flagsGiven_;
    std::set<std::string> used_;
};

} // namespace graft::cli
