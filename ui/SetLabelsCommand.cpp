#include "SetLabelsCommand.h"

namespace graft::ui {

SetLabelsCommand::SetLabelsCommand(std::vector<ImageLabel> before, std::vector<ImageLabel> after, Apply apply,
                                   const QString& text)
    : QUndoCommand(text), before_(std::move(before)), after_(std::move(after)), apply_(std::move(apply)) {}

void SetLabelsCommand::undo() { apply_(before_); }

void SetLabelsCommand::redo() { apply_(after_); }

} // namespace graft::ui
