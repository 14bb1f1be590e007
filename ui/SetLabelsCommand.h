#pragma once

#include <QUndoCommand>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace graft::ui {

// An image's label; nullopt: unlabelled.
struct ImageLabel {
    std::string sha256;
    std::optional<std::int64_t> classId;
};

// Labelling (or clearing the labels of) a set of images, undoable. `apply` writes a list of
// labels to the project and the views; it runs on redo with the new labels and on undo with the
// ones they replaced.
class SetLabelsCommand : public QUndoCommand {
public:
    using Apply = std::function<void(const std::vector<ImageLabel>&)>;

    SetLabelsCommand(std::vector<ImageLabel> before, std::vector<ImageLabel> after, Apply apply, const QString& text);
    void undo() override;
    void redo() override;

private:
    std::vector<ImageLabel> before_;
    std::vector<ImageLabel> after_;
    Apply apply_;
};

} // namespace graft::ui
