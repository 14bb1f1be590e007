#include "DataPage.h"

#include "DataMapView.h"
#include "ImageFilterModel.h"
#include "FinishedRuns.h"
#include "FunctionCommand.h"
#include "ImageExplanation.h"
#include "ImageGridModel.h"
#include "JobController.h"
#include "Notice.h"
#include "SetLabelsCommand.h"
#include "SuggestionPanel.h"
#include "ThumbnailLoader.h"

#include "common/Error.h"
#include "data/ProjectSplits.h"
#include "experiment/ExperimentRunner.h"
#include "project/Database.h"
#include "project/DomainStore.h"
#include "project/ProjectStore.h"
#include "project/RunStore.h"
#include "project/TaskStore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QGroupBox>
#include <QInputDialog>
#include <QMenu>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QUndoStack>
#include <QVBoxLayout>

#include <cmath>

namespace graft::ui {
namespace {

constexpr int kThumbnail = 96;
constexpr int kPreview = 320;

} // namespace

DataPage::DataPage(QUndoStack* undoStack, QWidget* parent)
    : QWidget(parent), undoStack_(undoStack), model_(new ImageGridModel(kThumbnail, this)),
      filter_(new ImageFilterModel(this)), grid_(new QListView), map_(new DataMapView), views_(new QTabWidget),
      taskChoice_(new QComboBox), classTable_(new QTableWidget(0, 5)),
      filterChoice_(new QComboBox), suggestions_(new SuggestionPanel), preview_(new QLabel), details_(new QLabel),
      explainRun_(new QComboBox), heatMap_(new QCheckBox(tr("Heat map (H)"))), explaining_(new JobController(this)),
      validationPercent_(new QSpinBox),
      testPercent_(new QSpinBox), splitSeed_(new QSpinBox), splitTask_(new QComboBox) {
    filter_->setSourceModel(model_);

    grid_->setObjectName("imageGrid");
    grid_->setAccessibleName(tr("Images"));
    grid_->setModel(filter_);
    grid_->setViewMode(QListView::IconMode);
    grid_->setResizeMode(QListView::Adjust);
    grid_->setMovement(QListView::Static);
    grid_->setUniformItemSizes(true); // lays out 20k items without measuring each
    grid_->setLayoutMode(QListView::Batched);
    grid_->setIconSize({kThumbnail, kThumbnail});
    grid_->setGridSize({kThumbnail + 12, kThumbnail + 28});
    grid_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    grid_->installEventFilter(this);

    classTable_->setObjectName("classTable");
    classTable_->setAccessibleName(tr("Classes"));
    classTable_->setHorizontalHeaderLabels({tr("Class"), tr("Images"), tr("Train"), tr("Validation"), tr("Test")});
    classTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    classTable_->setTabKeyNavigation(false); // Tab moves on to the next control; arrows move in the table
    classTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    classTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    classTable_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    classTable_->setToolTip(tr("Press a class's key (1-9) to label the selected images; 0 clears their labels. "
                               "Right-click a class to rename, merge or delete it."));
    classTable_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(classTable_, &QWidget::customContextMenuRequested, this, &DataPage::classMenu);

    filterChoice_->setObjectName("imageFilter");
    preview_->setObjectName("preview");
    preview_->setAlignment(Qt::AlignCenter);
    preview_->setMinimumSize(kPreview, kPreview);
    preview_->setFrameShape(QFrame::StyledPanel);
    preview_->setWordWrap(true);
    details_->setWordWrap(true);
    details_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    taskChoice_->setObjectName("taskChoice");
    taskChoice_->setAccessibleName(tr("Task"));
    taskChoice_->setToolTip(tr("The label set the page shows and the class keys label: disease, severity... (Ctrl+T: next task)"));
    auto* taskRow = new QHBoxLayout;
    auto* taskLabel = new QLabel(tr("&Task"));
    taskLabel->setBuddy(taskChoice_);
    taskRow->addWidget(taskLabel);
    taskRow->addWidget(taskChoice_, 1);
    leftLayout->addLayout(taskRow);
    connect(taskChoice_, &QComboBox::activated, this, [this](int index) {
        const auto data = taskChoice_->itemData(index);
        if (data.isValid()) return showTask(data.toLongLong());
        refreshTasks(); // back to the current task while the name is asked for
        bool ok = false;
        const auto name = QInputDialog::getText(this, tr("New task"), tr("Name of the new label set (severity, quality...):"),
                                                QLineEdit::Normal, {}, &ok);
        if (ok) addTask(name);
    });
    auto* nextTask = new QShortcut(QKeySequence(tr("Ctrl+T")), this);
    nextTask->setContext(Qt::WidgetWithChildrenShortcut);
    connect(nextTask, &QShortcut::activated, this, [this] {
        const int tasks = taskChoice_->count() - 1; // the last item adds a task
        if (tasks > 1) showTask(taskChoice_->itemData((taskChoice_->currentIndex() + 1) % tasks).toLongLong());
    });
    auto* classesTitle = new QLabel(tr("<b>Classes</b>: a row's key labels the selection, 0 clears"));
    classesTitle->setWordWrap(true); // the grid, not this line, gets the width
    leftLayout->addWidget(classesTitle);
    leftLayout->addWidget(classTable_, 1);
    auto* addClassButton = new QPushButton(tr("Add class…"));
    addClassButton->setObjectName("addClass");
    addClassButton->setToolTip(tr("A new class in the current task; its row's key then labels the selection"));
    leftLayout->addWidget(addClassButton);
    connect(addClassButton, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const auto name = QInputDialog::getText(this, tr("Add class"), tr("Name of the new class in %1:").arg(taskChoice_->currentText()),
                                                QLineEdit::Normal, {}, &ok);
        if (ok) addClass(name);
    });
    leftLayout->addWidget(new QLabel(tr("Show")));
    leftLayout->addWidget(filterChoice_);
    auto* setDomain = new QPushButton(tr("Set domain of selection…"));
    setDomain->setObjectName("setDomain");
    setDomain->setToolTip(tr("Where the selected images come from: lab or field, scanner A or B (Ctrl+D). "
                             "Domain adaptation and the domain gap compare domains."));
    leftLayout->addWidget(setDomain);
    connect(setDomain, &QPushButton::clicked, this, &DataPage::chooseDomainOfSelection);
    auto* domainShortcut = new QShortcut(QKeySequence(tr("Ctrl+D")), this);
    domainShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(domainShortcut, &QShortcut::activated, this, &DataPage::chooseDomainOfSelection);
    leftLayout->addWidget(suggestions_);
    connect(suggestions_, &SuggestionPanel::suggested, this, &DataPage::showSuggestions);
    connect(suggestions_, &SuggestionPanel::acceptRequested, this, &DataPage::acceptPredictions);

