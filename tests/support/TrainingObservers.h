#pragma once

#include "project/ProjectFile.h"
#include "train/TrainObserver.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace graft::testing {

// Keeps the run's log lines.
class LogLines : public TrainObserver {
public:
    void onLog(std::string_view message) override { lines.emplace_back(message); }
    bool has(std::string_view part) const {
        return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) { return line.find(part) != std::string::npos; });
    }
    std::vector<std::string> lines;
};

// Stops the run once it has taken `steps` steps; `seen` counts the steps it was told of.
class StopAfterSteps : public TrainObserver {
public:
    explicit StopAfterSteps(std::int64_t steps) : steps_(steps) {}
    void onStep(const StepEvent& event) override {
        ++seen;
        if (event.step >= steps_) source.request_stop();
    }
    std::stop_source source;
    std::int64_t seen = 0;

private:
    std::int64_t steps_;
};

// Every metric the run recorded (name, step, value), but the timings, which differ run to run.
inline std::vector<std::tuple<std::string, std::int64_t, double>> recordedMetrics(const std::filesystem::path& project,
                                                                                 std::int64_t run) {
    Database db = openProject(project, ProjectAccess::ReadOnly);
    std::vector<std::tuple<std::string, std::int64_t, double>> rows;
    auto query = db.prepare("SELECT name, step, value FROM metrics WHERE run_id = ? AND name NOT LIKE '%\\_seconds' "
                            "ESCAPE '\\' ORDER BY name, step");
    query.bind(1, run);
    while (query.step()) rows.emplace_back(query.columnText(0), query.columnInt(1), query.columnDouble(2));
    return rows;
}

} // namespace graft::testing
