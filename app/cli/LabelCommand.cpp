#include "Commands.h"
#include "InterruptSignal.h"

#include "data/ProjectSplits.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <map>

namespace graft::cli {
namespace {

struct LabelLine {
    std::string image; // a SHA-256, or the source name the image was imported from
    std::string className; // empty: clear the label
    int line = 0;
};

std::vector<LabelLine> readLabelLines(const std::filesystem::path& csv) {
    std::ifstream file(csv);
    if (!file) throw Error(csv.string() + ": cannot be read");
    std::vector<LabelLine> lines;
    std::string text;
    for (int number = 1; std::getline(file, text); ++number) {
        if (!text.empty() && text.back() == '\r') text.pop_back();
        if (text.empty()) continue;
        const auto comma = text.rfind(',');
        if (comma == std::string::npos)
            throw Error(csv.string() + ":" + std::to_string(number) + ": expected IMAGE,CLASS, got '" + text + "'");
        lines.push_back({text.substr(0, comma), text.substr(comma + 1), number});
    }
    return lines;
}

} // namespace

int commandLabel(Arguments& args) {
    if (args.positionals().size() != 2)
        throw UsageError("expected: label FILE.graft LABELS.csv [--batch 100] [--task NAME]");
    const std::filesystem::path project = args.positionals()[0], csv = args.positionals()[1];
    const int batch = args.integer("--batch", 100);
    const bool json = args.flag("--json");
    const auto taskName = args.option("--task");
    args.rejectUnused();
    if (batch < 1) throw UsageError("--batch must be at least 1");

    Database db = openProject(project);
    ProjectStore store(db);
    const auto lines = readLabelLines(csv);
    // Every line is resolved before the first write, so a typo changes nothing.
    std::map<std::string, std::string> shaBySource; // an empty SHA: the name is ambiguous
    for (const auto& image : store.catalog()) {
        shaBySource[image.sha256] = image.sha256;
        if (const auto [named, added] = shaBySource.emplace(image.source, image.sha256); !added && named->second != image.sha256)
            named->second.clear();
    }
    std::vector<std::string> images;
    for (const auto& line : lines) {
        const auto found = shaBySource.find(line.image);
        if (found == shaBySource.end())
            throw Error(csv.string() + ":" + std::to_string(line.line) + ": no image '" + line.image + "' in " +
                        project.string());
        if (found->second.empty())
            throw Error(csv.string() + ":" + std::to_string(line.line) + ": '" + line.image +
                        "' names several images; give its SHA-256 instead");
        images.push_back(found->second);
    }

    InterruptSignal interrupt;
    std::size_t done = 0;
    while (done < lines.size() && !interrupt.token().stop_requested()) {
        const std::size_t end = std::min(lines.size(), done + std::size_t(batch));
        Transaction transaction(db);
        // A new task is made with the first batch's labels, so a run killed before it leaves none.
        ProjectStore labelling(db, taskName ? TaskStore(db).ensure(*taskName) : kFirstTask);
        for (std::size_t i = done; i < end; ++i) {
            if (lines[i].className.empty()) labelling.clearLabel(images[i]);
            else labelling.setLabel(images[i], labelling.ensureClass(lines[i].className));
        }
        splitImagesWithoutSplit(labelling);
        transaction.commit();
        done = end;
        // Printed only once committed: a line on stdout is a promise that the labels are on disk.
        if (json) std::cout << nlohmann::json{{"labelled", done}, {"total", lines.size()}} << std::endl;
        else std::cout << "Labelled " << done << " of " << lines.size() << std::endl;
    }
    return done < lines.size() ? kExitCancelled : 0;
}

} // namespace graft::cli