    validationPercent_->setObjectName("validationPercent");
    testPercent_->setObjectName("testPercent");
    splitSeed_->setObjectName("splitSeed");
    for (auto* percent : {validationPercent_, testPercent_}) {
        percent->setRange(0, 80);
        percent->setSuffix(" %");
    }
    splitSeed_->setRange(0, 1'000'000);
    auto* applySplits = new QPushButton(tr("Re-split"));
    applySplits->setObjectName("applySplits");
    applySplits->setToolTip(tr("Splits every class anew with these fractions (counts per class in the table above). "
                               "Runs trained before were validated and tested on the old splits. Undo puts them back."));
    auto* splits = new QGroupBox(tr("Splits"));
    auto* splitForm = new QFormLayout(splits);
    splitForm->addRow(tr("Validation"), validationPercent_);
    splitForm->addRow(tr("Test"), testPercent_);
    splitForm->addRow(tr("Seed"), splitSeed_);
    splitTask_->setObjectName("splitTask");
    splitTask_->setToolTip(tr("The task whose classes each split keeps in proportion"));
    splitForm->addRow(tr("Stratify on"), splitTask_);
    splitForm->addRow(applySplits);
    leftLayout->addWidget(splits);
    connect(applySplits, &QPushButton::clicked, this, [this] {
        resplit(validationPercent_->value() / 100.0, testPercent_->value() / 100.0, std::uint64_t(splitSeed_->value()),
                splitTask_->currentData().toLongLong());
    });

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    explainRun_->setObjectName("explainRun");
    // Sized by a short text, not the longest run's name, which widened the preview and left the
    // grid three columns at 1280 px.
    explainRun_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    explainRun_->setMinimumContentsLength(16);
    explainRun_->setToolTip(tr("A finished run: the preview shows its three most probable classes for the image and, "
                               "with Heat map, where in the image it found the evidence for the first (Grad-CAM)"));
    heatMap_->setObjectName("heatMap");
    heatMap_->setEnabled(false);
    auto* explainRow = new QHBoxLayout;
    explainRow->addWidget(new QLabel(tr("Model")));
    explainRow->addWidget(explainRun_, 1);
    explainRow->addWidget(heatMap_);
    rightLayout->addWidget(preview_);
    rightLayout->addLayout(explainRow);
    rightLayout->addWidget(details_);
    rightLayout->addStretch(1);

    views_->setObjectName("imageViews");
    views_->addTab(grid_, tr("Images"));
    views_->addTab(map_, tr("Map"));
    views_->setTabToolTip(1, tr("The images placed by a model's features: similar-looking images lie close. "
                                "Hover to see one, click to select it."));
    auto* splitter = new QSplitter;
    splitter->addWidget(left);
    splitter->addWidget(views_);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    // The grid takes what the class table and the preview leave: four or more columns at 1280 px.
    splitter->setSizes({280, 1000, kPreview + 20});
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(filterChoice_, &QComboBox::currentIndexChanged, this, &DataPage::applyFilterChoice);
    connect(grid_->selectionModel(), &QItemSelectionModel::currentChanged, this, &DataPage::showPreview);
    connect(explainRun_, &QComboBox::currentIndexChanged, this, [this] {
        heatMap_->setEnabled(explainRun_->currentData().toLongLong() > 0);
        suggestions_->setRun(explainRun_->currentData().toLongLong());
        showPreview();
    });
    connect(heatMap_, &QCheckBox::toggled, this, &DataPage::paintPreview);
    connect(map_, &DataMapView::imageClicked, this, &DataPage::selectImage);
    map_->installEventFilter(this); // label keys pressed on the map reach it
    connect(model_, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex&, const QModelIndex&, const QList<int>& roles) {
        if (!roles.contains(ImageGridModel::ClassIdRole)) return; // thumbnails and predictions: no label changed
        map_->relabel([this](const std::string& sha256) {
            const int row = model_->rowOf(sha256);
            return row < 0 ? std::nullopt : model_->image(row).classId;
        });
    });
    connect(explaining_, &JobController::explained, this, &DataPage::showExplanation);
    connect(explaining_, &JobController::finished, this, [this](qint64, bool succeeded, const QString& message) {
        const QString pending = std::exchange(pendingExplanation_, QString());
        if (!pending.isEmpty()) showPreview();
        else if (!succeeded) {
            previewTop_ = message;
            paintPreview();
        }
    });
}

