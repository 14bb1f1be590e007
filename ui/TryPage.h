#pragma once

#include "TriedImageView.h"

#include <QWidget>

#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;

namespace graft {
class ImageTryout;
}

namespace graft::ui {

class JobController;

// Try: drop, paste (Ctrl+V) or add images or folders, and see at once what a finished run of the
// project, or an exported bundle, makes of each: its top 3 with probabilities, its Grad-CAM heat
// map, and a warning when the model is less sure than it is of 95 % of its held-out images (the
// image may be unlike anything it was trained on).
class TryPage : public QWidget {
    Q_OBJECT

public:
    explicit TryPage(QWidget* parent = nullptr);

    // Lists the project's finished runs as models to try.
    void setProject(const QString& path);
    // Adds a bundle folder as a model to try, and chooses it.
    void addBundle(const QString& folder);
    // Tries files, folders or pasted images on the chosen model, in the background.
    void tryInputs(const std::vector<TryInput>& inputs);
    void pasteFromClipboard();

    JobController* tryoutJob() const { return job_; }
    const QListWidget* results() const { return results_; }
    QString note() const;

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    TryoutSource chosenSource() const;
    void addResult(const TriedImageView& image);
    void redrawIcons();

    QString projectPath_;
    QComboBox* model_;
    QCheckBox* heatMaps_;
    QLabel* note_;
    QListWidget* results_;
    QPushButton* cancel_;
    JobController* job_;
    std::vector<TriedImageView> shown_; // in the order of results_
    TryoutSource loadedSource_;
    // Loaded on the worker by the first tryout of a source; replaced (never touched) while a job runs.
    std::shared_ptr<std::shared_ptr<const ImageTryout>> loaded_;
    std::vector<TryInput> waiting_; // inputs given while a job was running
};

} // namespace graft::ui
