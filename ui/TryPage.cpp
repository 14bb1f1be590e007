#include "TryPage.h"

#include "FinishedRuns.h"
#include "JobController.h"

#include "explain/ImageTryout.h"
#include "metrics/Unfamiliarity.h"
#include "project/ProjectFile.h"

#include <QApplication>
#include <QBuffer>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QCoreApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

namespace graft::ui {
namespace {

constexpr int kIconSize = 160;

// Small inputs (TinyNet's 28 px) are enlarged without smoothing, so their pixels stay visible.
QIcon iconOf(const QImage& image) {
    const auto mode = image.width() < kIconSize / 2 ? Qt::FastTransformation : Qt::SmoothTransformation;
    return QIcon(QPixmap::fromImage(image.scaled(kIconSize, kIconSize, Qt::KeepAspectRatio, mode)));
}

// What the page is for, shown until a tryout says something else: the page's empty state.
QString instructions() {
    return QCoreApplication::translate("graft::ui::TryPage",
                                       "Drop images or folders here, paste them (Ctrl+V), or add them. Each gets the model's "
                                       "top 3 and where it looked; images it is less sure of than of 95 % of its held-out "
                                       "images are flagged as unlike what it was trained on.");
}

} // namespace

TryPage::TryPage(QWidget* parent)
    : QWidget(parent), model_(new QComboBox), heatMaps_(new QCheckBox(tr("Heat maps"))), note_(new QLabel),
      results_(new QListWidget), cancel_(new QPushButton(tr("Cancel"))), job_(new JobController(this)),
      loaded_(std::make_shared<std::shared_ptr<const ImageTryout>>()) {
    setAcceptDrops(true);
    model_->setObjectName("tryModel");
    heatMaps_->setObjectName("tryHeatMaps");
    heatMaps_->setChecked(true);
    heatMaps_->setToolTip(tr("Grad-CAM: red is where in the image the model found the evidence for its first class"));
    auto* openBundle = new QPushButton(tr("Open bundle…"));
    auto* addImages = new QPushButton(tr("Add images…"));
    auto* clear = new QPushButton(tr("Clear"));
    cancel_->setEnabled(false);
    note_->setObjectName("tryNote");
    note_->setWordWrap(true);
    note_->setText(instructions());
    results_->setObjectName("tryResults");
    results_->setAccessibleName(tr("Results"));
    results_->setViewMode(QListView::IconMode);
    results_->setIconSize({kIconSize, kIconSize});
    results_->setGridSize({kIconSize + 60, kIconSize + 84});
    results_->setResizeMode(QListView::Adjust);
    results_->setMovement(QListView::Static);
    results_->setWordWrap(true);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Model")));
    controls->addWidget(model_, 1);
    controls->addWidget(openBundle);
    controls->addWidget(addImages);
    controls->addWidget(heatMaps_);
    controls->addWidget(clear);
    controls->addWidget(cancel_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(note_);
    layout->addWidget(results_, 1);

    connect(openBundle, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Open an exported bundle"));
        if (!folder.isEmpty()) addBundle(folder);
    });
    connect(addImages, &QPushButton::clicked, this, [this] {
        const QStringList files = QFileDialog::getOpenFileNames(this, tr("Images to try"), QString(),
                                                                tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.ppm *.pgm)"));
        std::vector<TryInput> inputs;
        for (const auto& file : files) inputs.push_back({file, file.toStdString(), {}});
        tryInputs(inputs);
    });
    connect(clear, &QPushButton::clicked, this, [this] {
        results_->clear();
        shown_.clear();
        note_->setText(instructions());
    });
    connect(cancel_, &QPushButton::clicked, job_, &JobController::cancel);
    connect(heatMaps_, &QCheckBox::toggled, this, &TryPage::redrawIcons);
    connect(new QShortcut(QKeySequence::Paste, this), &QShortcut::activated, this, &TryPage::pasteFromClipboard);
    connect(job_, &JobController::tried, this, &TryPage::addResult);
    connect(job_, &JobController::progressed, this, [this](const QString& stage, qint64 done, qint64 total) {
        note_->setText(total > 0 ? tr("%1: %2 of %3").arg(stage).arg(done).arg(total) : tr("%1…").arg(stage));
    });
    connect(job_, &JobController::finished, this, [this](qint64, bool succeeded, const QString& message) {
        cancel_->setEnabled(false);
        QString text = message;
        if (succeeded && *loaded_) {
            const auto& model = **loaded_;
            text += " " + (model.unfamiliarBelow()
                               ? tr("Flagged as unfamiliar: top probability under %1 %.").arg(100 * *model.unfamiliarBelow(), 0, 'f', 1)
                               : tr("With %1 held-out images (fewer than %2), none is flagged as unfamiliar.")
                                     .arg(model.heldOutImages())
                                     .arg(kFewestHeldOutToFlagUnfamiliar));
        }
        note_->setText(text);
        if (!waiting_.empty()) tryInputs(std::exchange(waiting_, {}));
    });
}

void TryPage::setProject(const QString& path) {
    projectPath_ = path;
    const QVariant chosen = model_->currentData();
    model_->clear();
    note_->setText(instructions()); // opening a project had left the page blank
    if (path.isEmpty()) return; // no project (yet): nothing to list, nothing wrong
    try {
        Database db = openProject(path.toStdString(), ProjectAccess::ReadOnly);
        for (const auto& [id, name] : finishedRuns(db)) model_->addItem(name, QVariantList{id, QString()});
    } catch (const std::exception& error) {
        note_->setText(QString::fromStdString(error.what()));
    }
    const int index = model_->findData(chosen);
    model_->setCurrentIndex(index < 0 ? 0 : index);
}

void TryPage::addBundle(const QString& folder) {
    model_->insertItem(0, tr("bundle %1").arg(folder), QVariantList{qint64(0), folder});
    model_->setCurrentIndex(0);
}

TryoutSource TryPage::chosenSource() const {
    const auto data = model_->currentData().toList();
    if (data.size() != 2) return {};
    const QString bundle = data[1].toString();
    if (!bundle.isEmpty()) return {{}, 0, bundle.toStdString()};
    return {projectPath_.toStdString(), data[0].toLongLong(), {}};
}

void TryPage::tryInputs(const std::vector<TryInput>& inputs) {
    if (inputs.empty()) return;
    if (job_->isRunning()) { // after the images under way
        waiting_.insert(waiting_.end(), inputs.begin(), inputs.end());
        return;
    }
    const TryoutSource source = chosenSource();
    if (source.runId == 0 && source.bundle.empty()) {
        note_->setText(tr("Choose a model first: a finished run of this project, or an exported bundle (Open bundle…)."));
        return;
    }
    if (!(source == loadedSource_)) { // a fresh slot: the job fills it, and this page never shares a slot with one
        loaded_ = std::make_shared<std::shared_ptr<const ImageTryout>>();
        loadedSource_ = source;
    }
    cancel_->setEnabled(true);
    job_->startTryout(source, loaded_, inputs);
}

void TryPage::pasteFromClipboard() {
    const QMimeData* data = QApplication::clipboard()->mimeData();
    std::vector<TryInput> inputs;
    if (data->hasUrls()) {
        for (const auto& url : data->urls())
            if (url.isLocalFile()) inputs.push_back({url.toLocalFile(), url.toLocalFile().toStdString(), {}});
    } else if (data->hasImage()) {
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        qvariant_cast<QImage>(data->imageData()).save(&buffer, "PNG");
        inputs.push_back({tr("pasted image %1").arg(shown_.size() + 1), {}, {png.begin(), png.end()}});
    }
    tryInputs(inputs);
}

void TryPage::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void TryPage::dropEvent(QDropEvent* event) {
    std::vector<TryInput> inputs;
    for (const auto& url : event->mimeData()->urls())
        if (url.isLocalFile()) inputs.push_back({url.toLocalFile(), url.toLocalFile().toStdString(), {}});
    if (inputs.empty()) return;
    event->acceptProposedAction();
    tryInputs(inputs);
}

void TryPage::addResult(const TriedImageView& image) {
    shown_.push_back(image);
    auto* item = new QListWidgetItem;
    if (!image.error.isEmpty()) {
        item->setText(tr("%1\ncannot be read").arg(QFileInfo(image.name).fileName()));
        item->setToolTip(image.error);
        item->setForeground(palette().color(QPalette::PlaceholderText));
    } else {
        QStringList lines;
        for (const auto& [label, probability] : image.top) lines << tr("%1 %2 %").arg(label).arg(100 * probability, 0, 'f', 1);
        QString text = lines.value(0);
        if (image.unfamiliar) text += "\n" + tr("⚠ unfamiliar");
        item->setText(text);
        item->setToolTip(tr("%1\n%2\ntop probability %3 %%4")
                             .arg(image.name, lines.join("\n"))
                             .arg(100 * image.familiarity, 0, 'f', 1)
                             .arg(image.unfamiliar ? tr(": lower than for 95 % of the held-out images, so this image may be "
                                                        "unlike what the model was trained on")
                                                   : QString()));
    }
    item->setData(Qt::UserRole, image.name);
    results_->addItem(item);
    redrawIcons();
}

void TryPage::redrawIcons() {
    for (int row = 0; row < results_->count() && row < int(shown_.size()); ++row) {
        const auto& image = shown_[std::size_t(row)];
        if (!image.error.isEmpty()) continue;
        const bool heat = heatMaps_->isChecked() && !image.heatMap.isNull(); // none for TorchScript backbones
        results_->item(row)->setIcon(iconOf(heat ? image.heatMap : image.viewed));
    }
}

QString TryPage::note() const { return note_->text(); }

} // namespace graft::ui
