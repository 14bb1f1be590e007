#pragma once

#include <QUndoCommand>

#include <functional>

namespace graft::ui {

// An undoable edit given as two functions: what redo does and what undo does. For edits whose
// before and after are simplest to say in code (renaming, merging, deleting classes).
class FunctionCommand : public QUndoCommand {
public:
    FunctionCommand(const QString& text, std::function<void()> redo, std::function<void()> undo);
    void redo() override;
    void undo() override;

private:
    std::function<void()> redo_;
    std::function<void()> undo_;
};

} // namespace graft::ui
