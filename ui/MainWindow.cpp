#include "MainWindow.h"

#include "ComparePage.h"
#include "DataPage.h"
#include "DesktopNotification.h"
#include "EtaText.h"
#include "ExportPage.h"
#include "ImageGridModel.h"
#include "JobController.h"
#include "Notice.h"
#include "ModelPage.h"
#include "Preferences.h"
#include "PreferencesDialog.h"
#include "ProjectSummary.h"
#include "StepStates.h"
#include "Theme.h"
#include "TrainPage.h"
#include "TryPage.h"
#include "WelcomePage.h"

#include "experiment/DemoProject.h"
#include "experiment/ExperimentRunner.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/DomainStore.h"
#include "project/ProjectStore.h"
#include "project/TaskStore.h"
#include "train/CpuThreadLimit.h"

#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QCloseEvent>
#include <QMimeData>
#include <QSettings>
#include <QProgressDialog>
#include <QPushButton>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

namespace graft::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), undoStack_(new QUndoStack(this)), shell_(new QStackedWidget), welcome_(new WelcomePage),
      navigator_(new QListWidget), pages_(new QStackedWidget),
      dataPage_(new DataPage(undoStack_)), modelPage_(new ModelPage), trainPage_(new TrainPage(modelPage_)),
      comparePage_(new ComparePage), tryPage_(new TryPage), exportPage_(new ExportPage), importJob_(new JobController(this)),
      readOnlyNotice_(new QLabel), jobIndicator_(new QPushButton), emptyStateText_(new QLabel),
      emptyStateAction_(new QPushButton), emptyState_(new QWidget) {
    setAcceptDrops(true);
    setWindowTitle(tr("Graft"));
    navigator_->setObjectName("pageNavigator");
    navigator_->setAccessibleName(tr("Steps"));
    navigator_->setFixedWidth(170);
    navigator_->setSpacing(3);
    navigator_->setWordWrap(true); // a verdict takes two lines
    navigator_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    addPage(tr("Data & Labels"), dataPage_);
    addPage(tr("Model"), modelPage_);
    addPage(tr("Train"), trainPage_);
    addPage(tr("Compare"), comparePage_);
    addPage(tr("Try"), tryPage_);
    addPage(tr("Export"), exportPage_);
    connect(navigator_, &QListWidget::currentRowChanged, pages_, &QStackedWidget::setCurrentIndex);
    connect(navigator_, &QListWidget::currentRowChanged, this, &MainWindow::updateEmptyState);
    connect(emptyStateAction_, &QPushButton::clicked, this, [this] {
        const QVariant target = emptyStateAction_->property("step");
        if (target.isValid()) showPage(target.toInt());
        else chooseImport();
    });
    navigator_->setCurrentRow(0);

    readOnlyNotice_->setObjectName("readOnlyNotice");
    readOnlyNotice_->setWordWrap(true);
    // Fixed colours, legible in the light and the dark theme alike.
    readOnlyNotice_->setStyleSheet("QLabel { background: #fff3cd; color: #664d03; padding: 6px; }");
    readOnlyNotice_->hide();
    emptyStateText_->setObjectName("emptyStateText");
    emptyStateText_->setWordWrap(true);
    emptyStateAction_->setObjectName("emptyStateAction");
    auto* emptyLayout = new QHBoxLayout(emptyState_);
    emptyLayout->setContentsMargins(8, 6, 8, 6);
    emptyLayout->addWidget(emptyStateText_, 1);
    emptyLayout->addWidget(emptyStateAction_);
    emptyState_->setObjectName("emptyState");
    emptyState_->setAutoFillBackground(true);
    emptyState_->setBackgroundRole(QPalette::AlternateBase);
    emptyState_->hide();
    auto* workbench = new QWidget;
    auto* layout = new QVBoxLayout(workbench);
    layout->addWidget(readOnlyNotice_);
    auto* steps = new QHBoxLayout;
    steps->addWidget(navigator_);
    auto* pageColumn = new QVBoxLayout;
    pageColumn->addWidget(emptyState_);
    pageColumn->addWidget(pages_, 1);
    steps->addLayout(pageColumn, 1);
    layout->addLayout(steps, 1);
    shell_->addWidget(welcome_);
    shell_->addWidget(workbench);
    setCentralWidget(shell_);
    welcome_->setRecentProjects(recentProjects());
    connect(welcome_, &WelcomePage::folderChosen, this, &MainWindow::createProjectFromFolder);
    connect(welcome_, &WelcomePage::demoRequested, this, [this] { openDemoProject(); });
    connect(welcome_, &WelcomePage::openRequested, this, &MainWindow::chooseProject);
    connect(welcome_, &WelcomePage::projectChosen, this, [this](const QString& path) {
        QString error;
        if (!openProject(path, &error)) QMessageBox::critical(this, tr("Cannot open project"), error);
    });

    auto* fileMenu = menuBar()->addMenu(tr("&File"));
    auto* create = fileMenu->addAction(tr("&New Project…"), this, &MainWindow::createNewProject);
    create->setShortcut(QKeySequence::New);
    auto* open = fileMenu->addAction(tr("&Open Project…"), this, &MainWindow::chooseProject);
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = fileMenu->addMenu(tr("Open &Recent"));
    recentMenu_->setObjectName("recentMenu");
    fillRecentMenu();
    auto* import = fileMenu->addAction(tr("&Import Images…"), this, &MainWindow::chooseImport);
    import->setShortcut(Qt::CTRL | Qt::Key_I);
    import->setToolTip(tr("A folder of class folders, loose images, a CSV of path,label, or IDX files; or drop them on the window"));
    auto* quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    auto* editMenu = menuBar()->addMenu(tr("&Edit"));
    auto* undo = undoStack_->createUndoAction(this, tr("&Undo"));
    undo->setObjectName("undoAction");
    undo->setShortcut(QKeySequence::Undo);
    auto* redo = undoStack_->createRedoAction(this, tr("&Redo"));
    redo->setObjectName("redoAction");
    redo->setShortcut(QKeySequence::Redo);
    editMenu->addAction(undo);
    editMenu->addAction(redo);
    editMenu->addSeparator();
    auto* preferences = editMenu->addAction(tr("Pre&ferences…"), this, &MainWindow::showPreferences);
    // Most Linux desktops define no standard key for it; Ctrl+, is the common choice there.
    preferences->setShortcuts(QKeySequence::keyBindings(QKeySequence::Preferences).isEmpty()
                                  ? QList<QKeySequence>{QKeySequence(Qt::CTRL | Qt::Key_Comma)}
                                  : QKeySequence::keyBindings(QKeySequence::Preferences));
    // Every step by keyboard: Ctrl+1 to Ctrl+6, and the step takes the focus.
    auto* goMenu = menuBar()->addMenu(tr("&Go"));
    for (int page = 0; page < pages_->count(); ++page) {
        auto* step = goMenu->addAction(navigator_->item(page)->data(Qt::UserRole).toString(), this, [this, page] {
            showPage(page);
            pages_->currentWidget()->setFocus(Qt::ShortcutFocusReason);
        });
        step->setObjectName(QString("goToStep%1").arg(page + 1));
        step->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + page)));
    }
    auto* helpMenu = menuBar()->addMenu(tr("&Help"));
    auto* demo = helpMenu->addAction(tr("Open &Demo Project"), this, [this] { openDemoProject(); });
    demo->setObjectName("openDemoProject");
    demo->setToolTip(tr("OpenCV's handwritten digits, 10 labelled per digit, with an experiment: does a TinyNet "
                        "pretrained on Fashion-MNIST beat training from scratch?"));
    auto* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName("mainToolBar"); // saveState needs the name
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon); // icons alone say little to a newcomer
    create->setIcon(QIcon::fromTheme("document-new"));
    open->setIcon(QIcon::fromTheme("document-open"));
    import->setIcon(QIcon::fromTheme("document-import", QIcon::fromTheme("insert-image")));
    undo->setIcon(QIcon::fromTheme("edit-undo"));
    redo->setIcon(QIcon::fromTheme("edit-redo"));
    preferences->setIcon(QIcon::fromTheme("preferences-system"));
    for (auto* action : {create, open, import}) toolbar->addAction(action);
    toolbar->addSeparator();
    for (auto* action : {undo, redo, preferences}) toolbar->addAction(action);
    connect(dataPage_, &DataPage::labelsChanged, this, &MainWindow::showProjectCounts);
    connect(dataPage_, &DataPage::projectEdited, this, &MainWindow::showProjectCounts);
    connect(dataPage_, &DataPage::projectEdited, this, [this] { showProjectOnModelAndTrainPages(projectPath_); });
    connect(trainPage_, &TrainPage::runsChanged, this, [this] {
        summary_.reset(); // a new run may change the newest verdict
        showProjectCounts();
    });
    connect(trainPage_, &TrainPage::runsChanged, exportPage_, &ExportPage::reloadRuns);
    connect(trainPage_, &TrainPage::runsChanged, dataPage_, &DataPage::reloadRuns);
    connect(trainPage_, &TrainPage::runsChanged, this, [this] { tryPage_->setProject(projectPath_); });
    connect(trainPage_, &TrainPage::experimentFinished, this, [this](qint64 experimentId) {
        comparePage_->showExperiment(experimentId);
        showPage(pages_->indexOf(comparePage_));
    });
    connect(modelPage_, &ModelPage::initialWeightsChosen, trainPage_, &TrainPage::setInitialWeights);
    connect(trainPage_, &TrainPage::status, this, [this](const QString& text) { statusBar()->showMessage(text); });
    connect(modelPage_, &ModelPage::planChanged, this, &MainWindow::refreshStepTexts);
    connect(trainPage_, &TrainPage::runningChanged, this, &MainWindow::refreshStepTexts);
    connect(trainPage_->job(), &JobController::stepDone, this, &MainWindow::refreshStepTexts);
    connect(trainPage_->job(), &JobController::trialsDone, this, &MainWindow::refreshStepTexts);
    connect(trainPage_->job(), &JobController::finished, this, &MainWindow::refreshStepTexts);
    notifier_ = notifyDesktop;
    connect(trainPage_->job(), &JobController::finished, this, [this] {
        if (isActiveWindow()) return; // the person is looking
        if (!notifier_(tr("Graft: training ended"), trainPage_->progressText())) QApplication::alert(this);
    });
    jobIndicator_->setObjectName("jobIndicator");
    jobIndicator_->setFlat(true);
    jobIndicator_->setIcon(QIcon::fromTheme("media-playback-start"));
    jobIndicator_->hide();
    statusBar()->addPermanentWidget(jobIndicator_);
    connect(jobIndicator_, &QPushButton::clicked, this, [this] { showPage(pages_->indexOf(trainPage_)); });
    statusBar()->showMessage(tr("No project open"));
    resize(1280, 800);
    applyPreferences(Preferences::load());
    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    restoreState(settings.value("window/state").toByteArray());
}

