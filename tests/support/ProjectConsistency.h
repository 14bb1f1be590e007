#pragma once

#include "project/Database.h"

#include <string>
#include <vector>

namespace graft::testing {

// What is wrong with a project file after a crash or a failed write; empty when nothing is.
// SQLite's own integrity and foreign-key checks, then Graft's invariants: every labelled image
// has a split, and every checkpoint has bytes and a run that exists.
inline std::vector<std::string> consistencyProblems(Database& db) {
    std::vector<std::string> problems;
    auto integrity = db.prepare("PRAGMA integrity_check");
    while (integrity.step())
        if (const auto line = integrity.columnText(0); line != "ok") problems.push_back("integrity: " + line);
    auto foreignKeys = db.prepare("PRAGMA foreign_key_check");
    while (foreignKeys.step())
        problems.push_back("foreign key: row " + std::to_string(foreignKeys.columnInt(1)) + " of " +
                           foreignKeys.columnText(0) + " points at a missing " + foreignKeys.columnText(2));
    if (const auto unsplit = db.queryInt("SELECT COUNT(*) FROM labels l LEFT JOIN splits s ON s.image = l.image "
                                         "WHERE s.image IS NULL"))
        problems.push_back(std::to_string(unsplit) + " labelled image(s) without a split");
    if (const auto empty = db.queryInt("SELECT COUNT(*) FROM checkpoints WHERE length(data) = 0"))
        problems.push_back(std::to_string(empty) + " empty checkpoint(s)");
    if (const auto orphans = db.queryInt("SELECT COUNT(*) FROM checkpoints c LEFT JOIN runs r ON r.id = c.run_id "
                                         "WHERE r.id IS NULL"))
        problems.push_back(std::to_string(orphans) + " checkpoint(s) of no run");
    return problems;
}

} // namespace graft::testing