DataPage::~DataPage() {
    thumbnailThread_.quit();
    thumbnailThread_.wait();
}

void DataPage::setProject(Database* db, const QString& path) {
    projectPath_ = path;
    thumbnailThread_.quit();
    thumbnailThread_.wait();
    db_ = db;
    task_ = kFirstTask;
    undoStack_->clear();
    map_->setProject(db, path);
    suggestions_->setProject(path);
    suggestedOrder_.clear();
    model_->setPredictions({});
    if (db_) {
        // A fresh loader per project: it holds its own connection to the file.
        auto* loader = new ThumbnailLoader(path, kThumbnail);
        loader->moveToThread(&thumbnailThread_);
        connect(&thumbnailThread_, &QThread::finished, loader, &QObject::deleteLater);
        connect(model_, &ImageGridModel::thumbnailWanted, loader, &ThumbnailLoader::request, Qt::DirectConnection);
        connect(loader, &ThumbnailLoader::loaded, model_, &ImageGridModel::setThumbnail);
        thumbnailThread_.start();
    }
    reload();
}

void DataPage::reload() {
    std::vector<CatalogImage> images;
    std::map<std::int64_t, QString> names;
    refreshTasks();
    if (db_) {
        auto store = this->store();
        images = store.catalog();
        for (const auto& [id, name] : store.classNames()) names[id] = QString::fromStdString(name);
    }
    domains_.clear();
    if (db_)
        for (const auto& [sha256, domain] : DomainStore(*db_).domainByImage())
            domains_.insert(QString::fromStdString(sha256), QString::fromStdString(domain));
    model_->reset(std::move(images), std::move(names));
    refreshClasses();
    refreshFilterChoices();
    refreshSplitEditor();
    reloadRuns();
    showPreview();
}

// The tasks, and last an entry that adds one; the current task chosen (the first when it went).
void DataPage::refreshTasks() {
    const QSignalBlocker blocker(taskChoice_);
    taskChoice_->clear();
    if (!db_) return;
    const auto tasks = TaskStore(*db_).summaries();
    if (std::none_of(tasks.begin(), tasks.end(), [this](const TaskSummary& task) { return task.id == task_; })) task_ = kFirstTask;
    for (const auto& task : tasks) {
        taskChoice_->addItem(QString::fromStdString(task.name), QVariant::fromValue<qlonglong>(task.id));
        if (task.id == task_) taskChoice_->setCurrentIndex(taskChoice_->count() - 1);
    }
    taskChoice_->addItem(tr("New task…"));
}

void DataPage::showTask(std::int64_t task) {
    if (task == task_) return;
    task_ = task;
    reload();
}

void DataPage::addTask(const QString& name) {
    if (!db_ || refuseWhileReadOnly()) return;
    const auto trimmed = name.trimmed().toStdString();
    std::int64_t task = 0;
    try {
        TaskStore tasks(*db_);
        if (tasks.find(trimmed)) throw Error(db_->path() + ": a task named '" + trimmed + "' already exists");
        task = tasks.ensure(trimmed);
    } catch (const std::exception& error) {
        return showError(tr("Task not added"), QString::fromStdString(error.what()));
    }
    const auto before = task_;
    showTask(task);
    Q_EMIT projectEdited();
    // Redo puts the task back under its id, which the label changes above it on the stack name.
    undoStack_->push(new FunctionCommand(
        tr("Add task %1").arg(QString::fromStdString(trimmed)),
        [this, task, trimmed] {
            if (TaskStore(*db_).find(trimmed)) return; // the first redo: added above
            writeProject([&](ProjectStore&) { TaskStore(*db_).restore(task, trimmed); });
            showTask(task);
        },
        [this, task, before] {
            showTask(before);
            writeProject([&](ProjectStore&) { TaskStore(*db_).remove(task); });
        }));
}

bool DataPage::isLoadingThumbnails() const {
    if (!grid_->isVisible()) return false;
    const QRect viewport = grid_->viewport()->rect();
    QModelIndex first; // the top-left item: items flow left to right, then down
    for (int y = 0; y < viewport.height() && !first.isValid(); y += 8)
        for (int x = 0; x < viewport.width() && !first.isValid(); x += 8) first = grid_->indexAt({x, y});
    if (!first.isValid()) return filter_->rowCount() > 0; // not laid out yet
    for (int row = first.row(); row < filter_->rowCount(); ++row) {
        const QModelIndex index = filter_->index(row, 0);
        if (!grid_->visualRect(index).intersects(viewport)) break;
        if (!model_->hasThumbnail(filter_->mapToSource(index).row())) return true;
    }
    return false;
}

