#pragma once

#include <QString>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace graft::ui {

class JobController;

// Export: a finished run as TorchScript, ONNX or a bundle folder. Every export is replayed on the
// held-out images through the written file and kept only when it reproduces Graft; the page says
// how close it came, or why the file was not kept.
class ExportPage : public QWidget {
    Q_OBJECT

public:
    explicit ExportPage(QWidget* parent = nullptr);

    void setProject(const QString& path);
    void reloadRuns();
    void exportSelected();
    JobController* job() const { return job_; }

private:
    void updateOptions();

    QString projectPath_;
    JobController* job_;
    QComboBox* run_;
    QComboBox* format_;
    QCheckBox* softmax_;
    QCheckBox* preprocess_;
    QLineEdit* target_;
    QPushButton* exportButton_;
    QPushButton* cancelButton_;
    QProgressBar* progress_;
    QLabel* result_;
};

} // namespace graft::ui
