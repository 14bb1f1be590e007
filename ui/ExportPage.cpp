#include "ExportPage.h"

#include "JobController.h"

#include "project/ProjectFile.h"
#include "project/RunStore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace graft::ui {
namespace {

enum Format { TorchScript, Onnx, Bundle };

} // namespace

ExportPage::ExportPage(QWidget* parent)
    : QWidget(parent), job_(new JobController(this)), run_(new QComboBox), format_(new QComboBox),
      softmax_(new QCheckBox(tr("Probabilities (softmax) instead of logits"))),
      preprocess_(new QCheckBox(tr("Take decoded uint8 pixels (H x W x C) and preprocess inside the model"))),
      target_(new QLineEdit), exportButton_(new QPushButton(tr("Export"))), cancelButton_(new QPushButton(tr("Cancel"))),
      progress_(new QProgressBar), result_(new QLabel) {
    run_->setObjectName("exportRun");
    format_->setObjectName("exportFormat");
    format_->addItem(tr("TorchScript (.pt), for torch.jit.load and LibTorch"));
    format_->addItem(tr("ONNX (.onnx, opset 13), for ONNX runtimes and OpenCV DNN"));
    format_->addItem(tr("Bundle folder: model, labels, preprocessing, metrics and a model card"));
    softmax_->setObjectName("exportSoftmax");
    preprocess_->setObjectName("exportPreprocess");
    target_->setObjectName("exportTarget");
    target_->setAccessibleName(tr("Write to"));
    exportButton_->setObjectName("exportButton");
    cancelButton_->setEnabled(false);
    result_->setObjectName("exportResult");
    result_->setWordWrap(true);
    progress_->setRange(0, 100);
    progress_->setValue(0);

    auto* browse = new QPushButton(tr("Choose…"));
    auto* targetRow = new QHBoxLayout;
    targetRow->addWidget(target_, 1);
    targetRow->addWidget(browse);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(exportButton_);
    buttons->addWidget(cancelButton_);
    buttons->addStretch(1);
    auto* form = new QFormLayout;
    form->addRow(tr("Run"), run_);
    form->addRow(tr("Format"), format_);
    form->addRow(QString(), softmax_);
    form->addRow(QString(), preprocess_);
    form->addRow(tr("Write to"), targetRow);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(progress_);
    layout->addWidget(result_);
    auto* explanation = new QLabel(tr("Before a file is kept, the run's held-out images go through it (LibTorch's "
                                      "TorchScript interpreter, or OpenCV DNN for ONNX): every top class must agree "
                                      "with Graft's and every output lie within 1e-5 (ONNX: 1e-4)."));
    explanation->setWordWrap(true);
    layout->addWidget(explanation);
    layout->addStretch(1);

    connect(format_, &QComboBox::currentIndexChanged, this, &ExportPage::updateOptions);
    connect(browse, &QPushButton::clicked, this, [this] {
        const auto chosen = format_->currentIndex() == Bundle
                                ? QFileDialog::getSaveFileName(this, tr("Bundle folder (must not exist)"))
                                : QFileDialog::getSaveFileName(this, tr("Export to"), {},
                                                               format_->currentIndex() == Onnx ? tr("ONNX (*.onnx)")
                                                                                               : tr("TorchScript (*.pt)"));
        if (!chosen.isEmpty()) target_->setText(chosen);
    });
    connect(exportButton_, &QPushButton::clicked, this, &ExportPage::exportSelected);
    connect(cancelButton_, &QPushButton::clicked, job_, &JobController::cancel);
    connect(job_, &JobController::progressed, this, [this](const QString& stage, qint64 done, qint64 total) {
        progress_->setValue(total > 0 ? int(100 * done / total) : 0);
        result_->setText(tr("%1: %2 of %3 images").arg(stage).arg(done).arg(total));
    });
    connect(job_, &JobController::finished, this, [this](qint64, bool succeeded, const QString& message) {
        exportButton_->setEnabled(true);
        cancelButton_->setEnabled(false);
        if (succeeded) progress_->setValue(100);
        result_->setText(succeeded ? tr("Written: %1\n%2").arg(target_->text(), message)
                                   : tr("Not written: %1").arg(message));
    });
    updateOptions();
}

void ExportPage::setProject(const QString& path) {
    projectPath_ = path;
    reloadRuns();
}

void ExportPage::reloadRuns() {
    run_->clear();
    if (projectPath_.isEmpty()) return;
    try {
        Database db = openProject(projectPath_.toStdString(), ProjectAccess::ReadOnly);
        for (const auto& run : RunStore(db).runs()) {
            if (run.status != RunStatus::Finished) continue;
            run_->addItem(tr("Run %1: %2, %3, validation accuracy %4")
                              .arg(run.id)
                              .arg(QString::fromStdString(run.arch), QString::fromStdString(run.arm))
                              .arg(run.lastValAccuracy ? QString::number(*run.lastValAccuracy, 'f', 4) : QString("–")),
                          qint64(run.id));
        }
    } catch (const std::exception& error) {
        result_->setText(QString::fromStdString(error.what()));
    }
    exportButton_->setEnabled(run_->count() > 0);
}

void ExportPage::updateOptions() {
    const int format = format_->currentIndex();
    softmax_->setEnabled(format != Bundle); // a bundle's model gives logits
    preprocess_->setEnabled(format == TorchScript); // ONNX opset 13 cannot antialias; a bundle has preprocess.json
    if (!preprocess_->isEnabled()) preprocess_->setChecked(false);
    if (!softmax_->isEnabled()) softmax_->setChecked(false);
}

void ExportPage::exportSelected() {
    if (run_->currentIndex() < 0 || job_->isRunning()) return;
    const QString target = target_->text().trimmed();
    if (target.isEmpty()) {
        result_->setText(tr("Choose where to write the export."));
        return;
    }
    RunExportOptions options;
    options.format = format_->currentIndex() == Onnx ? ExportFormat::Onnx : ExportFormat::TorchScript;
    options.softmax = softmax_->isChecked();
    options.preprocess = preprocess_->isChecked();
    progress_->setValue(0);
    result_->setText(tr("Exporting…"));
    exportButton_->setEnabled(false);
    cancelButton_->setEnabled(true);
    job_->startExport(projectPath_.toStdString(), run_->currentData().toLongLong(), target.toStdString(),
                      format_->currentIndex() == Bundle, options);
}

} // namespace graft::ui