void DataPage::refreshSplitEditor() {
    if (!db_) return;
    ProjectStore store(*db_);
    const auto policy = readSplitPolicy(store);
    validationPercent_->setValue(int(std::lround(policy.ratios.val * 100)));
    testPercent_->setValue(int(std::lround(policy.ratios.test * 100)));
    splitSeed_->setValue(int(policy.seed));
    splitTask_->clear();
    for (const auto& task : TaskStore(*db_).summaries()) {
        splitTask_->addItem(QString::fromStdString(task.name), QVariant::fromValue<qlonglong>(task.id));
        if (task.id == policy.task) splitTask_->setCurrentIndex(splitTask_->count() - 1);
    }
}

void DataPage::resplit(double validation, double test, std::uint64_t seed, std::optional<std::int64_t> stratifyTask) {
    if (!db_ || refuseWhileReadOnly()) return;
    ProjectStore store(*db_);
    const SplitPolicy before = readSplitPolicy(store), after{{validation, test}, seed, stratifyTask.value_or(before.task)};
    const auto assignments = currentSplits(store);
    // Tried first, so ratios that leave a class no training image are refused before anything is pushed.
    if (!writeProject([&](ProjectStore& edited) { resplitAll(edited, after); })) return;
    undoStack_->push(new FunctionCommand(
        tr("Re-split: %1 % validation, %2 % test, seed %3").arg(validation * 100).arg(test * 100).arg(seed),
        [this, after] { writeProject([&](ProjectStore& edited) { resplitAll(edited, after); }); },
        [this, before, assignments] { writeProject([&](ProjectStore& edited) { restoreSplits(edited, before, assignments); }); }));
}

void DataPage::setDomainOfSelection(const QString& domain) {
    if (!db_ || refuseWhileReadOnly()) return;
    std::vector<std::pair<std::string, QString>> before; // image, its domain until now ("" none)
    for (const auto& index : grid_->selectionModel()->selectedIndexes()) {
        const auto& sha256 = model_->image(filter_->mapToSource(index).row()).sha256;
        const QString current = domains_.value(QString::fromStdString(sha256));
        if (current != domain) before.emplace_back(sha256, current);
    }
    if (before.empty()) return;
    const auto write = [this](const std::vector<std::pair<std::string, QString>>& domains) {
        return writeProject([&](ProjectStore&) {
            DomainStore store(*db_);
            for (const auto& [sha256, name] : domains) {
                if (name.isEmpty()) store.clearDomain(sha256);
                else store.setDomain(sha256, name.toStdString());
            }
        });
    };
    std::vector<std::pair<std::string, QString>> after;
    for (const auto& [sha256, current] : before) after.emplace_back(sha256, domain);
    // Written first, so a refused name never reaches the undo stack.
    if (!write(after)) return;
    const QString what = domain.isEmpty() ? tr("Clear the domain of %n image(s)", "", int(after.size()))
                                          : tr("Put %n image(s) in domain %1", "", int(after.size())).arg(domain);
    undoStack_->push(new FunctionCommand(what, [write, after] { write(after); }, [write, before] { write(before); }));
}

void DataPage::chooseDomainOfSelection() {
    if (!db_ || grid_->selectionModel()->selectedIndexes().isEmpty()) return;
    QStringList names;
    for (const auto& name : DomainStore(*db_).domainNames()) names << QString::fromStdString(name);
    names << tr("(no domain)");
    bool accepted = false;
    const QString chosen = QInputDialog::getItem(this, tr("Domain"), tr("Domain of the selected images (type a new one to add it):"),
                                                 names, 0, /*editable=*/true, &accepted);
    if (!accepted) return;
    setDomainOfSelection(chosen == names.back() ? QString() : chosen.trimmed());
}

void DataPage::labelSelection(std::optional<int> classRow) {
    if (!db_ || refuseWhileReadOnly()) return;
    if (classRow && (*classRow < 0 || *classRow >= int(classes_.size()))) return;
    const std::optional<std::int64_t> classId = classRow ? std::optional(classes_[std::size_t(*classRow)].id) : std::nullopt;
    std::vector<ImageLabel> before, after;
    for (const auto& index : grid_->selectionModel()->selectedIndexes()) {
        const auto& image = model_->image(filter_->mapToSource(index).row());
        if (image.classId == classId) continue;
        before.push_back({image.sha256, image.classId});
        after.push_back({image.sha256, classId});
    }
    if (after.empty()) return;
    const QString what = classId ? tr("Label %n image(s) %1", "", int(after.size())).arg(classTable_->item(*classRow, 0)->text())
                                 : tr("Clear the labels of %n image(s)", "", int(after.size()));
    labelImages(std::move(before), std::move(after), what);
}