MainWindow::~MainWindow() {
    dataPage_->setProject(nullptr, {}); // before the connection it reads from closes
}

int MainWindow::pageCount() const { return pages_->count(); }

QString MainWindow::pageName(int page) const {
    return navigator_->item(page)->data(Qt::UserRole).toString().toLower().remove('&').simplified().replace(' ', '-').replace("--", "-");
}

bool MainWindow::showsWelcome() const { return shell_->currentWidget() == welcome_; }

QString MainWindow::stepText(int page) const { return navigator_->item(page)->text(); }

void MainWindow::showPage(int page) { navigator_->setCurrentRow(page); }

QWidget* MainWindow::currentPage() const { return pages_->currentWidget(); }

bool MainWindow::hasBackgroundWork() const {
    const auto jobs = findChildren<JobController*>();
    return welcome_->isReading() || dataPage_->isLoadingThumbnails() ||
           std::any_of(jobs.begin(), jobs.end(), [](const JobController* job) { return job->isRunning(); });
}

PreferencesDialog* MainWindow::showPreferences() {
    auto* dialog = new PreferencesDialog(Preferences::load(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const auto preferences = dialog->preferences();
        preferences.save();
        applyPreferences(preferences);
    });
    dialog->open();
    return dialog;
}

void MainWindow::applyPreferences(const Preferences& preferences) {
    trainPage_->setDevice(preferences.device);
    trainPage_->setInputMemoryMegabytes(preferences.inputMemoryMegabytes);
    setCpuThreadLimit(preferences.threads);
    dataPage_->gridModel()->setThumbnailCacheMegabytes(preferences.thumbnailCacheMegabytes);
    applyTheme(preferences.theme);
    refreshStepTexts(); // the greys of the new palette
}

