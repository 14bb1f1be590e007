#pragma once

#include "project/ProjectStore.h"

#include <QHash>
#include <QImage>
#include <QString>
#include <QThread>
#include <QSet>
#include <QWidget>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QSpinBox;
class QLabel;
class QTabWidget;
class QListView;
class QTableWidget;
class QUndoStack;

namespace graft::ui {

class DataMapView;
class ImageFilterModel;
class SuggestionPanel;
class ImageGridModel;
class JobController;
struct ImageExplanation;
struct ImageLabel;
struct SuggestedImage;

// Data & Labels: the project's images as a thumbnail grid with filters, or as a map by a model's
// features (a click on a point selects its image), the classes with their counts per split (the
// row header is the key that assigns the class), the split editor, and a large preview; with a
// finished run chosen, the preview gives that run's top 3 for the image and its Grad-CAM heat map
// (toggled with H). Keys 1-9 label the selected images with that class, 0
// clears their labels, A accepts the chosen run's predictions for them; all go on the undo stack.
// Suggest next lists the unlabelled images a strategy picks, in its order, under Show. Images
// carry a domain (lab or field, scanner A or B), set for the selection with Ctrl+D and shown
// one domain at a time under Show. A project may label its images in several tasks (disease,
// severity): the task switcher (Ctrl+T for the next) picks the one whose classes, labels and
// counts the page shows and edits; undo returns to the task of the change it undoes.
class DataPage : public QWidget {
    Q_OBJECT

public:
    DataPage(QUndoStack* undoStack, QWidget* parent = nullptr);
    ~DataPage() override;

