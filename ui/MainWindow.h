#pragma once

#include <QMainWindow>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

class QListWidget;
class QStackedWidget;
class QCloseEvent;
class QDragEnterEvent;
class QMenu;
class QDropEvent;
class QLabel;
class QPushButton;
class QUndoStack;

namespace graft {
class Database;
}

namespace graft::ui {

class ComparePage;
class TryPage;
class DataPage;
class JobController;
class ExportPage;
class ModelPage;
class PreferencesDialog;
struct Preferences;
struct ProjectSummary;
class TrainPage;
class WelcomePage;

// The workbench shell: the welcome page while no project is open, then a step bar over the pages,
// each step with its state in a few words. Data & Labels labels images (with undo),
// Model freezes blocks, Train runs training and experiments with live charts, Compare shows an
// experiment's verdicts, Export writes a run's model and proves its parity.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Loads the project; on failure returns false and sets `error` to a message naming the file.
    // A project another process writes (or a write-protected one) opens read-only, saying why.
    bool openProject(const QString& path, QString* error);
    // Why the open project cannot be changed; empty when it can.
    QString readOnlyReason() const { return readOnlyReason_; }
    QString projectPath() const { return projectPath_; }
    int pageCount() const;
    // The page's title as a file name: "data-labels", "model", ...
    QString pageName(int page) const;
    void showPage(int page);
    QWidget* currentPage() const;
    // Whether any page's background job (training, evaluation, heat maps, the thumbnails on
    // screen, ...) is still going.
    bool hasBackgroundWork() const;
    // Edit > Preferences, opened without blocking; accepting it saves and applies the settings.
    PreferencesDialog* showPreferences();
    // Device for new runs, the CPU thread cap, the thumbnail cache and the theme.
    void applyPreferences(const Preferences& preferences);
    // Imports into the open project in the background, with a progress dialog that can cancel;
    // what dropping files or folders on the window does. Refused (false) without a project or
    // while another import runs.
    bool importPaths(const QStringList& paths);
    // Help > Open demo project: creates the demo project (default: where graft-cli demo keeps it)
    // in the background with progress and Cancel when it does not exist yet, opens it, and shows
    // the start page. False while another import runs.
    bool openDemoProject(const QString& path = {}, const QString& digitsSheet = {});
    // Creates FOLDER.graft beside the folder (or opens it, when it exists), opens it and imports the
    // folder into it in the background: the welcome page's way in. False, with a notice, when the
    // project cannot be made.
    bool createProjectFromFolder(const QString& folder);
    // The welcome page while no project is open.
    bool showsWelcome() const;
    // The step bar's line for each page: its title and its state ("3 classes · 12 unlabelled").
    QString stepText(int page) const;
    // Train when an experiment has trials left to run, Compare when one has results, else Data.
    void showStartPage();
    // Most recent first, as kept in QSettings.
    static QStringList recentProjects();
    JobController* importJob() const { return importJob_; }
    // How a run or experiment that ends while the window is not active is told (summary, body);
    // false when it could not be. Default: a desktop notification, else the taskbar's alert.
    using Notifier = std::function<bool(const QString&, const QString&)>;
    void setNotifier(Notifier notifier) { notifier_ = std::move(notifier); }

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void chooseProject();
    void chooseImport();
    void createNewProject();
    void rememberProject(const QString& path);
    void fillRecentMenu();
    void addPage(const QString& title, QWidget* page);
    // A progress dialog with ETA and Cancel for importJob()'s job, gone when the job finishes.
    void showJobProgress(const QString& text);
    void showProjectCounts();
    // The project's class count and domains, for the layer diagram, the domain gap and the
    // Train page's domain choices.
    void showProjectOnModelAndTrainPages(const QString& path);
    // Reads the project again for the step bar; refreshStepTexts only redraws it (model, progress).
    void updateSteps();
    void refreshStepTexts();
    // Over the page shown: what it waits for and a button to the step that does it, or, on an
    // empty project's Data page, an invitation to import.
    void updateEmptyState();

    std::unique_ptr<Database> db_;
    QUndoStack* undoStack_;
    QStackedWidget* shell_; // the welcome page, then the workbench
    WelcomePage* welcome_;
    QListWidget* navigator_;
    QStackedWidget* pages_;
    DataPage* dataPage_;
    ModelPage* modelPage_;
    TrainPage* trainPage_;
    ComparePage* comparePage_;
    TryPage* tryPage_;
    ExportPage* exportPage_;
    JobController* importJob_;
    QMenu* recentMenu_ = nullptr;
    QString projectPath_;
    QString readOnlyReason_;
    QLabel* readOnlyNotice_;
    QPushButton* jobIndicator_;
    QLabel* emptyStateText_;
    QPushButton* emptyStateAction_;
    QWidget* emptyState_; // in the status bar while a run or experiment trains: progress, a click to go there
    Notifier notifier_;
    std::unique_ptr<ProjectSummary> summary_; // for the step bar; empty while no project is open
};

} // namespace graft::ui