void MainWindow::addPage(const QString& title, QWidget* page) {
    auto* item = new QListWidgetItem(title);
    item->setData(Qt::UserRole, title);
    navigator_->addItem(item);
    pages_->addWidget(page);
}

void MainWindow::updateSteps() {
    if (!db_) summary_.reset();
    try {
        // The verdict changes only with runs and comparing takes up to a second: a label key
        // press re-reads the counts alone (runsChanged and opening drop the summary).
        if (db_ && summary_) summary_->overview = overviewOf(*db_);
        else if (db_) summary_ = std::make_unique<ProjectSummary>(summarizeProject(*db_));
    } catch (const std::exception& error) {
        summary_.reset();
        statusBar()->showMessage(QString::fromStdString(error.what()));
    }
    refreshStepTexts();
}

void MainWindow::refreshStepTexts() {
    WorkbenchState state;
    state.project = summary_.get();
    state.architecture = modelPage_->architecture();
    state.frozenBlocks = modelPage_->frozenBlockCount();
    state.training = trainPage_->job()->isRunning();
    state.trainingPercent = trainPage_->progressPercent();
    const auto steps = stepStates(state);
    for (int page = 0; page < navigator_->count() && page < int(steps.size()); ++page) {
        auto* item = navigator_->item(page);
        const auto& step = steps[std::size_t(page)];
        item->setText(item->data(Qt::UserRole).toString() + "\n" + step.text);
        // Grey says "not yet"; the text says why, so colour is never the only sign. Others keep the
        // theme's text colour (set no colour, so a theme change recolours them).
        if (step.blocked) item->setForeground(QApplication::palette().color(QPalette::Disabled, QPalette::Text));
        else item->setData(Qt::ForegroundRole, QVariant());
        item->setToolTip(step.text);
    }
    // Whatever page is shown, training under way stays in sight, a click away.
    jobIndicator_->setVisible(state.training);
    jobIndicator_->setText(tr("Training: %1 %").arg(state.trainingPercent));
    jobIndicator_->setToolTip(tr("%1 — click to go to Train").arg(trainPage_->progressText()));
    updateEmptyState();
}

