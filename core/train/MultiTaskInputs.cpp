#include "train/MultiTaskInputs.h"

#include "common/Error.h"
#include "common/Sha256.h"
#include "data/Splits.h"
#include "project/TaskStore.h"
#include "train/MultiTaskLoss.h"
#include "train/ProjectTensors.h"

#include <set>

namespace graft {
namespace {

struct TaskLabels {
    ProjectStore store;
    TaskHead head;
    std::map<std::int64_t, std::int64_t> classIndex; // project class id -> output of the task's head
};

// The images of `split` labelled in any task, by SHA-256, with their label in each task. A label
// budget (config.labelsPerClass) keeps each task's training labels that a run of that task alone
// keeps (sampleEachClass, by the seed), so multi-task and single-task arms of a trial are paired.
std::map<std::string, std::vector<std::int64_t>> labelRows(std::vector<TaskLabels>& tasks, Split split, const TrainConfig& config) {
    std::map<std::string, std::vector<std::int64_t>> rows;
    for (std::size_t task = 0; task < tasks.size(); ++task) {
        auto images = tasks[task].store.labeledImagesInSplit(split);
        if (split == Split::Train && config.labelsPerClass > 0) images = sampleEachClass(images, config.labelsPerClass, config.seed);
        for (const auto& image : images) {
            const auto index = tasks[task].classIndex.find(image.classId);
            if (index == tasks[task].classIndex.end()) continue; // a class no training image has: the head lacks it
            rows.try_emplace(image.sha256, tasks.size(), kNoLabel).first->second[task] = index->second;
        }
    }
    return rows;
}

// Each image stands for its row of the label table: loadPixels and streamedFromProject keep a
// row's number as its label, which the table's row then replaces.
struct RowImages {
    std::vector<LabeledImage> images;
    std::map<std::int64_t, std::int64_t> rowIndex; // the identity, over the rows
    torch::Tensor table;                            // rows x tasks
};

RowImages asRows(const std::map<std::string, std::vector<std::int64_t>>& rows, std::size_t tasks) {
    RowImages result;
    std::vector<std::int64_t> table;
    for (const auto& [sha256, labels] : rows) {
        const auto row = std::int64_t(result.images.size());
        result.images.push_back({sha256, row});
        result.rowIndex.emplace(row, row);
        table.insert(table.end(), labels.begin(), labels.end());
    }
    result.table = torch::tensor(table, torch::kLong).reshape({std::int64_t(rows.size()), std::int64_t(tasks)});
    return result;
}

} // namespace

TrainingInputs prepareMultiTaskInputs(const std::filesystem::path& project, Database& db, const TrainConfig& config,
                                      TrainObserver& observer) {
    TaskStore taskStore(db);
    std::vector<TaskLabels> tasks;
    for (const auto& name : nameList(config.tasks)) {
        ProjectStore store(db, taskStore.require(name));
        std::set<std::int64_t> trained;
        for (const auto& image : store.labeledImagesInSplit(Split::Train)) trained.insert(image.classId);
        TaskHead head{name, {}};
        for (const auto& summary : store.classSummaries())
            if (trained.contains(summary.id)) head.classes.push_back(summary.name);
        if (head.classes.size() < 2)
            throw Error(project.string() + ": task '" + name +
                        "' needs labelled training images of at least two classes for its head");
        auto classIndex = classIndexByName(store, head.classes);
        tasks.push_back({store, std::move(head), std::move(classIndex)});
    }

    TrainingInputs inputs;
    for (const auto& task : tasks) {
        inputs.tasks.push_back(task.head);
        inputs.classes.insert(inputs.classes.end(), task.head.classes.begin(), task.head.classes.end());
    }
    const auto trainRows = labelRows(tasks, Split::Train, config);
    std::string fingerprint;
    for (const auto& [sha256, labels] : trainRows) {
        fingerprint.append(sha256);
        for (std::size_t task = 0; task < tasks.size(); ++task)
            fingerprint.append(" ").append(labels[task] == kNoLabel ? "-" : tasks[task].head.classes[std::size_t(labels[task])]);
        fingerprint.append("\n");
    }
    inputs.trainFingerprint = sha256Hex({reinterpret_cast<const std::uint8_t*>(fingerprint.data()), fingerprint.size()});
    observer.onLog("Training " + std::to_string(tasks.size()) + " tasks on " + std::to_string(trainRows.size()) +
                   " images labelled in at least one of them");

    const auto train = asRows(trainRows, tasks.size()), val = asRows(labelRows(tasks, Split::Val, config), tasks.size());
    std::map<std::int64_t, std::int64_t> rowIndex = train.rowIndex;
    rowIndex.insert(val.rowIndex.begin(), val.rowIndex.end());
    readImages(project, tasks.front().store, config, train.images, val.images, rowIndex, observer, inputs);
    inputs.trainSet.labels = train.table.index_select(0, inputs.trainSet.labels);
    inputs.valSet.labels = val.table.index_select(0, inputs.valSet.labels);

    auto initial = createInitialModel(config, int(inputs.classes.size()));
    inputs.model = std::move(initial.model);
    inputs.initNotes = std::move(initial.notes);
    return inputs;
}

} // namespace graft
