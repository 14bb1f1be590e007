#pragma once

#include "Preferences.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QSpinBox;

namespace graft::ui {

// Edit > Preferences: device, CPU threads, thumbnail cache and theme. The caller saves and
// applies what preferences() returns once the dialog is accepted.
class PreferencesDialog : public QDialog {
    Q_OBJECT

public:
    explicit PreferencesDialog(const Preferences& current, QWidget* parent = nullptr);
    Preferences preferences() const;
    // Refuses a device text that names no device, saying which forms there are.
    void accept() override;

private:
    QComboBox* device_;
    QSpinBox* threads_;
    QSpinBox* cacheMegabytes_;
    QSpinBox* inputMemoryMegabytes_;
    QComboBox* theme_;
    QLabel* error_;
};

} // namespace graft::ui