void DataPage::acceptPredictions(double threshold) {
    if (!db_ || refuseWhileReadOnly()) return;
    std::map<QString, std::int64_t> classByName;
    for (const auto& summary : classes_) classByName[QString::fromStdString(summary.name)] = summary.id;
    std::vector<ImageLabel> before, after;
    for (const auto& index : grid_->selectionModel()->selectedIndexes()) {
        const auto& image = model_->image(filter_->mapToSource(index).row());
        const auto predicted = model_->prediction(image.sha256);
        if (image.classId || !predicted || predicted->confidence < threshold) continue;
        const auto found = classByName.find(predicted->label);
        if (found == classByName.end()) continue; // a class renamed or deleted since
        before.push_back({image.sha256, std::nullopt});
        after.push_back({image.sha256, found->second});
    }
    if (after.empty()) {
        details_->setText(tr("No selected unlabelled image has a prediction at least %1 % sure.").arg(100 * threshold, 0, 'f', 0));
        return;
    }
    const QString what = tr("Accept %n prediction(s)", "", int(after.size()));
    labelImages(std::move(before), std::move(after), what);
}

void DataPage::labelImages(std::vector<ImageLabel> before, std::vector<ImageLabel> after, const QString& what) {
    // Written first, so a refused write (disk full, file moved) never reaches the undo stack.
    if (!applyLabels(after)) return;
    const auto task = task_;
    undoStack_->push(new SetLabelsCommand(std::move(before), std::move(after),
                                          [this, task](const std::vector<ImageLabel>& labels) {
                                              showTask(task);
                                              applyLabels(labels);
                                          },
                                          what));
}

void DataPage::showSuggestions(const std::vector<SuggestedImage>& images) {
    suggestedOrder_.clear();
    QHash<QString, ImageGridModel::Prediction> predictions;
    for (const auto& image : images) {
        suggestedOrder_.insert(image.sha256, int(suggestedOrder_.size()));
        if (image.confidence >= 0) predictions.insert(image.sha256, {image.predicted, image.confidence});
    }
    model_->setPredictions(std::move(predictions));
    refreshFilterChoices();
    filterChoice_->setCurrentIndex(filterChoice_->findData("suggested"));
}

// A key press touches the labelled images alone, never a scan of the project: at 100,000 images
// re-reading every class's counts and splitting by a scan stalled the GUI 1.7 s per key
// (graft_bench_grid_scroll).
bool DataPage::applyLabels(const std::vector<ImageLabel>& labels) {
    std::vector<std::string> images;
    std::vector<std::optional<Split>> splitsBefore, splitsAfter;
    try {
        auto store = this->store();
        Transaction transaction(*db_);
        for (const auto& label : labels) {
            images.push_back(label.sha256);
            splitsBefore.push_back(store.splitOf(label.sha256));
            if (label.classId) store.setLabel(label.sha256, *label.classId);
            else store.clearLabel(label.sha256);
        }
        // Newly labelled images join a split, or training would never see them.
        splitImagesWithoutSplit(store, images);
        for (const auto& sha256 : images) splitsAfter.push_back(store.splitOf(sha256));
        transaction.commit();
    } catch (const std::exception& error) {
        // The transaction rolled back: the project and the grid still agree.
        showError(tr("Labels not saved"), QString::fromStdString(error.what()));
        return false;
    }
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const int row = model_->rowOf(labels[i].sha256);
        if (row >= 0) countLabel(model_->image(row).classId, splitsBefore[i], -1);
        countLabel(labels[i].classId, splitsAfter[i], +1);
        model_->setLabel(labels[i].sha256, labels[i].classId);
    }
    showClasses();
    showPreview();
    Q_EMIT labelsChanged();
    return true;
}

void DataPage::showError(const QString& title, const QString& text) {
    showNotice(this, QMessageBox::Warning, title, text, "dataError");
}

void DataPage::setReadOnlyReason(const QString& reason) { readOnlyReason_ = reason; }

bool DataPage::refuseWhileReadOnly() {
    if (readOnlyReason_.isEmpty()) return false;
    showError(tr("Project is read-only"), readOnlyReason_);
    return true;
}

bool DataPage::writeTask(std::int64_t task, const std::function<void(ProjectStore&)>& edit) {
    showTask(task);
    return writeProject(edit);
}

bool DataPage::writeProject(const std::function<void(ProjectStore&)>& edit) {
    try {
        auto store = this->store();
        Transaction transaction(*db_);
        edit(store);
        transaction.commit();
    } catch (const std::exception& error) {
        showError(tr("Project not changed"), QString::fromStdString(error.what()));
        return false;
    }
    reload();
    Q_EMIT projectEdited();
    return true;
}

void DataPage::renameClass(int row, const QString& name) {
    if (!db_ || row < 0 || row >= int(classes_.size()) || name.trimmed().isEmpty() || refuseWhileReadOnly()) return;
    const auto id = classes_[std::size_t(row)].id;
    const std::string before = classTable_->item(row, 0)->text().toStdString(), after = name.trimmed().toStdString();
    if (before == after) return;
    // Tried first, so a taken name is refused before anything reaches the undo stack.
    if (!writeProject([&](ProjectStore& store) { store.renameClass(id, after); })) return;
    auto* command = new FunctionCommand(
        tr("Rename class %1 to %2").arg(QString::fromStdString(before), QString::fromStdString(after)),
        [this, task = task_, id, after] { writeTask(task, [&](ProjectStore& store) { store.renameClass(id, after); }); },
        [this, task = task_, id, before] { writeTask(task, [&](ProjectStore& store) { store.renameClass(id, before); }); });
    undoStack_->push(command); // its first redo writes the same name again: harmless
}