void MainWindow::updateEmptyState() {
    const int page = navigator_->currentRow();
    if (!summary_ || page < 0) return emptyState_->hide();
    WorkbenchState state;
    state.project = summary_.get();
    state.training = trainPage_->job()->isRunning();
    const auto step = stepStates(state).at(std::size_t(page));
    if (page == int(Step::Data) && summary_->overview.images == 0) {
        emptyStateText_->setText(tr("This project has no images yet. Drop a folder of class folders (or loose images) "
                                    "anywhere on the window, or import one."));
        emptyStateAction_->setText(tr("Import images…"));
        emptyStateAction_->setProperty("step", QVariant());
    } else if (step.blocked) {
        const int target = int(step.fixedOn);
        emptyStateText_->setText(tr("Not yet: %1.").arg(step.text));
        // "&" would underline the next letter as a shortcut: doubled, it shows as itself.
        emptyStateAction_->setText(tr("Go to %1").arg(navigator_->item(target)->data(Qt::UserRole).toString().replace("&", "&&")));
        emptyStateAction_->setProperty("step", target);
    } else {
        return emptyState_->hide();
    }
    emptyState_->show();
}

bool MainWindow::openProject(const QString& path, QString* error) {
    try {
        QString readOnlyReason;
        std::unique_ptr<Database> db;
        try {
            db = std::make_unique<Database>(graft::openProject(path.toStdString()));
        } catch (const ProjectNotWritableError& notWritable) {
            readOnlyReason = tr("%1. To change it, reopen it (File > Open Recent) once that is resolved.")
                                 .arg(QString::fromStdString(notWritable.problem()));
            db = std::make_unique<Database>(graft::openProject(path.toStdString(), ProjectAccess::ReadOnly));
        }
        dataPage_->setReadOnlyReason(readOnlyReason);
        dataPage_->setProject(db.get(), path);
        db_ = std::move(db);
        showProjectOnModelAndTrainPages(path);
        trainPage_->setProject(path);
        comparePage_->setProject(path);
        tryPage_->setProject(path);
        exportPage_->setProject(path);
        trainPage_->setReadOnly(!readOnlyReason.isEmpty());
        projectPath_ = path;
        readOnlyReason_ = readOnlyReason;
        readOnlyNotice_->setText(readOnlyReason.isEmpty() ? QString() : tr("Read-only: %1").arg(readOnlyReason));
        readOnlyNotice_->setVisible(!readOnlyReason.isEmpty());
        rememberProject(path);
        setWindowTitle(readOnlyReason.isEmpty() ? tr("%1 – Graft").arg(QFileInfo(path).fileName())
                                                : tr("%1 (read-only) – Graft").arg(QFileInfo(path).fileName()));
        shell_->setCurrentIndex(1); // the workbench
        summary_.reset();           // another project's summary
        showProjectCounts();
        return true;
    } catch (const std::exception& exception) {
        if (error) *error = QString::fromStdString(exception.what());
        return false;
    }
}

