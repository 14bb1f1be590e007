#include "project/ExperimentStore.h"

#include "common/Error.h"

namespace graft {

std::int64_t ExperimentStore::create(const std::string& name, const std::string& specJson) {
    db_.prepare("INSERT INTO experiments(name, spec) VALUES(?, ?)").bind(1, name).bind(2, specJson).run();
    return db_.lastInsertId();
}

StoredExperiment ExperimentStore::experiment(std::int64_t id) {
    auto query = db_.prepare("SELECT id, name, spec FROM experiments WHERE id = ?");
    query.bind(1, id);
    if (!query.step()) throw Error(db_.path() + ": no experiment with id " + std::to_string(id));
    return {query.columnInt(0), query.columnText(1), query.columnText(2)};
}

std::vector<StoredExperiment> ExperimentStore::experiments() {
    auto query = db_.prepare("SELECT id, name, spec FROM experiments ORDER BY id");
    std::vector<StoredExperiment> all;
    while (query.step()) all.push_back({query.columnInt(0), query.columnText(1), query.columnText(2)});
    return all;
}

} // namespace graft