void DataPage::addClass(const QString& name) {
    const auto trimmed = name.trimmed().toStdString();
    if (!db_ || trimmed.empty() || refuseWhileReadOnly()) return;
    if (std::any_of(classes_.begin(), classes_.end(), [&](const ClassSummary& c) { return c.name == trimmed; }))
        return showError(tr("Class not added"), tr("%1 already has a class named %2.")
                                                    .arg(taskChoice_->currentText(), QString::fromStdString(trimmed)));
    std::int64_t id = 0;
    if (!writeProject([&](ProjectStore& store) { id = store.ensureClass(trimmed); })) return;
    undoStack_->push(new FunctionCommand(
        tr("Add class %1").arg(QString::fromStdString(trimmed)),
        [this, task = task_, id, trimmed] {
            if (store().classNames().contains(id)) return; // the first redo: added above
            writeTask(task, [&](ProjectStore& store) { store.restoreClass(id, trimmed); });
        },
        [this, task = task_, id] { writeTask(task, [&](ProjectStore& store) { store.deleteClass(id); }); }));
}

void DataPage::mergeClass(int row, int intoRow) {
    if (!db_ || row == intoRow || std::max(row, intoRow) >= int(classes_.size()) || std::min(row, intoRow) < 0) return;
    if (refuseWhileReadOnly()) return;
    const auto from = classes_[std::size_t(row)].id, into = classes_[std::size_t(intoRow)].id;
    const std::string name = classTable_->item(row, 0)->text().toStdString();
    const auto images = store().imagesOfClass(from);
    undoStack_->push(new FunctionCommand(
        tr("Merge class %1 into %2").arg(QString::fromStdString(name), classTable_->item(intoRow, 0)->text()),
        [this, task = task_, from, into, images] {
            writeTask(task, [&](ProjectStore& store) {
                for (const auto& image : images) store.setLabel(image, into);
                store.deleteClass(from);
            });
        },
        [this, task = task_, from, name, images] {
            writeTask(task, [&](ProjectStore& store) {
                store.restoreClass(from, name);
                for (const auto& image : images) store.setLabel(image, from);
            });
        }));
}

void DataPage::deleteClass(int row) {
    if (!db_ || row < 0 || row >= int(classes_.size()) || refuseWhileReadOnly()) return;
    const auto id = classes_[std::size_t(row)].id;
    const std::string name = classTable_->item(row, 0)->text().toStdString();
    const auto images = store().imagesOfClass(id);
    undoStack_->push(new FunctionCommand(
        tr("Delete class %1 (%n image(s) unlabelled)", "", int(images.size())).arg(QString::fromStdString(name)),
        [this, task = task_, id] { writeTask(task, [&](ProjectStore& store) { store.deleteClass(id); }); },
        [this, task = task_, id, name, images] {
            writeTask(task, [&](ProjectStore& store) {
                store.restoreClass(id, name);
                for (const auto& image : images) store.setLabel(image, id);
            });
        }));
}

void DataPage::classMenu(const QPoint& position) {
    const int row = classTable_->rowAt(position.y());
    if (row < 0) return;
    const QString name = classTable_->item(row, 0)->text();
    QMenu menu;
    menu.addAction(tr("Rename %1…").arg(name), [this, row, name] {
        bool ok = false;
        const auto renamed = QInputDialog::getText(this, tr("Rename class"), tr("New name for %1:").arg(name),
                                                   QLineEdit::Normal, name, &ok);
        if (ok) renameClass(row, renamed);
    });
    if (classTable_->rowCount() > 1) {
        menu.addAction(tr("Merge %1 into…").arg(name), [this, row, name] {
            QStringList others;
            std::vector<int> rows;
            for (int other = 0; other < classTable_->rowCount(); ++other)
                if (other != row) {
                    others << classTable_->item(other, 0)->text();
                    rows.push_back(other);
                }
            bool ok = false;
            const auto chosen = QInputDialog::getItem(this, tr("Merge class"), tr("Give %1's images the label:").arg(name),
                                                      others, 0, false, &ok);
            if (ok) mergeClass(row, rows[std::size_t(others.indexOf(chosen))]);
        });
    }
    menu.addAction(tr("Delete %1", "class").arg(name), [this, row] { deleteClass(row); });
    menu.exec(classTable_->viewport()->mapToGlobal(position));
}

void DataPage::refreshClasses() {
    classes_.clear();
    if (db_) classes_ = store().classSummaries();
    showClasses();
}

void DataPage::countLabel(std::optional<std::int64_t> classId, std::optional<Split> split, int change) {
    if (!classId) return;
    const auto found = std::find_if(classes_.begin(), classes_.end(), [&](const ClassSummary& c) { return c.id == *classId; });
    if (found == classes_.end()) return;
    found->images += change;
    if (split) (*split == Split::Train ? found->train : *split == Split::Val ? found->val : found->test) += change;
}