void MainWindow::showProjectOnModelAndTrainPages(const QString& path) {
    if (const auto classes = ProjectStore(*db_).classNames().size(); classes > 0) modelPage_->setClassCount(int(classes));
    QStringList domains;
    for (const auto& name : DomainStore(*db_).domainNames()) domains << QString::fromStdString(name);
    modelPage_->setProject(path, domains);
    trainPage_->setDomains(domains);
    QStringList tasks;
    for (const auto& task : TaskStore(*db_).summaries()) tasks << QString::fromStdString(task.name);
    trainPage_->setTasks(tasks);
}

void MainWindow::showProjectCounts() {
    updateSteps();
    if (!summary_) return;
    const auto runs = trainPage_->runCount();
    statusBar()->showMessage(tr("%1 images, %2 unlabelled, %3")
                                 .arg(summary_->overview.images)
                                 .arg(summary_->overview.unlabelled)
                                 .arg(runs == 1 ? tr("1 run") : tr("%1 runs").arg(runs)));
}

void MainWindow::createNewProject() {
    const QString path = QFileDialog::getSaveFileName(this, tr("New Project"), QString(), tr("Graft projects (*.graft)"));
    if (path.isEmpty()) return;
    const QString file = path.endsWith(".graft") ? path : path + ".graft";
    QString error;
    try {
        graft::createProject(file.toStdString());
    } catch (const std::exception& exception) {
        QMessageBox::critical(this, tr("Cannot create project"), QString::fromStdString(exception.what()));
        return;
    }
    if (!openProject(file, &error)) QMessageBox::critical(this, tr("Cannot open project"), error);
}

QStringList MainWindow::recentProjects() { return QSettings().value("recentProjects").toStringList(); }

void MainWindow::rememberProject(const QString& path) {
    constexpr int kKept = 8;
    QStringList recent = recentProjects();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kKept) recent.removeLast();
    QSettings().setValue("recentProjects", recent);
    fillRecentMenu();
}

void MainWindow::fillRecentMenu() {
    recentMenu_->clear();
    for (const auto& path : recentProjects()) {
        recentMenu_->addAction(path, this, [this, path] {
            QString error;
            if (!openProject(path, &error)) QMessageBox::critical(this, tr("Cannot open project"), error);
        });
    }
    recentMenu_->setEnabled(!recentMenu_->isEmpty());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::chooseImport() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Import a folder of images"));
    if (!folder.isEmpty()) importPaths({folder});
}

