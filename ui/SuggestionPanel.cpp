#include "SuggestionPanel.h"

#include "EtaText.h"
#include "JobController.h"

#include "models/PretrainedBackbone.h"
#include "models/Zoo.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>

namespace graft::ui {

SuggestionPanel::SuggestionPanel(QWidget* parent)
    : QGroupBox(tr("Suggest next"), parent), strategy_(new QComboBox), count_(new QSpinBox), suggestButton_(new QPushButton(tr("Suggest"))),
      cancelButton_(new QPushButton(tr("Cancel"))), progress_(new QLabel), threshold_(new QDoubleSpinBox),
      acceptButton_(new QPushButton(tr("Accept if ≥"))), job_(new JobController(this)) {
    strategy_->setObjectName("suggestStrategy");
    strategy_->addItem(tr("typical"), "typical");
    strategy_->addItem(tr("diverse"), "diverse");
    strategy_->addItem(tr("uncertain"), "uncertain");
    strategy_->addItem(tr("uncertain per cluster"), "uncertain-per-cluster");
    strategy_->addItem(tr("random"), "random");
    strategy_->setToolTip(tr("Typical: the most representative images of the biggest unlabelled groups, best for the "
                             "first labels. Diverse: spread over everything. Uncertain (needs a run): where the chosen run "
                             "hesitates between two classes. Features come from the run chosen under the preview, or else the "
                             "first downloaded backbone."));
    count_->setObjectName("suggestCount");
    count_->setRange(1, 10'000);
    count_->setValue(20);
    suggestButton_->setObjectName("suggest");
    cancelButton_->setObjectName("cancelSuggest");
    cancelButton_->setEnabled(false);
    progress_->setObjectName("suggestProgress");
    progress_->setWordWrap(true);
    threshold_->setObjectName("acceptThreshold");
    threshold_->setRange(0, 100);
    threshold_->setDecimals(0);
    threshold_->setSuffix(" %");
    threshold_->setValue(90);
    acceptButton_->setObjectName("acceptPredictions");
    acceptButton_->setToolTip(tr("Accept predictions: labels each selected unlabelled image with the run's prediction where the run is at least "
                                 "this sure; one undo step. A accepts the selected images' predictions whatever their "
                                 "confidence."));

    auto* form = new QFormLayout(this);
    form->addRow(tr("Strategy"), strategy_);
    form->addRow(tr("Images"), count_);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(suggestButton_);
    buttons->addWidget(cancelButton_);
    form->addRow(buttons);
    form->addRow(progress_);
    auto* accept = new QHBoxLayout;
    accept->addWidget(acceptButton_);
    accept->addWidget(threshold_);
    form->addRow(accept);

    connect(suggestButton_, &QPushButton::clicked, this, &SuggestionPanel::suggest);
    connect(cancelButton_, &QPushButton::clicked, job_, &JobController::cancel);
    connect(acceptButton_, &QPushButton::clicked, this, [this] { Q_EMIT acceptRequested(threshold_->value() / 100); });
    connect(job_, &JobController::progressed, this, [this](const QString& stage, qint64 done, qint64 total) {
        progress_->setText(total > 0 ? tr("%1: %2 of %3%4").arg(stage).arg(done).arg(total).arg(etaSuffix(elapsed_.elapsed() / 1000.0, done, total))
                                     : stage + "…");
    });
    connect(job_, &JobController::suggested, this, &SuggestionPanel::suggested);
    connect(job_, &JobController::finished, this, [this](qint64 images, bool succeeded, const QString& message) {
        suggestButton_->setEnabled(true);
        cancelButton_->setEnabled(false);
        progress_->setText(succeeded ? tr("%n image(s) suggested, in order, under Show.", "", int(images)) : message);
    });
}

void SuggestionPanel::setProject(const QString& path) {
    job_->cancel(); // suggestions for the previous project are of no use
    projectPath_ = path;
    progress_->clear();
}

void SuggestionPanel::setRun(qint64 runId) { runId_ = runId; }

void SuggestionPanel::setStrategy(const QString& name) { strategy_->setCurrentIndex(strategy_->findData(name)); }

void SuggestionPanel::setCount(int count) { count_->setValue(count); }

void SuggestionPanel::setAcceptThreshold(double probability) { threshold_->setValue(100 * probability); }

void SuggestionPanel::suggest() {
    if (projectPath_.isEmpty() || job_->isRunning()) return;
    QString backbone;
    if (runId_ <= 0) {
        const auto cached = cachedBackbones(weightsCacheDir());
        if (cached.empty()) {
            progress_->setText(tr("Choose a finished run under the preview, or download a backbone on the Model page: "
                                  "suggestions need a model's view of the images."));
            return;
        }
        backbone = QString::fromStdString(cached.front().name);
    }
    if (!job_->startSuggestions(projectPath_.toStdString(), runId_, backbone, strategy_->currentData().toString(), count_->value(), 0))
        return;
    elapsed_.start();
    suggestButton_->setEnabled(false);
    cancelButton_->setEnabled(true);
    progress_->setText(runId_ > 0 ? tr("Reading run %1…").arg(runId_) : tr("Reading %1…").arg(backbone));
}

} // namespace graft::ui