void DataPage::showClasses() {
    classTable_->setRowCount(int(classes_.size()));
    QStringList keys;
    for (int row = 0; row < int(classes_.size()); ++row) {
        const auto& summary = classes_[std::size_t(row)];
        const QStringList cells = {QString::fromStdString(summary.name), QString::number(summary.images),
                                   QString::number(summary.train), QString::number(summary.val),
                                   QString::number(summary.test)};
        for (int column = 0; column < cells.size(); ++column) {
            auto* item = new QTableWidgetItem(cells[column]);
            if (column > 0) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            classTable_->setItem(row, column, item);
        }
        keys << (row < 9 ? QString::number(row + 1) : QString());
    }
    classTable_->setVerticalHeaderLabels(keys);
    if (filterChoice_->count() > 1) filterChoice_->setItemText(1, unlabelledPoolChoice());
}

QString DataPage::unlabelledPoolChoice() const {
    // The pool is the images without a label (UnlabelledPool): a count, not the whole query, per key press.
    const auto count = db_ ? store().unlabeledCount() : 0;
    if (task_ != kFirstTask) // semi-supervised training's pool is the first task's
        return count == 1 ? tr("No label in %1 (1 image)").arg(taskChoice_->currentText())
                          : tr("No label in %1 (%2 images)").arg(taskChoice_->currentText()).arg(count);
    return count == 1 ? tr("Unlabelled pool (1 image)") : tr("Unlabelled pool (%1 images)").arg(count);
}

void DataPage::refreshFilterChoices() {
    const QSignalBlocker blocker(filterChoice_);
    filterChoice_->clear();
    filterChoice_->addItem(tr("All images"));
    filterChoice_->addItem(unlabelledPoolChoice());
    for (int row = 0; row < classTable_->rowCount(); ++row)
        filterChoice_->addItem(tr("Class: %1").arg(classTable_->item(row, 0)->text()));
    for (const auto* split : {"train", "val", "test"}) filterChoice_->addItem(tr("Split: %1").arg(split));
    QStringList domainNames(domains_.begin(), domains_.end());
    domainNames.removeDuplicates();
    domainNames.sort();
    for (const auto& domain : domainNames) filterChoice_->addItem(tr("Domain: %1").arg(domain), "domain:" + domain);
    misclassified_.clear();
    misclassifiedRun_ = 0;
    if (db_) {
        RunStore runs(*db_);
        const auto records = runs.runs();
        for (auto run = records.rbegin(); run != records.rend() && misclassifiedRun_ == 0; ++run) {
            if (run->status != RunStatus::Finished || runs.metric(run->id, kHeldOutAccuracy).empty()) continue;
            misclassifiedRun_ = run->id;
            for (const auto& error : runs.heldOutErrors(run->id)) misclassified_.insert(QString::fromStdString(error.image));
        }
    }
    if (misclassifiedRun_ > 0)
        filterChoice_->addItem(tr("Misclassified by run %1 (%2 held-out images)").arg(misclassifiedRun_).arg(misclassified_.size()));
    if (!suggestedOrder_.isEmpty()) filterChoice_->addItem(tr("Suggested next (%1)").arg(suggestedOrder_.size()), "suggested");
    filterChoice_->setCurrentIndex(0);
    applyFilterChoice(0);
}

void DataPage::applyFilterChoice(int index) {
    const QString data = filterChoice_->itemData(index).toString();
    if (data == "suggested") return filter_->setRanking(suggestedOrder_);
    if (data.startsWith("domain:")) {
        const QString domain = data.mid(7);
        QSet<QString> images;
        for (auto image = domains_.begin(); image != domains_.end(); ++image)
            if (image.value() == domain) images.insert(image.key());
        return filter_->setImages(std::move(images));
    }
    const int classes = int(classes_.size());
    if (index <= 0) filter_->setFilter(ImageFilterModel::Kind::All);
    else if (index == 1) filter_->setFilter(ImageFilterModel::Kind::Unlabelled);
    else if (index < 2 + classes) filter_->setFilter(ImageFilterModel::Kind::Class, classes_[std::size_t(index - 2)].id);
    else if (index < 5 + classes)
        filter_->setFilter(ImageFilterModel::Kind::Split, 0, QStringList{"train", "val", "test"}.value(index - 2 - classes));
    else filter_->setImages(misclassified_);
}

void DataPage::showPreview() {
    const auto current = grid_->currentIndex();
    previewHeatMap_ = {};
    previewTop_.clear();
    if (!db_ || !current.isValid()) {
        previewImage_.clear();
        previewPlain_ = {};
        paintPreview();
        return;
    }
    const auto& image = model_->image(filter_->mapToSource(current).row());
    previewImage_ = QString::fromStdString(image.sha256);
    previewPlain_ = {};
    try {
        previewPlain_ = ThumbnailLoader::thumbnail(ProjectStore(*db_).imageBytes(image.sha256), kPreview);
    } catch (const std::exception&) {
    }
    const qint64 runId = explainRun_->currentData().toLongLong();
    if (runId > 0) {
        previewTop_ = tr("Run %1 is looking at it…").arg(runId);
        if (explaining_->isRunning()) { // the newest image wins
            pendingExplanation_ = previewImage_;
            explaining_->cancel();
        } else {
            explaining_->startExplanation(projectPath_.toStdString(), {runId}, previewImage_);
        }
    }
    paintPreview();
}