bool MainWindow::importPaths(const QStringList& paths) {
    if (!db_) {
        QMessageBox::information(this, tr("Import"), tr("Open or create a project first."));
        return false;
    }
    if (!readOnlyReason_.isEmpty()) {
        showNotice(this, QMessageBox::Warning, tr("Import"), tr("Nothing imported. %1").arg(readOnlyReason_), "importReport");
        return false;
    }
    if (importJob_->isRunning() || paths.isEmpty()) return false;
    std::vector<std::filesystem::path> files;
    for (const auto& path : paths) files.emplace_back(path.toStdString());
    showJobProgress(tr("Importing…"));
    connect(importJob_, &JobController::finished, this, [this](qint64, bool, const QString& message) {
        dataPage_->reload();
        showProjectOnModelAndTrainPages(projectPath_);
        showProjectCounts();
        statusBar()->showMessage(message.section('\n', 0, 0), 10'000);
        if (message.contains('\n')) { // what was skipped, and why; without blocking the window
            showNotice(this, QMessageBox::Information, tr("Import"), message, "importReport");
        }
    }, Qt::SingleShotConnection);
    importJob_->startImport(projectPath_.toStdString(), files);
    return true;
}

bool MainWindow::openDemoProject(const QString& path, const QString& digitsSheet) {
    const QString project = path.isEmpty() ? QString::fromStdString(defaultDemoProjectPath().string()) : path;
    const auto openAtStart = [this, project] {
        QString error;
        if (!openProject(project, &error)) {
            QMessageBox::critical(this, tr("Cannot open the demo project"), error);
            return;
        }
        showStartPage();
    };
    if (QFileInfo::exists(project)) {
        openAtStart();
        return true;
    }
    if (importJob_->isRunning()) return false;
    showJobProgress(tr("Creating the demo project…"));
    connect(importJob_, &JobController::finished, this, [this, openAtStart](qint64, bool succeeded, const QString& message) {
        if (succeeded) openAtStart();
        else showNotice(this, QMessageBox::Warning, tr("Demo project"), message, "demoError");
    }, Qt::SingleShotConnection);
    const std::filesystem::path sheet = digitsSheet.isEmpty() ? kOpenCvDigitsSheet : std::filesystem::path(digitsSheet.toStdString());
    importJob_->startDemoCreation(project.toStdString(), sheet);
    return true;
}

void MainWindow::showStartPage() {
    const qint64 unfinished = trainPage_->unfinishedExperiment();
    if (unfinished > 0) return showPage(pages_->indexOf(trainPage_));
    try {
        const auto experiments = ExperimentStore(*db_).experiments();
        if (!experiments.empty() && experimentState(*db_, experiments.back().id).finished > 0) {
            comparePage_->showExperiment(experiments.back().id);
            return showPage(pages_->indexOf(comparePage_));
        }
    } catch (const std::exception& error) {
        statusBar()->showMessage(QString::fromStdString(error.what()));
    }
    showPage(pages_->indexOf(dataPage_));
}

void MainWindow::showJobProgress(const QString& text) {
    auto* dialog = new QProgressDialog(text, tr("Cancel"), 0, 100, this);
    dialog->setObjectName("jobProgress");
    dialog->setMinimumDuration(1000); // quick imports never flash a dialog
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    auto* started = new QElapsedTimer;
    started->start();
    connect(dialog, &QProgressDialog::canceled, importJob_, &JobController::cancel);
    const auto progress = connect(importJob_, &JobController::progressed, dialog,
                                  [dialog, started](const QString& stage, qint64 done, qint64 total) {
        if (total <= 0) return;
        dialog->setValue(int(100 * done / total));
        dialog->setLabelText(tr("%1: %2 of %3%4").arg(stage).arg(done).arg(total).arg(etaSuffix(started->elapsed() / 1000.0, done, total)));
    });
    connect(importJob_, &JobController::finished, dialog, [dialog, started, progress] {
        QObject::disconnect(progress);
        dialog->deleteLater();
        delete started;
    }, Qt::SingleShotConnection);
}

bool MainWindow::createProjectFromFolder(const QString& folder) {
    const QFileInfo info(folder);
    if (!info.isDir()) {
        showNotice(this, QMessageBox::Warning, tr("New project"), tr("%1 is not a folder.").arg(folder), "newProjectError");
        return false;
    }
    const QString file = info.absoluteDir().filePath(info.fileName() + ".graft"); // beside it, named after it
    if (!QFileInfo::exists(file)) {
        try {
            graft::createProject(file.toStdString());
        } catch (const std::exception& exception) {
            showNotice(this, QMessageBox::Warning, tr("New project"), QString::fromStdString(exception.what()), "newProjectError");
            return false;
        }
    }
    QString error;
    if (!openProject(file, &error)) {
        showNotice(this, QMessageBox::Warning, tr("New project"), error, "newProjectError");
        return false;
    }
    showPage(pages_->indexOf(dataPage_));
    return importPaths({info.absoluteFilePath()});
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (db_ && !urls.isEmpty() && std::all_of(urls.begin(), urls.end(), [](const QUrl& url) { return url.isLocalFile(); }))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    QStringList paths;
    for (const auto& url : event->mimeData()->urls()) paths << url.toLocalFile();
    if (importPaths(paths)) event->acceptProposedAction();
}

void MainWindow::chooseProject() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Project"), QString(), tr("Graft projects (*.graft);;All files (*)"));
    if (path.isEmpty()) return;
    QString error;
    if (!openProject(path, &error)) QMessageBox::critical(this, tr("Cannot open project"), error);
}

} // namespace graft::ui
