#include "Commands.h"

#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"

#include <iostream>

namespace graft::cli {

// Until the digits demo lands, the demo project holds generated shapes: enough to open the GUI
// on something real and to train in seconds.
int commandDemo(Arguments& args) {
    const std::string path = args.text("--out", "graft-demo.graft");
    args.rejectUnused();
    if (!std::filesystem::exists(path)) {
        Database db = createProject(path);
        const auto report = importSyntheticShapes(db, 100, 0);
        std::cout << "Created demo project " << path << " with " << report.added << " generated images of 3 shapes\n";
    } else {
        std::cout << "Demo project " << path << " already exists\n";
    }
    std::cout << "Train on it with:  graft-cli train " << path << " --epochs 3\n";
    return 0;
}

} // namespace graft::cli
