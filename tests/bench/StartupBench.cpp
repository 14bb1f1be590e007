// Start-up time as a user waits for it, from starting `graft` to a window ready for input:
//   welcome: no project given; the welcome page has read its recent projects (the large project
//            and a small one: thumbnails, counts, verdicts);
//   grid:    the large project given; its Data page shows the grid with the thumbnails on screen.
// Run: graft_bench_startup GRAFT_BINARY [IMAGES] [REPEATS]   (defaults: 70000 images, 5 repeats)
// Without a display, set QT_QPA_PLATFORM=offscreen. The projects are made once (about a minute
// for 70,000 28 x 28 images) and kept in /tmp/graft-startup-bench. The README's target: under 5 s.
// Each start runs with its own XDG_CONFIG_HOME, so the user's settings and recent list are untouched.
#include "data/SyntheticShapes.h"
#include "project/ProjectFile.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace graft;
namespace fs = std::filesystem;

namespace {

long long nowMicroseconds() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

fs::path shapesProject(const fs::path& dir, int images) {
    const fs::path path = dir / ("shapes-" + std::to_string(images) + ".graft");
    if (fs::exists(path)) return path;
    std::fprintf(stderr, "making %s ...\n", path.c_str());
    const fs::path partial = fs::path(path).concat(".partial");
    fs::remove(partial);
    {
        Database db = createProject(partial);
        importSyntheticShapes(db, (images + 2) / 3, 0);
    }
    fs::rename(partial, path);
    return path;
}

// Seconds from starting `command` to the time it prints when ready; negative when it failed.
double secondsToReady(const std::string& command) {
    const long long started = nowMicroseconds();
    FILE* output = popen(command.c_str(), "r");
    if (!output) return -1;
    long long ready = 0;
    const bool read = std::fscanf(output, "%lld", &ready) == 1;
    const int status = pclose(output);
    if (!read || status != 0) return -1;
    return double(ready - started) / 1e6;
}

void report(const char* what, std::vector<double> seconds) {
    const double first = seconds.front();
    std::sort(seconds.begin(), seconds.end());
    std::printf("%-8s first %.2f s, median %.2f s, slowest %.2f s (%zu starts)\n", what, first, seconds[seconds.size() / 2],
                seconds.back(), seconds.size());
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s GRAFT_BINARY [IMAGES] [REPEATS]\n", argv[0]);
        return 2;
    }
    const std::string graft = argv[1];
    const int images = argc > 2 ? std::atoi(argv[2]) : 70000;
    const int repeats = argc > 3 ? std::atoi(argv[3]) : 5;
    const fs::path dir = "/tmp/graft-startup-bench";
    fs::create_directories(dir / "config" / "Graft");
    const fs::path large = shapesProject(dir, images);
    const fs::path small = shapesProject(dir, 60);
    std::ofstream(dir / "config" / "Graft" / "Graft.conf") << "[General]\nrecentProjects=" << large.string() << ", "
                                                            << small.string() << "\n";

    const std::string prefix = "XDG_CONFIG_HOME='" + (dir / "config").string() + "' '" + graft + "' --report-ready";
    std::vector<double> welcome, grid;
    for (int repeat = 0; repeat < repeats; ++repeat) {
        welcome.push_back(secondsToReady(prefix));
        grid.push_back(secondsToReady(prefix + " '" + large.string() + "'"));
        if (welcome.back() < 0 || grid.back() < 0) {
            std::fprintf(stderr, "%s --report-ready failed\n", graft.c_str());
            return 1;
        }
    }
    std::printf("graft start-up to a window ready for input, %d-image project:\n", images);
    report("welcome", welcome);
    report("grid", grid);
    return 0;
}
