#pragma once

#include "Arguments.h"

namespace graft::cli {

// Each returns the process exit code; errors are thrown (graft::Error or UsageError).
int commandNew(Arguments& args);
int commandImport(Arguments& args);
int commandSplit(Arguments& args);
int commandLabel(Arguments& args);
int commandInfo(Arguments& args);
int commandTask(Arguments& args);
int commandTrain(Arguments& args);
int commandLrFind(Arguments& args);
int commandEval(Arguments& args);
int commandPretrain(Arguments& args);
int commandDemo(Arguments& args);
int commandZoo(Arguments& args);
int commandPredict(Arguments& args);
int commandExplain(Arguments& args);
int commandExperiment(Arguments& args);
int commandCompare(Arguments& args);
int commandRank(Arguments& args);
int commandSuggest(Arguments& args);
int commandGap(Arguments& args);
int commandExport(Arguments& args);
int commandBench(Arguments& args);

inline constexpr int kExitCancelled = 130;

} // namespace graft::cli
