#include "FunctionCommand.h"

namespace graft::ui {

FunctionCommand::FunctionCommand(const QString& text, std::function<void()> redo, std::function<void()> undo)
    : QUndoCommand(text), redo_(std::move(redo)), undo_(std::move(undo)) {}

void FunctionCommand::redo() { redo_(); }

void FunctionCommand::undo() { undo_(); }

} // namespace graft::ui
