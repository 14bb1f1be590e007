#pragma once

#include "project/Database.h"

#include <cstdint>
#include <string>
#include <vector>

namespace graft {

struct StoredExperiment {
    std::int64_t id = 0;
    std::string name;
    std::string specJson;
};

// Experiments of a project. A view over a Database it does not own.
class ExperimentStore {
public:
    explicit ExperimentStore(Database& db) : db_(db) {}

    std::int64_t create(const std::string& name, const std::string& specJson);
    // Throws graft::Error naming the project and the id when there is no such experiment.
    StoredExperiment experiment(std::int64_t id);
    // Every experiment, oldest first.
    std::vector<StoredExperiment> experiments();

private:
    Database& db_;
};

} // namespace graft