void DataPage::showExplanation(const QString& sha256, const std::vector<ImageExplanation>& explanations) {
    if (sha256 != previewImage_ || !pendingExplanation_.isEmpty() || explanations.empty()) return; // stale
    const auto& explanation = explanations.front();
    // Small inputs (TinyNet's 28 px) are enlarged without smoothing, so their pixels stay visible.
    previewHeatMap_ = explanation.heatMap.scaled(kPreview, kPreview, Qt::KeepAspectRatio,
                                                 explanation.heatMap.width() < kPreview / 2 ? Qt::FastTransformation
                                                                                            : Qt::SmoothTransformation);
    QStringList top;
    for (const auto& [label, probability] : explanation.top) top << tr("%1 %2 %").arg(label).arg(100 * probability, 0, 'f', 1);
    previewTop_ = tr("Run %1: %2").arg(explanation.runId).arg(top.join(", "));
    paintPreview();
}

void DataPage::paintPreview() {
    const bool heat = heatMap_->isChecked() && heatMap_->isEnabled() && !previewHeatMap_.isNull();
    const auto current = grid_->currentIndex();
    if (db_ && current.isValid()) preview_->setPixmap(QPixmap::fromImage(heat ? previewHeatMap_ : previewPlain_));
    else preview_->setText(tr("Select an image to see it here, large.\n\nChoose a finished run below to see its three "
                              "most probable classes for the image and, with H, where it looked."));
    if (!db_ || !current.isValid()) {
        details_->setText(db_ ? tr("%n image(s)", "", model_->rowCount()) : QString());
        return;
    }
    const bool unlabelled = current.data(ImageGridModel::ClassIdRole).toLongLong() == ImageGridModel::kUnlabelled;
    const auto predicted = model_->prediction(previewImage_.toStdString());
    QString text = current.data(Qt::ToolTipRole).toString() + "\n" +
                   (unlabelled && predicted ? tr("Label: none yet; the run suggests %1 (A accepts)").arg(current.data().toString())
                                            : tr("Label: %1").arg(current.data().toString()));
    // The last few labels it had, newest last: who changed what, and undo, leave a trace here.
    constexpr std::size_t kHistoryShown = 4;
    const auto history = store().labelHistory(previewImage_.toStdString());
    QStringList changes;
    for (auto change = history.size() > kHistoryShown ? history.end() - kHistoryShown : history.begin(); change != history.end(); ++change)
        changes << tr("%1 (%2)")
                       .arg(change->className ? QString::fromStdString(*change->className) : tr("cleared"))
                       .arg(QDateTime::fromString(QString::fromStdString(change->changedAt), Qt::ISODateWithMs)
                                .toLocalTime()
                                .toString("yyyy-MM-dd hh:mm"));
    if (!changes.isEmpty()) text += "\n" + tr("Label history: %1").arg(changes.join(QString::fromUtf8(" → ")));
    if (const auto domain = domains_.find(previewImage_); domain != domains_.end()) text += "\n" + tr("Domain: %1").arg(domain.value());
    if (!previewTop_.isEmpty()) text += "\n" + previewTop_;
    details_->setText(text);
}

QString DataPage::previewDetails() const { return details_->text(); }

void DataPage::setExplainingRun(qint64 runId) {
    const int index = explainRun_->findData(runId);
    explainRun_->setCurrentIndex(index < 0 ? 0 : index);
}

void DataPage::setHeatMapShown(bool shown) { heatMap_->setChecked(shown); }

void DataPage::reloadRuns() {
    const qint64 chosen = explainRun_->currentData().toLongLong();
    const QSignalBlocker blocker(explainRun_);
    explainRun_->clear();
    explainRun_->addItem(tr("none"), qint64(0));
    if (db_)
        for (const auto& [id, name] : finishedRuns(*db_)) explainRun_->addItem(name, id);
    const int index = explainRun_->findData(chosen);
    explainRun_->setCurrentIndex(index < 0 ? 0 : index);
    heatMap_->setEnabled(explainRun_->currentData().toLongLong() > 0);
    suggestions_->setRun(explainRun_->currentData().toLongLong());
    map_->reloadSources();
}

bool DataPage::selectImage(const QString& sha256) {
    const int row = model_->rowOf(sha256.toStdString());
    if (row < 0) return false;
    auto index = filter_->mapFromSource(model_->index(row));
    if (!index.isValid()) { // the filter hides it: show every image
        filterChoice_->setCurrentIndex(0);
        index = filter_->mapFromSource(model_->index(row));
    }
    grid_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
    grid_->scrollTo(index);
    return true;
}

void DataPage::focusInEvent(QFocusEvent* event) { grid_->setFocus(event->reason()); }

bool DataPage::eventFilter(QObject* watched, QEvent* event) {
    if ((watched == grid_ || watched == map_) && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->modifiers() == Qt::NoModifier || key->modifiers() == Qt::KeypadModifier) {
            if (key->key() == Qt::Key_H && heatMap_->isEnabled()) {
                heatMap_->toggle();
                return true;
            }
            if (key->key() == Qt::Key_A) {
                acceptPredictions(0);
                return true;
            }
            if (key->key() == Qt::Key_0) {
                labelSelection(std::nullopt);
                return true;
            }
            if (key->key() >= Qt::Key_1 && key->key() <= Qt::Key_9) {
                labelSelection(key->key() - Qt::Key_1);
                return true;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace graft::ui
