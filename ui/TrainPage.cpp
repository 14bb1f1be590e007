#include "TrainPage.h"

#include "MetricChart.h"
#include "ModelPage.h"
#include "Notice.h"
#include "JobController.h"

#include "experiment/EpochCurves.h"
#include "experiment/ExperimentRunner.h"
#include "models/BuiltInWeights.h"
#include "experiment/ExperimentSpec.h"
#include "project/ExperimentStore.h"
#include "project/ProjectFile.h"
#include "project/RunStore.h"
#include "selection/Selection.h"
#include "train/RunSpec.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFileDialog>
#include <QFocusEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

namespace graft::ui {
namespace {

QString duration(double seconds) {
    const auto whole = qint64(seconds + 0.5);
    return whole >= 3600 ? QString("%1 h %2 min").arg(whole / 3600).arg(whole % 3600 / 60)
           : whole >= 60 ? QString("%1 min %2 s").arg(whole / 60).arg(whole % 60)
                         : QString("%1 s").arg(whole);
}

} // namespace

TrainPage::TrainPage(const ModelPage* model, QWidget* parent)
    : QWidget(parent), model_(model), job_(new JobController(this)), chart_(new MetricChart), epochs_(new QSpinBox),
      batchSize_(new QSpinBox), inputSize_(new QSpinBox), learningRate_(new QDoubleSpinBox), optimizer_(new QComboBox), schedule_(new QComboBox),
      augment_(new QComboBox), seed_(new QSpinBox), labelsPerClass_(new QSpinBox), semiSupervised_(new QComboBox),
      threshold_(new QDoubleSpinBox), unlabelledRatio_(new QSpinBox), unlabelledWeight_(new QDoubleSpinBox),
      emaDecay_(new QDoubleSpinBox),
      init_(new QLineEdit("scratch")), seeds_(new QSpinBox), budgets_(new QLineEdit("all")),
      metric_(new QComboBox), withProbe_(new QCheckBox(tr("also a linear probe"))),
      withFixMatch_(new QCheckBox(tr("also both with FixMatch on the unlabelled images"))), tasks_(new QComboBox), taskWeights_(new QComboBox),
      tasksRow_(new QWidget), trainingDomain_(new QComboBox),
      targetDomain_(new QComboBox), adaptation_(new QComboBox),
      withAdaptation_(new QCheckBox(tr("also both adapted to the target domain (AdaBN, Deep CORAL, DANN)"))),
      selfSupervisedInit_(new QLineEdit),
      scratchLearningRate_(new QDoubleSpinBox),
      scratchEpochs_(new QSpinBox), probeLearningRate_(new QDoubleSpinBox), startButton_(new QPushButton(tr("Start training"))),
      experimentButton_(new QPushButton(tr("Run experiment"))), strategies_(new QLineEdit("random, typical, diverse, uncertain")),
      perRound_(new QSpinBox), rounds_(new QSpinBox), seedLabels_(new QSpinBox), simulateButton_(new QPushButton(tr("Simulate labelling"))),
      continueButton_(new QPushButton),
      pauseButton_(new QPushButton(tr("Pause"))), resumeButton_(new QPushButton(tr("Resume"))), progress_(new QProgressBar), progressText_(new QLabel),
      runTable_(new QTableWidget(0, 7)) {
    epochs_->setRange(1, 1000);
    epochs_->setValue(5);
    epochs_->setObjectName("epochs");
    batchSize_->setRange(1, 4096);
    batchSize_->setValue(64);
    batchSize_->setObjectName("batchSize");
    inputSize_->setObjectName("inputSize");
    inputSize_->setRange(0, kLargestInputSize);
    inputSize_->setSingleStep(32);
    inputSize_->setSuffix(tr(" px"));
    inputSize_->setSpecialValueText(tr("the architecture's own"));
    inputSize_->setToolTip(tr("Images are cropped to this many pixels square. Smaller is faster: an epoch of ResNet-18 "
                              "at 160 px takes about half as long as at 224 px. Every arm of an experiment uses it."));
    for (auto* rate : {learningRate_, scratchLearningRate_, probeLearningRate_}) {
        rate->setDecimals(5);
        rate->setRange(1e-5, 10);
        rate->setSingleStep(1e-4);
        rate->setValue(3e-3);
    }
    learningRate_->setObjectName("learningRate");
    scratchLearningRate_->setObjectName("scratchLearningRate");
    scratchLearningRate_->setToolTip(tr("Scratch starts from random weights and usually wants a higher rate than "
                                        "fine-tuning; tune it as you would for a model of its own"));
    scratchEpochs_->setRange(1, 1000);
    scratchEpochs_->setValue(5);
    scratchEpochs_->setObjectName("scratchEpochs");
    scratchEpochs_->setToolTip(tr("Scratch usually needs more epochs than fine-tuning to converge"));
    probeLearningRate_->setValue(1e-2); // a lone linear head takes rates ten times fine-tuning's
    probeLearningRate_->setObjectName("probeLearningRate");
    probeLearningRate_->setToolTip(tr("The probe trains only the new head, on frozen features"));
    probeLearningRate_->setEnabled(false);
    connect(withProbe_, &QCheckBox::toggled, probeLearningRate_, &QWidget::setEnabled);
    optimizer_->setObjectName("optimizer");
    optimizer_->addItem(tr("AdamW"), "adam");
    optimizer_->addItem(tr("SGD with momentum"), "sgd");
    schedule_->setObjectName("schedule");
    for (const auto* schedule : {"cosine", "constant", "step", "onecycle"}) schedule_->addItem(schedule);
    schedule_->setToolTip(tr("How the learning rate changes over the run"));
    augment_->setObjectName("augment");
    augment_->setEditable(true); // any AugmentSpec text
    augment_->addItems({"none", "standard", "flip:0.5", "crop:0.5,flip:0.5"});
    augment_->setToolTip(tr("Random changes to training images: none, standard (crop, flip, rotate, colour), or items "
                            "such as crop:0.35, flip:0.5, rotate:10, brightness:0.2. Augmentation turns the feature "
                            "cache off."));
    semiSupervised_->setObjectName("semiSupervised");
    semiSupervised_->addItem(tr("not used"), "none");
    semiSupervised_->addItem(tr("FixMatch"), "fixmatch");
    semiSupervised_->setAccessibleName(tr("Unlabelled images"));
    semiSupervised_->setToolTip(tr("FixMatch also learns from the images without a label: where the model is sure of a "
                                   "lightly changed image, that guess teaches a heavily changed copy of it. Validation "
                                   "and test images never join the unlabelled pool."));
    threshold_->setObjectName("confidenceThreshold");
    threshold_->setRange(0, 1);
    threshold_->setDecimals(2);
    threshold_->setSingleStep(0.05);
    threshold_->setValue(0.95);
    threshold_->setPrefix(tr("τ "));
    threshold_->setAccessibleName(tr("Confidence threshold"));
    threshold_->setToolTip(tr("A guess teaches only where the model gives it at least this probability (FixMatch's τ)"));
    unlabelledRatio_->setObjectName("unlabelledRatio");
    unlabelledRatio_->setRange(1, 64);
    unlabelledRatio_->setValue(7);
    unlabelledRatio_->setPrefix(tr("μ "));
    unlabelledRatio_->setAccessibleName(tr("Unlabelled images per labelled image"));
    unlabelledRatio_->setToolTip(tr("Unlabelled images in each step per labelled image (FixMatch's μ); each step costs "
                                    "about 1 + 2μ times a supervised one"));
    unlabelledWeight_->setObjectName("unlabelledWeight");
    unlabelledWeight_->setRange(0, 100);
    unlabelledWeight_->setDecimals(2);
    unlabelledWeight_->setValue(1);
    unlabelledWeight_->setPrefix(tr("λ "));
    unlabelledWeight_->setAccessibleName(tr("Weight of the unlabelled loss"));
    unlabelledWeight_->setToolTip(tr("How much the unlabelled images' loss counts beside the labelled one (FixMatch's λ)"));
    const auto enableFixMatchSettings = [this] {
        const bool fixMatch = semiSupervised_->currentData().toString() != "none";
        for (QWidget* setting : {static_cast<QWidget*>(threshold_), static_cast<QWidget*>(unlabelledRatio_),
                                 static_cast<QWidget*>(unlabelledWeight_)})
            setting->setEnabled(fixMatch);
    };
    connect(semiSupervised_, &QComboBox::currentIndexChanged, this, enableFixMatchSettings);
    enableFixMatchSettings();
    emaDecay_->setObjectName("emaDecay");
    emaDecay_->setRange(0, 0.9999);
    emaDecay_->setDecimals(4);
    emaDecay_->setSingleStep(0.001);
    emaDecay_->setSpecialValueText(tr("off"));
    emaDecay_->setToolTip(tr("Validate and finish with a running average of the weights, each step keeping this share "
                             "of it (FixMatch uses 0.999); off keeps the trained weights"));
    selfSupervisedInit_->setObjectName("selfSupervisedInit");
    selfSupervisedInit_->setPlaceholderText(tr("none"));
    selfSupervisedInit_->setAccessibleName(tr("Self-supervised weights"));
    selfSupervisedInit_->setToolTip(tr("Weights from graft-cli pretrain --self-supervised: one more arm fine-tunes them as "
                                       "transfer fine-tunes the initial weights (and with FixMatch, if chosen above)"));
    withFixMatch_->setObjectName("withFixMatch");
    withFixMatch_->setToolTip(tr("A twin of each fine-tuned arm (transfer, scratch, self-supervised) that also learns from "
                                 "the images without a label and, at a label budget, from the training images the budget "
                                 "leaves out"));
    tasks_->setObjectName("tasks");
    tasks_->setEditable(true); // any comma-separated list of tasks
    tasks_->setToolTip(tr("The label sets to learn: one, or several with one backbone and a head each (type a,b for a choice)"));
    taskWeights_->setObjectName("taskWeights");
    taskWeights_->setEditable(true); // or a weight per task: 1,0.5
    taskWeights_->addItems({"equal", "uncertainty"});
    taskWeights_->setToolTip(tr("How the tasks' losses add up: equally, weighted as the run learns (uncertainty), or "
                                "a weight per task such as 1,0.5"));
    trainingDomain_->setObjectName("trainingDomain");
    trainingDomain_->setAccessibleName(tr("Train on the labelled images of"));
    targetDomain_->setObjectName("targetDomain");
    targetDomain_->setAccessibleName(tr("Target domain"));
    targetDomain_->setToolTip(tr("The domain the model is for: held-out figures count its test images only"));
    adaptation_->setObjectName("domainAdaptation");
    adaptation_->setAccessibleName(tr("Adapt to the target domain"));
    adaptation_->addItem(tr("no adaptation"), "none");
    adaptation_->addItem(tr("AdaBN"), "adabn");
    adaptation_->addItem(tr("Deep CORAL"), "coral");
    adaptation_->addItem(tr("DANN"), "dann");
    adaptation_->setToolTip(tr("Learn from the target domain's images without reading their labels: AdaBN takes its "
                               "BatchNorm statistics, Deep CORAL aligns the features' covariances, DANN trains the "
                               "features to fool a domain classifier"));
    withAdaptation_->setObjectName("withAdaptation");
    withAdaptation_->setToolTip(tr("Three twins of each fine-tuned arm (transfer, scratch, self-supervised), each adapted "
                                   "to the target domain one way; needs a target domain"));
    setDomains({});
    setTasks({});
    seed_->setRange(0, 1'000'000);
    labelsPerClass_->setRange(0, 1'000'000);
    labelsPerClass_->setSpecialValueText(tr("all"));
    init_->setToolTip(tr("scratch, a weights file (.pt from Graft, .pth from torchvision) to start from, or weights "
                         "built into Graft, such as builtin:tinynet-fmnist"));
    init_->setAccessibleName(tr("Initial weights"));
    init_->setObjectName("initialWeights");
    seeds_->setRange(1, 100);
    seeds_->setValue(3);
    seeds_->setObjectName("seeds");
    withProbe_->setObjectName("withProbe");
    seeds_->setToolTip(tr("Every arm trains once per seed; more seeds give narrower intervals (10 or more: bootstrap)"));
    budgets_->setObjectName("budgets");
    budgets_->setToolTip(tr("Labelled images per class, comma-separated, e.g. 5,10,all"));
    metric_->setObjectName("experimentMetric");
    // Sized by a short text, not its longest choice, which made the form push the chart to a third of 1280 px.
    metric_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    metric_->setMinimumContentsLength(24);
    metric_->addItem(tr("automatic: accuracy, or balanced accuracy when the classes are uneven"), QString());
    for (const auto metric : experimentMetrics())
        metric_->addItem(QString::fromUtf8(metricLabel(metric).data(), qsizetype(metricLabel(metric).size())),
                         QString::fromUtf8(metricKey(metric).data(), qsizetype(metricKey(metric).size())));
    metric_->setToolTip(tr("What the verdicts, intervals and curves are about. On uneven classes accuracy rewards "
                           "saying the common class; balanced accuracy and macro-F1 do not"));
    experimentButton_->setObjectName("runExperiment");
    strategies_->setObjectName("simulationStrategies");
    strategies_->setToolTip(tr("random, typical (TypiClust: dense images of big clusters, for few labels), diverse "
                               "(k-center greedy), uncertain (smallest margin of the last round's model), "
                               "uncertain-per-cluster; each is judged against random"));
    perRound_->setObjectName("simulationPerRound");
    perRound_->setRange(1, 100'000);
    perRound_->setValue(10);
    rounds_->setObjectName("simulationRounds");
    rounds_->setRange(1, 100);
    rounds_->setValue(4);
    seedLabels_->setObjectName("simulationSeedLabels");
    seedLabels_->setRange(0, 100'000);
    seedLabels_->setSuffix(tr(" images"));
    seedLabels_->setSpecialValueText(tr("cold start"));
    seedLabels_->setToolTip(tr("Images labelled at random before the first round; a cold start has none"));
    simulateButton_->setObjectName("runSimulation");
    simulateButton_->setToolTip(tr("Hides the training labels and lets each strategy reveal them round by round, training "
                                   "these settings after every round: which way of choosing images to label pays here"));
    continueButton_->setObjectName("continueExperiment");
    continueButton_->setToolTip(tr("Trains this experiment's trials that have not finished; finished ones are kept"));
    continueButton_->hide();
    startButton_->setObjectName("startTraining");
    startButton_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    startButton_->setToolTip(tr("Trains these settings on the project's labelled images (Ctrl+Enter)"));
    pauseButton_->setObjectName("pauseTraining");
    pauseButton_->setEnabled(false);
    pauseButton_->setToolTip(tr("Stops after the current step and keeps everything so far; Resume continues it exactly"));
    resumeButton_->setObjectName("resumeTraining");
    resumeButton_->setEnabled(false);
    resumeButton_->setToolTip(tr("Continues the selected stopped or interrupted run from where it stopped"));
    progress_->setRange(0, 100);
    progress_->setValue(0);

    auto* browse = new QPushButton(tr("Browse…"));
    auto* initRow = new QHBoxLayout;
    initRow->addWidget(init_, 1);
    initRow->addWidget(browse);
    auto* form = new QFormLayout;
    form->addRow(tr("Initial weights"), initRow);
    form->addRow(tr("Epochs"), epochs_);
    form->addRow(tr("Batch size"), batchSize_);
    form->addRow(tr("Input size"), inputSize_);
    form->addRow(tr("Learning rate"), learningRate_);
    form->addRow(tr("Optimizer"), optimizer_);
    form->addRow(tr("Schedule"), schedule_);
    form->addRow(tr("Augmentation"), augment_);
    form->addRow(tr("Seed"), seed_);
    form->addRow(tr("Labels per class"), labelsPerClass_);
    auto* unlabelledRow = new QHBoxLayout;
    unlabelledRow->addWidget(semiSupervised_, 1);
    for (QWidget* setting : {static_cast<QWidget*>(threshold_), static_cast<QWidget*>(unlabelledRatio_),
                             static_cast<QWidget*>(unlabelledWeight_)})
        unlabelledRow->addWidget(setting);
    form->addRow(tr("Unlabelled images"), unlabelledRow);
    form->addRow(tr("Weight average"), emaDecay_);
    auto* tasksLayout = new QHBoxLayout(tasksRow_);
    tasksLayout->setContentsMargins(0, 0, 0, 0);
    tasksLayout->addWidget(tasks_, 1);
    tasksLayout->addWidget(new QLabel(tr("weighted")));
    tasksLayout->addWidget(taskWeights_);
    form->addRow(tr("Tasks"), tasksRow_);
    auto* domainRow = new QHBoxLayout;
    domainRow->addWidget(trainingDomain_, 1);
    domainRow->addWidget(new QLabel(tr("for")));
    domainRow->addWidget(targetDomain_, 1);
    domainRow->addWidget(adaptation_);
    form->addRow(tr("Domains"), domainRow);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(startButton_);
    buttons->addWidget(pauseButton_);
    buttons->addWidget(resumeButton_);
    form->addRow(buttons);
    auto* experimentTitle = new QLabel(tr("<b>Experiment</b>: these settings as transfer, against scratch"));
    experimentTitle->setWordWrap(true); // titles wrap: the chart, not the form, gets the width
    form->addRow(experimentTitle);
    form->addRow(tr("Seeds"), seeds_);
    form->addRow(tr("Labels per class"), budgets_);
    form->addRow(tr("Judged by"), metric_);
    form->addRow(tr("Scratch learning rate"), scratchLearningRate_);
    form->addRow(tr("Scratch epochs"), scratchEpochs_);
    form->addRow(withProbe_);
    form->addRow(tr("Probe learning rate"), probeLearningRate_);
    form->addRow(withFixMatch_);
    form->addRow(withAdaptation_);
    auto* browseSelfSupervised = new QPushButton(tr("Browse…"));
    browseSelfSupervised->setAccessibleName(tr("Browse for self-supervised weights"));
    auto* selfSupervisedRow = new QHBoxLayout;
    selfSupervisedRow->addWidget(selfSupervisedInit_, 1);
    selfSupervisedRow->addWidget(browseSelfSupervised);
    form->addRow(tr("Self-supervised weights"), selfSupervisedRow);
    connect(browseSelfSupervised, &QPushButton::clicked, this, [this] {
        const auto file = QFileDialog::getOpenFileName(this, tr("Self-supervised weights"), {},
                                                       tr("Weights (*.pt);;All files (*)"));
        if (!file.isEmpty()) selfSupervisedInit_->setText(file);
    });
    form->addRow(experimentButton_);
    auto* simulationTitle = new QLabel(tr("<b>Labelling simulation</b>: which images to label first, measured"));
    simulationTitle->setToolTip(simulateButton_->toolTip());
    simulationTitle->setWordWrap(true);
    form->addRow(simulationTitle);
    form->addRow(tr("Strategies"), strategies_);
    // One row each, named by the form: side by side they set the form's width and squeezed the chart.
    form->addRow(tr("Images per round"), perRound_);
    form->addRow(tr("Rounds"), rounds_);
    form->addRow(tr("Seed set"), seedLabels_);
    form->addRow(simulateButton_);
    form->addRow(continueButton_);
    auto* settings = new QWidget;
    settings->setLayout(form);

    runTable_->setObjectName("runTable");
    runTable_->setAccessibleName(tr("Runs"));
    runTable_->setHorizontalHeaderLabels({tr("Run"), tr("Architecture"), tr("Init"), tr("Seed"), tr("Status"),
                                          tr("Epochs"), tr("Validation accuracy")});
    runTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    runTable_->setTabKeyNavigation(false); // Tab moves on to the next control; arrows move in the table
    runTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    runTable_->setSelectionMode(QAbstractItemView::SingleSelection);
    runTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    runTable_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    runTable_->verticalHeader()->hide();

    auto* top = new QSplitter;
    // The form outgrows a 800 px window; it scrolls, and the progress under it and the run table
    // stay in view.
    auto* settingsScroll = new QScrollArea;
    settingsScroll->setWidget(settings);
    settingsScroll->setWidgetResizable(true);
    settingsScroll->setFrameShape(QFrame::NoFrame);
    settingsScroll->setFocusPolicy(Qt::NoFocus); // Tab goes through the form, which scrolls to it
    settingsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    settingsScroll->setMinimumWidth(settings->sizeHint().width() + 20);
    auto* settingsColumn = new QWidget;
    auto* settingsLayout = new QVBoxLayout(settingsColumn);
    settingsLayout->setContentsMargins(0, 0, 0, 0);
    settingsLayout->addWidget(settingsScroll, 1);
    settingsLayout->addWidget(progress_);
    settingsLayout->addWidget(progressText_);
    top->addWidget(settingsColumn);
    top->addWidget(chart_);
    top->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    auto* vertical = new QSplitter(Qt::Vertical);
    vertical->addWidget(top);
    vertical->addWidget(runTable_);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 1);
    layout->addWidget(vertical);

    connect(browse, &QPushButton::clicked, this, [this] {
        const auto file = QFileDialog::getOpenFileName(this, tr("Initial weights"), {}, tr("Weights (*.pt *.pth);;All files (*)"));
        if (!file.isEmpty()) init_->setText(file);
    });
    connect(startButton_, &QPushButton::clicked, this, &TrainPage::start);
    connect(pauseButton_, &QPushButton::clicked, this, &TrainPage::pause);
    connect(experimentButton_, &QPushButton::clicked, this, &TrainPage::startExperiment);
    connect(simulateButton_, &QPushButton::clicked, this, &TrainPage::startSimulation);
    connect(continueButton_, &QPushButton::clicked, this, &TrainPage::continueExperiment);
    connect(resumeButton_, &QPushButton::clicked, this, &TrainPage::resumeSelected);
    connect(job_, &JobController::trialsDone, this, &TrainPage::onTrials);
    connect(job_, &JobController::stepDone, this, &TrainPage::onStep);
    connect(job_, &JobController::epochDone, this, [this](const EpochEvent& event) {
        if (experiment_) showExperiment(experimentId_); // the arms as recorded, this epoch included
        else
            chart_->addEpoch(event.step, event.trainLoss, event.trainAccuracy,
                             event.validated ? std::optional(event.valLoss) : std::nullopt,
                             event.validated ? std::optional(event.valAccuracy) : std::nullopt);
        if (!experiment_ && event.unlabelledKeptShare) chart_->addKeptShare(event.step, *event.unlabelledKeptShare);
    });
    followTimer_.setInterval(1000);
    connect(&followTimer_, &QTimer::timeout, this, &TrainPage::followTick);
    connect(job_, &JobController::finished, this, &TrainPage::onFinished);
    connect(runTable_, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (row >= 0 && !job_->isRunning()) showRun(runTable_->item(row, 0)->text().toLongLong());
        updateResume();
    });
}

void TrainPage::setProject(const QString& path) {
    if (job_->isRunning()) job_->cancel();
    followTimer_.stop();
    followedRun_ = 0;
    experimentId_ = 0;
    projectPath_ = path;
    chart_->clear();
    reloadRuns();
    if (runTable_->rowCount() > 0) runTable_->setCurrentCell(runTable_->rowCount() - 1, 0); // the latest run's curves
    followRunning();
    findUnfinishedExperiment();
}

void TrainPage::setDomains(const QStringList& domains) {
    const QVariant training = trainingDomain_->currentData(), target = targetDomain_->currentData();
    trainingDomain_->clear();
    targetDomain_->clear();
    trainingDomain_->addItem(tr("every domain"), QString());
    targetDomain_->addItem(tr("no target domain"), QString());
    for (const auto& domain : domains) {
        trainingDomain_->addItem(tr("domain %1").arg(domain), domain);
        targetDomain_->addItem(tr("domain %1").arg(domain), domain);
    }
    trainingDomain_->setCurrentIndex(std::max(0, trainingDomain_->findData(training)));
    targetDomain_->setCurrentIndex(std::max(0, targetDomain_->findData(target)));
    for (QWidget* control : {static_cast<QWidget*>(trainingDomain_), static_cast<QWidget*>(targetDomain_),
                             static_cast<QWidget*>(adaptation_), static_cast<QWidget*>(withAdaptation_)})
        control->setEnabled(!domains.isEmpty());
}

void TrainPage::setTasks(const QStringList& tasks) {
    const QString chosen = tasks_->currentText();
    tasks_->clear();
    for (const auto& task : tasks) tasks_->addItem(task, task);
    if (tasks.size() > 1) tasks_->addItem(tr("all %1 together").arg(tasks.size()), tasks.join(","));
    tasks_->setCurrentIndex(std::max(0, tasks_->findText(chosen)));
    tasksRow_->setVisible(tasks.size() > 1);
}

void TrainPage::findUnfinishedExperiment() {
    unfinishedExperiment_ = 0;
    QString name;
    ExperimentState state;
    try {
        Database db = openProject(projectPath_.toStdString(), ProjectAccess::ReadOnly);
        const auto experiments = ExperimentStore(db).experiments();
        for (auto experiment = experiments.begin(); experiment != experiments.end(); ++experiment) { // the oldest first: a queue
            state = experimentState(db, experiment->id);
            if (state.left() == 0) continue;
            unfinishedExperiment_ = experiment->id;
            name = QString::fromStdString(experiment->name);
            break;
        }
    } catch (const std::exception&) {
        // reloadRuns has said why the project cannot be read
    }
    continueButton_->setVisible(unfinishedExperiment_ > 0);
    if (unfinishedExperiment_ == 0) return;
    continueButton_->setText(state.finished + state.failed == 0
                                 ? tr("Run experiment %1, %2 (%3 trials)").arg(unfinishedExperiment_).arg(name).arg(state.trials)
                                 : tr("Continue experiment %1, %2 (%3 of %4 trials left)")
                                       .arg(unfinishedExperiment_)
                                       .arg(name)
                                       .arg(state.left())
                                       .arg(state.trials));
}

void TrainPage::continueExperiment() {
    if (projectPath_.isEmpty() || job_->isRunning() || unfinishedExperiment_ == 0) return;
    followTimer_.stop();
    experimentId_ = unfinishedExperiment_;
    showExperiment(experimentId_);
    prepareJob(tr("Starting experiment %1…").arg(experimentId_), true);
    job_->startExperiment(projectPath_.toStdString(), experimentId_);
    setRunning(true);
}

void TrainPage::followRunning() {
    std::vector<RunRecord> records;
    try {
        Database db = openProject(projectPath_.toStdString(), ProjectAccess::ReadOnly);
        records = RunStore(db).runs();
    } catch (const std::exception&) {
        return; // reloadRuns has said why
    }
    const auto running = std::find_if(records.rbegin(), records.rend(),
                                      [](const RunRecord& run) { return run.status == RunStatus::Running; });
    if (running == records.rend()) {
        // The newest run's experiment, if it was a trial, as the arms compare; else the run itself.
        if (!records.empty() && records.back().experimentId > 0) showExperiment(records.back().experimentId);
        return;
    }
    followedRun_ = running->id;
    idleFollowTicks_ = 0;
    const QString text = running->experimentId > 0
                             ? tr("Experiment %1 is training in another process; following it.").arg(running->experimentId)
                             : tr("Run %1 is training in another process; following it.").arg(running->id);
    progressText_->setText(text);
    Q_EMIT status(text);
    if (running->experimentId > 0) showExperiment(running->experimentId);
    else showRun(running->id);
    followTimer_.start();
}

// An experiment has short gaps between trials where nothing runs, so following ends only after
// a few quiet seconds.
void TrainPage::followTick() {
    constexpr int kQuietTicks = 5;
    std::optional<RunRecord> followed;
    bool anyRunning = false;
    try {
        Database db = openProject(projectPath_.toStdString(), ProjectAccess::ReadOnly);
        RunStore runs(db);
        followed = runs.run(followedRun_);
        for (const auto& run : runs.runs()) {
            if (run.status != RunStatus::Running) continue;
            if (followed->experimentId > 0 ? run.experimentId == followed->experimentId : run.id == followed->id) anyRunning = true;
        }
    } catch (const std::exception& error) {
        progressText_->setText(QString::fromStdString(error.what()));
        followTimer_.stop();
        return;
    }
    if (followed->experimentId > 0) showExperiment(followed->experimentId);
    else showRun(followed->id);
    idleFollowTicks_ = anyRunning ? 0 : idleFollowTicks_ + 1;
    if (idleFollowTicks_ < kQuietTicks) return;
    followTimer_.stop();
    followedRun_ = 0;
    progressText_->setText(tr("The run followed has ended."));
    reloadRuns();
}

void TrainPage::setInitialWeights(const QString& weights) { init_->setText(weights); }

int TrainPage::runCount() const { return runTable_->rowCount(); }

int TrainPage::progressPercent() const { return progress_->value(); }

QString TrainPage::progressText() const { return progressText_->text(); }

void TrainPage::start() {
    if (projectPath_.isEmpty() || job_->isRunning()) return;
    TrainingRequest request;
    request.project = projectPath_.toStdString();
    if (!readSettings(request.config)) return;
    request.config.init = init_->text().trimmed().isEmpty() ? "scratch" : init_->text().trimmed().toStdString();
    request.config.seed = std::uint64_t(seed_->value());
    request.config.labelsPerClass = labelsPerClass_->value();
    plannedEpochs_ = request.config.epochs;
    chart_->clear();
    prepareJob(tr("Starting…"), false);
    job_->startTraining(request);
    setRunning(true);
}

void TrainPage::startExperiment() {
    if (projectPath_.isEmpty() || job_->isRunning()) return;
    followTimer_.stop();
    const QString weights = init_->text().trimmed();
    if (!QFileInfo(weights).isFile() && !weights.startsWith(QString::fromUtf8(kBuiltInWeightsPrefix.data(), kBuiltInWeightsPrefix.size()))) {
        showNotice(this, QMessageBox::Warning, tr("Experiment"),
                   tr("The transfer arm starts from initial weights: choose a weights file (now: '%1').").arg(weights),
                   "trainError");
        return;
    }
    ExperimentSpec spec;
    spec.name = QFileInfo(weights).completeBaseName().toStdString() + " vs scratch";
    spec.budgets.clear();
    for (const auto& part : budgets_->text().split(',', Qt::SkipEmptyParts)) {
        bool number = false;
        const int budget = part.trimmed().toInt(&number);
        if (part.trimmed() == "all") spec.budgets.push_back(0);
        else if (number && budget > 0) spec.budgets.push_back(budget);
        else {
            showNotice(this, QMessageBox::Warning, tr("Experiment"),
                       tr("Labels per class: '%1' is neither a positive number nor 'all'.").arg(part.trimmed()), "trainError");
            return;
        }
    }
    if (spec.budgets.empty()) spec.budgets.push_back(0);
    spec.seeds.clear();
    for (int seed = 0; seed < seeds_->value(); ++seed) spec.seeds.push_back(std::uint64_t(seed));
    TrainConfig transfer;
    if (!readSettings(transfer)) return;
    transfer.init = weights.toStdString();
    TrainConfig scratch = transfer;
    scratch.init = "scratch";
    scratch.freeze = "none";
    scratch.lrMultipliers.clear(); // discriminative rates are a transfer technique: the baseline trains plainly
    scratch.learningRate = scratchLearningRate_->value();
    scratch.epochs = scratchEpochs_->value();
    spec.arms = {{"transfer", transfer}, {"scratch", scratch}};
    if (const QString key = metric_->currentData().toString(); !key.isEmpty()) spec.metric = metricFromKey(key.toStdString());
    if (withProbe_->isChecked()) {
        TrainConfig probe = transfer;
        probe.freeze = "probe";
        probe.lrMultipliers.clear(); // only the head trains
        probe.learningRate = probeLearningRate_->value();
        spec.arms.push_back({"probe", probe});
    }
    std::vector<std::pair<std::string, TrainConfig>> fineTuned{{"transfer", transfer}, {"scratch", scratch}};
    if (const QString file = selfSupervisedInit_->text().trimmed(); !file.isEmpty()) {
        if (!QFileInfo(file).isFile()) {
            showNotice(this, QMessageBox::Warning, tr("Experiment"), tr("Self-supervised weights: %1 is not a file.").arg(file),
                       "trainError");
            return;
        }
        TrainConfig selfSupervised = transfer;
        selfSupervised.init = file.toStdString();
        spec.arms.push_back({"self-supervised", selfSupervised});
        fineTuned.emplace_back("self-supervised", selfSupervised);
    }
    if (withAdaptation_->isChecked()) {
        if (transfer.targetDomain.empty()) {
            showNotice(this, QMessageBox::Warning, tr("Experiment"), tr("Adapted arms need a target domain: choose one under Domains."),
                       "trainError");
            return;
        }
        const std::vector<std::pair<std::string, std::string>> methods{{"adabn", "AdaBN"}, {"coral", "Deep CORAL"}, {"dann", "DANN"}};
        for (const auto& [name, config] : fineTuned)
            for (const auto& [method, label] : methods) {
                if (config.domainAdaptation == method) continue; // the form already adapts this arm so
                TrainConfig adapted = config;
                adapted.domainAdaptation = method;
                spec.arms.push_back({name + " + " + label, adapted});
            }
    }
    if (withFixMatch_->isChecked()) {
        for (const auto& [name, config] : fineTuned) {
            if (config.learnsFromUnlabelled()) continue; // the form already made this arm semi-supervised
            TrainConfig semiSupervised = config;
            semiSupervised.semiSupervised = "fixmatch";
            semiSupervised.unlabelledPool = "beyond-budget"; // a budget's left-out labels are what a user would not have
            spec.arms.push_back({name + " + FixMatch", semiSupervised});
        }
    }
    launchExperiment(std::move(spec));
}

void TrainPage::startSimulation() {
    if (projectPath_.isEmpty() || job_->isRunning()) return;
    followTimer_.stop();
    ExperimentSpec spec;
    LabellingSimulation simulation;
    bool anyNeedsFeatures = false;
    for (const auto& part : strategies_->text().split(',', Qt::SkipEmptyParts)) {
        const std::string name = part.trimmed().toStdString();
        try {
            anyNeedsFeatures |= needsFeatures(strategyFromName(name));
        } catch (const std::exception& error) {
            showNotice(this, QMessageBox::Warning, tr("Labelling simulation"), QString::fromStdString(error.what()), "trainError");
            return;
        }
        simulation.strategies.push_back(name);
    }
    simulation.perRound = perRound_->value();
    simulation.rounds = rounds_->value();
    simulation.seedLabels = seedLabels_->value();
    TrainConfig recipe;
    if (!readSettings(recipe)) return;
    recipe.init = init_->text().trimmed().toStdString();
    if (anyNeedsFeatures && recipe.init == "scratch") {
        showNotice(this, QMessageBox::Warning, tr("Labelling simulation"),
                   tr("Typical, diverse and uncertain-per-cluster pick by the features of the initial weights: choose "
                      "a weights file, or keep to random and uncertain."),
                   "trainError");
        return;
    }
    try { // checked as a stored spec is: names, counts and the baseline
        spec.simulation = simulation;
        spec.name = tr("Which images to label: %1").arg(strategies_->text().trimmed()).toStdString();
        spec.seeds.clear();
        for (int seed = 0; seed < seeds_->value(); ++seed) spec.seeds.push_back(std::uint64_t(seed));
        spec.arms = {{"recipe", recipe}};
        spec.baseline = strategyName(SelectionStrategy::Random); // every strategy is judged against it
        spec = ExperimentSpec::fromJson(spec.toJson());
    } catch (const std::exception& error) {
        showNotice(this, QMessageBox::Warning, tr("Labelling simulation"), QString::fromStdString(error.what()), "trainError");
        return;
    }
    if (const QString key = metric_->currentData().toString(); !key.isEmpty()) spec.metric = metricFromKey(key.toStdString());
    launchExperiment(std::move(spec));
}

void TrainPage::launchExperiment(ExperimentSpec spec) {
    std::int64_t id = 0;
    try {
        Database db = openProject(projectPath_.toStdString());
        ProjectStore store(db);
        id = ExperimentStore(db).create(spec.name, spec.withProjectDefaults(store).toJson());
    } catch (const std::exception& error) {
        showNotice(this, QMessageBox::Warning, tr("Experiment"), QString::fromStdString(error.what()), "trainError");
        return;
    }
    experimentId_ = id;
    chart_->showArms(tr("Experiment %1: waiting for the first epoch").arg(id), spec.baseline, {}, {}, tr("validation"));
    prepareJob(tr("Starting experiment %1…").arg(id), true);
    job_->startExperiment(projectPath_.toStdString(), id);
    setRunning(true);
}

bool TrainPage::readSettings(TrainConfig& config) {
    config.arch = model_->architecture().toStdString();
    config.freeze = model_->freezePlan().toStdString();
    config.lrMultipliers = model_->learningRateMultipliers().toStdString();
    config.epochs = epochs_->value();
    config.batchSize = batchSize_->value();
    config.inputSize = inputSize_->value();
    config.learningRate = learningRate_->value();
    config.optimizer = optimizer_->currentData().toString().toStdString();
    config.schedule = schedule_->currentText().toStdString();
    config.augment = augment_->currentText().trimmed().isEmpty() ? "none" : augment_->currentText().trimmed().toStdString();
    config.semiSupervised = semiSupervised_->currentData().toString().toStdString();
    config.confidenceThreshold = threshold_->value();
    config.unlabelledRatio = unlabelledRatio_->value();
    config.unlabelledWeight = unlabelledWeight_->value();
    config.emaDecay = emaDecay_->value();
    config.trainingDomains = trainingDomain_->currentData().toString().toStdString();
    config.targetDomain = targetDomain_->currentData().toString().toStdString();
    config.domainAdaptation = adaptation_->currentData().toString().toStdString();
    if (!tasksRow_->isHidden()) { // the project has several tasks (setTasks)
        // A listed choice carries its task list; typed text is the list itself.
        const int listed = tasks_->findText(tasks_->currentText());
        config.tasks = (listed >= 0 ? tasks_->itemData(listed).toString() : tasks_->currentText()).remove(' ').toStdString();
        config.taskWeights = taskWeights_->currentText().trimmed().toStdString();
    }
    config.device = device_.toStdString();
    config.inputMemoryBudgetBytes = std::int64_t(inputMemoryMegabytes_) << 20;
    try {
        config.validate(); // names the setting: the augmentation text or the input size
    } catch (const std::exception& error) {
        showNotice(this, QMessageBox::Warning, tr("Training settings"), QString::fromStdString(error.what()), "trainError");
        return false;
    }
    return true;
}

void TrainPage::prepareJob(const QString& text, bool experiment) {
    progress_->setValue(0);
    progressText_->setText(text);
    elapsed_.start();
    stepsBefore_ = -1;
    experiment_ = experiment;
}

void TrainPage::setReadOnly(bool readOnly) {
    readOnly_ = readOnly;
    setRunning(job_->isRunning());
}

void TrainPage::setRunning(bool running) {
    startButton_->setEnabled(!running && !readOnly_);
    experimentButton_->setEnabled(!running && !readOnly_);
    simulateButton_->setEnabled(!running && !readOnly_);
    continueButton_->setEnabled(!running && !readOnly_);
    pauseButton_->setEnabled(running);
    updateResume();
    Q_EMIT runningChanged(running);
}

void TrainPage::onTrials(int done, int total, double etaSeconds, const QString& current) {
    progress_->setValue(total > 0 ? 100 * done / total : 0);
    const QString text = tr("Trial %1 of %2: %3 — %4")
                             .arg(std::min(done + 1, total))
                             .arg(total)
                             .arg(current)
                             .arg(etaSeconds >= 0 ? tr("about %1 left").arg(duration(etaSeconds)) : tr("timing the first trial"));
    progressText_->setText(text);
    Q_EMIT status(text);
}

void TrainPage::pause() {
    job_->cancel();
    progressText_->setText(tr("Pausing after this step…"));
}

void TrainPage::resumeSelected() {
    const int row = runTable_->currentRow();
    if (projectPath_.isEmpty() || job_->isRunning() || row < 0) return;
    TrainingRequest request;
    request.project = projectPath_.toStdString();
    request.resumeRun = runTable_->item(row, 0)->text().toLongLong();
    request.config.device = device_.toStdString();
    try {
        Database db = openProject(projectPath_.toStdString(), ProjectAccess::ReadOnly);
        plannedEpochs_ = RunSpec::fromJson(RunStore(db).run(request.resumeRun).configJson).config.epochs;
    } catch (const std::exception& error) {
        progressText_->setText(QString::fromStdString(error.what()));
        return;
    }
    showRun(request.resumeRun); // the curve so far; the resumed steps continue it
    prepareJob(tr("Resuming run %1…").arg(request.resumeRun), false);
    job_->startTraining(request);
    setRunning(true);
}

void TrainPage::updateResume() {
    const int row = runTable_->currentRow();
    const QString status = row >= 0 ? runTable_->item(row, 4)->text() : QString();
    resumeButton_->setEnabled(!job_->isRunning() && !readOnly_ &&
                              (status == "cancelled" || status == "interrupted" || status == "failed"));
}

void TrainPage::onStep(qint64 step, int epoch, qint64 stepsPerEpoch, double loss) {
    if (experiment_) return; // the chart has one point per epoch, and progress counts trials
    chart_->addLoss(step, loss);
    const qint64 total = stepsPerEpoch * plannedEpochs_;
    if (total <= 0) return;
    if (stepsBefore_ < 0) stepsBefore_ = step - 1;
    progress_->setValue(int(100 * std::min(1.0, double(step) / double(total))));
    // The rate of this start's own steps, so a resumed run's ETA does not count the earlier ones.
    const double seconds = elapsed_.elapsed() / 1000.0;
    const QString eta = duration(seconds * double(std::max<qint64>(0, total - step)) / double(step - stepsBefore_));
    const QString text = tr("Epoch %1 of %2, step %3 of %4, loss %5 — about %6 left")
                             .arg(epoch)
                             .arg(plannedEpochs_)
                             .arg(step)
                             .arg(total)
                             .arg(loss, 0, 'f', 4)
                             .arg(eta);
    progressText_->setText(text);
    Q_EMIT status(text);
}

void TrainPage::onFinished(qint64 id, bool succeeded, const QString& message) {
    setRunning(false);
    if (experiment_) {
        const QString text = tr("Experiment %1: %2 (%3)").arg(id).arg(message, duration(elapsed_.elapsed() / 1000.0));
        progressText_->setText(text);
        if (succeeded) progress_->setValue(100);
        Q_EMIT status(text);
        reloadRuns();
        findUnfinishedExperiment(); // a stopped one can be continued
        Q_EMIT experimentFinished(id);
        return;
    }
    const qint64 runId = id;
    const QString text = runId > 0 ? tr("Run %1: %2 (%3)").arg(runId).arg(message, duration(elapsed_.elapsed() / 1000.0))
                                   : tr("Training did not start: %1").arg(message);
    progressText_->setText(text);
    if (succeeded) progress_->setValue(100);
    Q_EMIT status(text);
    reloadRuns();
    for (int row = 0; row < runTable_->rowCount(); ++row)
        if (runTable_->item(row, 0)->text().toLongLong() == runId) runTable_->setCurrentCell(row, 0);
    updateResume(); // the run's new status
    if (runId == 0) showNotice(this, QMessageBox::Warning, tr("Training did not start"), message, "trainError");
}

void TrainPage::reloadRuns() {
    std::vector<RunRecord> records;
    if (!projectPath_.isEmpty()) {
        try {
            Database db = openProject(projectPath_.toStdString(), ProjectAccess::ReadOnly);
            records = RunStore(db).runs();
        } catch (const std::exception& error) {
            progressText_->setText(QString::fromStdString(error.what()));
        }
    }
    const QSignalBlocker blocker(runTable_);
    runTable_->setRowCount(int(records.size()));
    for (int row = 0; row < int(records.size()); ++row) {
        const auto& run = records[std::size_t(row)];
        const QStringList cells = {QString::number(run.id), QString::fromStdString(run.arch), QString::fromStdString(run.init),
                                   QString::number(run.seed), QString::fromStdString(std::string(runStatusName(run.status))),
                                   QString::number(run.epochsDone),
                                   run.lastValAccuracy ? QString::number(*run.lastValAccuracy, 'f', 4) : QStringLiteral("–")};
        for (int column = 0; column < cells.size(); ++column) {
            auto* item = new QTableWidgetItem(cells[column]);
            if (column != 1 && column != 2 && column != 4) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            runTable_->setItem(row, column, item);
        }
    }
    Q_EMIT runsChanged();
}

void TrainPage::showRun(qint64 runId) {
    chart_->clear();
    try {
        Database db = openProject(projectPath_.toStdString(), ProjectAccess::ReadOnly);
        RunStore runs(db);
        for (const auto& point : runs.metric(runId, "loss")) chart_->addLoss(point.step, point.value);
        std::map<std::int64_t, double> valLoss, valAccuracy; // by step
        for (const auto& point : runs.metric(runId, "val_loss")) valLoss[point.step] = point.value;
        for (const auto& point : runs.metric(runId, "val_accuracy")) valAccuracy[point.step] = point.value;
        const auto trainAccuracy = runs.metric(runId, "train_accuracy");
        const auto trainLoss = runs.metric(runId, "train_loss");
        for (std::size_t i = 0; i < trainLoss.size() && i < trainAccuracy.size(); ++i) {
            const auto step = trainLoss[i].step;
            chart_->addEpoch(step, trainLoss[i].value, trainAccuracy[i].value,
                             valLoss.contains(step) ? std::optional(valLoss[step]) : std::nullopt,
                             valAccuracy.contains(step) ? std::optional(valAccuracy[step]) : std::nullopt);
        }
        for (const auto& point : runs.metric(runId, "unlabelled_kept_share")) chart_->addKeptShare(point.step, point.value);
    } catch (const std::exception& error) {
        progressText_->setText(QString::fromStdString(error.what()));
    }
}

void TrainPage::showExperiment(qint64 experimentId) {
    experimentId_ = experimentId;
    try {
        Database db = openProject(projectPath_.toStdString(), ProjectAccess::ReadOnly);
        const auto spec = ExperimentSpec::fromJson(ExperimentStore(db).experiment(experimentId).specJson);
        std::int64_t budget = 0;
        for (const auto& run : RunStore(db).runs())
            if (run.experimentId == experimentId) budget = run.labelsPerClass; // the newest trial's
        const QString labels = QString::fromStdString(spec.budgetText(int(budget)));
        const QString title = tr("Experiment %1, %2: mean over seeds, shaded from the lowest to the highest seed")
                                  .arg(experimentId)
                                  .arg(labels);
        auto accuracies = epochCurves(db, experimentId, budget, "val_accuracy");
        const bool validated = std::ranges::any_of(accuracies, [](const auto& curve) { return !curve.points.empty(); });
        if (validated) {
            chart_->showArms(title, spec.baseline, epochCurves(db, experimentId, budget, "val_loss"), accuracies,
                             tr("validation"));
        } else { // every labelled image trains (the demo's held-out images only judge the end): show how training goes
            chart_->showArms(title + tr("; no validation images, so training figures"), spec.baseline,
                             epochCurves(db, experimentId, budget, "train_loss"),
                             epochCurves(db, experimentId, budget, "train_accuracy"), tr("training"));
        }
    } catch (const std::exception& error) {
        progressText_->setText(QString::fromStdString(error.what()));
    }
}

void TrainPage::focusInEvent(QFocusEvent* event) { init_->setFocus(event->reason()); }

} // namespace graft::ui