    // Shows the project open in `db` (kept, not owned; nullptr: none), whose file is `path`.
    void setProject(Database* db, const QString& path);
    // Why the open project cannot be changed (another process writes it); empty: it can. Edits
    // are then refused with this reason, before anything reaches the undo stack.
    void setReadOnlyReason(const QString& reason);
    // Reads the images and classes again (after an import), keeping the undo history.
    void reload();
    ImageGridModel* gridModel() const { return model_; }
    // The task the page shows and labels; showTask switches to another (the first if unknown).
    std::int64_t currentTask() const { return task_; }
    void showTask(std::int64_t task);
    // Adds a task named `name` and shows it, as one undoable step; a taken or empty name changes
    // nothing and says why.
    void addTask(const QString& name);
    // Whether the grid is shown with an image on screen whose thumbnail is still being decoded.
    bool isLoadingThumbnails() const;
    // Labels the selected images with the class in row `classRow` of the class table, or clears
    // their labels (nullopt). Does nothing without a selection.
    void labelSelection(std::optional<int> classRow);
    // Class edits of the class table's rows, each one undoable step. A failed write (a name
    // that is taken, a read-only file) changes nothing and says why.
    void renameClass(int row, const QString& name);
    // Adds a class to the current task (a new task has none until one is added or imported).
    void addClass(const QString& name);
    void mergeClass(int row, int intoRow);
    void deleteClass(int row);
    // Puts the selected images in `domain` (empty: no domain) as one undoable step; a bad name
    // (a comma, too long) changes nothing and says why. Does nothing without a selection.
    void setDomainOfSelection(const QString& domain);
    // Asks for the domain of the selected images (existing ones offered, a new one typed).
    void chooseDomainOfSelection();
    // Re-splits every labelled image per class with these fractions and seed, as one undoable
    // step; undo puts back each image's previous split exactly.
    // `stratifyTask`: the task whose classes the splits are stratified on; none: as before.
    void resplit(double validation, double test, std::uint64_t seed, std::optional<std::int64_t> stratifyTask = std::nullopt);
    // Lists the finished runs again for the preview (after training), keeping the chosen one.
    void reloadRuns();
    // The run whose view of the selected image the preview shows (0: none), and whether as a heat map.
    void setExplainingRun(qint64 runId);
    void setHeatMapShown(bool shown);
    JobController* explanationJob() const { return explaining_; }
    DataMapView* dataMap() const { return map_; }
    SuggestionPanel* suggestionPanel() const { return suggestions_; }
    // Labels each selected unlabelled image with the run's suggested prediction when it is at
    // least `threshold` sure: one transaction, one undo step.
    void acceptPredictions(double threshold);
    // Makes the image the grid's current and only selected one (showing every image if the filter
    // hid it), so the preview shows it; false when the project has no such image.
    bool selectImage(const QString& sha256);
    // The SHA-256 of the image the preview shows; empty when none.
    QString previewedImage() const { return previewImage_; }
    const QLabel* preview() const { return preview_; }
    QString previewDetails() const;

Q_SIGNALS:
    // Labels changed: the project's counts did, nothing else.
    void labelsChanged();
    // Classes, splits or domains were edited (renamed, merged, deleted, re-split, assigned).
    void projectEdited();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    // Arriving on the page by keyboard (Ctrl+1) lands on the grid, where the label keys work. Not
    // a focus proxy: in Qt 6 a proxy among the page's own children makes Tab skip its other controls.
    void focusInEvent(QFocusEvent* event) override;

private:
    // Writes the labels to the project and the views; false (and a message) when refused.
    bool applyLabels(const std::vector<ImageLabel>& labels);
    // Applies `after` and puts it on the undo stack as one step named `what`, unless refused.
    void labelImages(std::vector<ImageLabel> before, std::vector<ImageLabel> after, const QString& what);
    void showSuggestions(const std::vector<SuggestedImage>& images);
    // Runs `edit` on the project in one transaction, with the current task's store, then reloads;
    // false (and a message) on failure.
    bool writeProject(const std::function<void(ProjectStore&)>& edit);
    // The same in `task`, shown first: what undo and redo of a task's edits run.
    bool writeTask(std::int64_t task, const std::function<void(ProjectStore&)>& edit);
    ProjectStore store() const { return ProjectStore(*db_, task_); }
    void refreshTasks();
    void classMenu(const QPoint& position);
    void showError(const QString& title, const QString& text);
    // True, after saying why, when the project is read-only.
    bool refuseWhileReadOnly();
    // The filter's entry for images without a label, with the size of the unlabelled pool that
    // semi-supervised training learns from.
    QString unlabelledPoolChoice() const;
    // Reads every class's counts from the project; showClasses puts classes_ in the table.
    void refreshClasses();
    void showClasses();
    // Counts one label in or out of classes_ (an image without a split counts in no split column).
    void countLabel(std::optional<std::int64_t> classId, std::optional<Split> split, int change);
    void refreshFilterChoices();
    void refreshSplitEditor();
    void applyFilterChoice(int index);
    void showPreview();
    void showExplanation(const QString& sha256, const std::vector<ImageExplanation>& explanations);
    // The preview's image: the run's heat map when asked for and computed, else the plain image.
    void paintPreview();

    QUndoStack* undoStack_;
    Database* db_ = nullptr;
    ImageGridModel* model_;
    ImageFilterModel* filter_;
    QListView* grid_;
    DataMapView* map_;
    QTabWidget* views_; // the grid or the map
    QComboBox* taskChoice_;
    std::int64_t task_ = kFirstTask;
    QTableWidget* classTable_;
    QComboBox* filterChoice_;
    SuggestionPanel* suggestions_;
    QHash<QString, int> suggestedOrder_; // SHA-256 -> place, of the last suggestions
    QLabel* preview_;
    QLabel* details_;
    QComboBox* explainRun_;
    QCheckBox* heatMap_;
    JobController* explaining_;
    QString projectPath_;
    QString previewImage_;  // SHA-256 of the image in the preview
    QImage previewPlain_;
    QImage previewHeatMap_; // of previewImage_ by the chosen run; null until computed
    QString previewTop_;    // the chosen run's top 3 for it
    QString pendingExplanation_;
    QSpinBox* validationPercent_;
    QSpinBox* testPercent_;
    QSpinBox* splitSeed_;
    QComboBox* splitTask_;
    QString readOnlyReason_;
    QSet<QString> misclassified_; // held-out images the newest evaluated run got wrong
    QHash<QString, QString> domains_; // SHA-256 -> domain, of the images that have one
    qint64 misclassifiedRun_ = 0;
    std::vector<ClassSummary> classes_; // of the class table's rows
    QThread thumbnailThread_;
};

} // namespace graft::ui
