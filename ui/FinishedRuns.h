#pragma once

#include "project/RunStore.h"

#include <QCoreApplication>
#include <QString>

#include <utility>
#include <vector>

namespace graft::ui {

// The project's finished runs, newest first, named as run choosers show them:
// "run 12: fine-tune, tinynet, seed 3".
inline std::vector<std::pair<qint64, QString>> finishedRuns(Database& db) {
    std::vector<std::pair<qint64, QString>> named;
    const auto records = RunStore(db).runs();
    for (auto run = records.rbegin(); run != records.rend(); ++run) {
        if (run->status != RunStatus::Finished) continue;
        const QString arm = run->arm.empty() ? QString() : QString::fromStdString(run->arm) + ", ";
        named.emplace_back(run->id, QCoreApplication::translate("FinishedRuns", "run %1: %2%3, seed %4")
                                        .arg(run->id)
                                        .arg(arm, QString::fromStdString(run->arch))
                                        .arg(run->seed));
    }
    return named;
}

} // namespace graft::ui
