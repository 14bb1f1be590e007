#include "BackboneGallery.h"

#include "JobController.h"

#include "models/Architectures.h"
#include "models/BuiltInWeights.h"
#include "models/LayerGraph.h"
#include "models/ScriptBackbones.h"
#include "models/Zoo.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <filesystem>

namespace graft::ui {
namespace {

enum Column { Name, Architecture, Parameters, Input, SourceTop1, Status, ColumnCount };

QString megabytes(qint64 bytes) { return QString::number(double(bytes) / 1e6, 'f', 1); }

} // namespace

BackboneGallery::BackboneGallery(QWidget* parent)
    : QWidget(parent), table_(new QTableWidget(0, ColumnCount)), downloadButton_(new QPushButton(tr("Download"))),
      importButton_(new QPushButton(tr("Import .pth file…"))), useButton_(new QPushButton(tr("Use for transfer"))),
      cancelButton_(new QPushButton(tr("Cancel"))), progress_(new QProgressBar), note_(new QLabel),
      download_(new JobController(this)) {
    table_->setObjectName("backboneTable");
    table_->setAccessibleName(tr("Pretrained backbones"));
    table_->setHorizontalHeaderLabels({tr("Backbone"), tr("Architecture"), tr("Parameters"), tr("Input"),
                                       tr("Top-1 on its source"), tr("Weights")});
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setTabKeyNavigation(false); // Tab moves on to the next control; arrows move in the table
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->hide();
    downloadButton_->setObjectName("downloadBackbone");
    importButton_->setObjectName("importBackbone");
    useButton_->setObjectName("useBackbone");
    useButton_->setToolTip(tr("Train from these weights: sets the architecture and the initial weights"));
    cancelButton_->setEnabled(false);
    progress_->setVisible(false);
    note_->setObjectName("galleryNote");
    note_->setWordWrap(true);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(useButton_);
    buttons->addWidget(downloadButton_);
    buttons->addWidget(importButton_);
    buttons->addWidget(cancelButton_);
    buttons->addWidget(progress_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(table_, 1);
    layout->addLayout(buttons);
    layout->addWidget(note_);

    connect(table_, &QTableWidget::itemSelectionChanged, this, &BackboneGallery::updateButtons);
    connect(downloadButton_, &QPushButton::clicked, this, [this] { download(table_->currentRow()); });
    connect(importButton_, &QPushButton::clicked, this, [this] {
        const int row = table_->currentRow();
        const auto file = QFileDialog::getOpenFileName(this, tr("Import weights"), {}, tr("PyTorch weights (*.pth *.pt)"));
        if (!file.isEmpty()) importFile(row, file);
    });
    connect(useButton_, &QPushButton::clicked, this, [this] { use(table_->currentRow()); });
    connect(cancelButton_, &QPushButton::clicked, download_, &JobController::cancel);
    connect(download_, &JobController::progressed, this, [this](const QString&, qint64 done, qint64 total) {
        progress_->setRange(0, total > 0 ? 1000 : 0);
        if (total > 0) progress_->setValue(int(1000 * done / total));
        const double seconds = elapsed_.elapsed() / 1000.0;
        QString text = total > 0 ? tr("%1 of %2 MB").arg(megabytes(done), megabytes(total)) : tr("%1 MB").arg(megabytes(done));
        if (total > 0 && done > 0 && seconds > 1)
            text += tr(", about %1 s left").arg(qint64(seconds * double(total - done) / double(done)));
        note_->setText(text);
    });
    connect(download_, &JobController::finished, this, [this](qint64, bool, const QString& message) {
        progress_->setVisible(false);
        cancelButton_->setEnabled(false);
        note_->setText(message);
        refresh();
    });
    refresh();
}

void BackboneGallery::refresh() {
    const QLocale locale;
    const auto entries = zooEntries();
    const auto cache = weightsCacheDir();
    const auto builtIn = builtInWeights();
    const auto scripts = scriptBackbones(cache);
    const int selected = table_->currentRow();
    std::vector<std::pair<Kind, QStringList>> rows;
    for (const auto& entry : entries) {
        const bool cached = std::filesystem::is_regular_file(cachedWeightsPath(entry, cache));
        rows.push_back({Kind::Zoo,
                        {QString::fromStdString(entry.name), QString::fromStdString(entry.arch),
                         locale.toString(qlonglong(entry.parameters)), QString("%1 px").arg(entry.input.crop),
                         QString("%1 %").arg(entry.imagenetTop1, 0, 'f', 1), cached ? tr("downloaded") : tr("not downloaded")}});
    }
    for (const auto& weights : builtIn)
        rows.push_back({Kind::BuiltIn,
                        {QString::fromStdString(std::string(kBuiltInWeightsPrefix) + weights.name),
                         QString::fromStdString(weights.arch),
                         locale.toString(qlonglong(buildLayerGraph(weights.arch, weights.sourceClasses).totalParameters())),
                         QString("%1 px").arg(architectureSpec(weights.arch).preprocess.crop),
                         QString("%1 %").arg(100 * weights.sourceTestAccuracy, 0, 'f', 1),
                         tr("built in (%n source classes)", "", weights.sourceClasses)}});
    for (const auto& script : scripts)
        rows.push_back({Kind::Script,
                        {QString::fromStdString(kScriptArchPrefix + script.name), tr("TorchScript"), QString("–"),
                         QString("%1 px").arg(script.input.crop), QString("–"),
                         tr("imported, frozen, %1-d features").arg(script.featureDim)}});
    table_->setRowCount(int(rows.size()));
    for (int row = 0; row < int(rows.size()); ++row) {
        const auto& [kind, cells] = rows[std::size_t(row)];
        for (int column = 0; column < ColumnCount; ++column) {
            auto* item = new QTableWidgetItem(cells[column]);
            if (column == Parameters || column == SourceTop1) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            item->setData(Qt::UserRole, int(kind));
            table_->setItem(row, column, item);
        }
        if (kind == Kind::BuiltIn)
            table_->item(row, SourceTop1)->setToolTip(tr("on the held-out test images of the data it was pretrained on"));
    }
    if (selected >= 0) table_->selectRow(selected);
    updateButtons();
}

BackboneGallery::Kind BackboneGallery::kindOf(int row) const {
    return Kind(table_->item(row, Name)->data(Qt::UserRole).toInt());
}

void BackboneGallery::updateButtons() {
    const int row = table_->currentRow();
    const bool chosen = row >= 0 && table_->item(row, Status);
    const bool zoo = chosen && kindOf(row) == Kind::Zoo;
    const bool usable = chosen && (!zoo || table_->item(row, Status)->text() == tr("downloaded"));
    const bool busy = download_->isRunning();
    useButton_->setEnabled(usable);
    downloadButton_->setEnabled(zoo && !usable && !busy);
    importButton_->setEnabled(zoo && !usable && !busy);
}

void BackboneGallery::download(int row) {
    if (row < 0 || row >= table_->rowCount() || kindOf(row) != Kind::Zoo || download_->isRunning()) return;
    const auto name = table_->item(row, Name)->text();
    elapsed_.start();
    progress_->setRange(0, 0);
    progress_->setVisible(true);
    cancelButton_->setEnabled(true);
    note_->setText(tr("Downloading %1…").arg(name));
    download_->startDownload(name.toStdString());
    updateButtons();
}

void BackboneGallery::importFile(int row, const QString& file) {
    if (row < 0 || row >= table_->rowCount() || kindOf(row) != Kind::Zoo) return;
    try {
        const auto entry = zooEntry(table_->item(row, Name)->text().toStdString());
        const auto imported = importZooWeights(entry, file.toStdString(), weightsCacheDir());
        note_->setText(tr("Imported %1 as %2.").arg(file, QString::fromStdString(imported.string())));
    } catch (const std::exception& error) {
        note_->setText(QString::fromStdString(error.what()));
    }
    refresh();
}

void BackboneGallery::use(int row) {
    if (row < 0 || row >= table_->rowCount()) return;
    const QString name = table_->item(row, Name)->text();
    if (kindOf(row) == Kind::BuiltIn) {
        note_->setText(tr("Training will start from %1.").arg(name));
        return Q_EMIT weightsChosen(table_->item(row, Architecture)->text(), name);
    }
    if (kindOf(row) == Kind::Script) {
        note_->setText(tr("Training will put a new head on %1, which stays frozen.").arg(name));
        return Q_EMIT weightsChosen(name, QString());
    }
    const auto entry = zooEntry(table_->item(row, Name)->text().toStdString());
    const auto file = cachedWeightsPath(entry, weightsCacheDir());
    if (!std::filesystem::is_regular_file(file)) return;
    note_->setText(tr("Training will start from %1.").arg(QString::fromStdString(file.string())));
    Q_EMIT weightsChosen(QString::fromStdString(entry.arch), QString::fromStdString(file.string()));
}

} // namespace graft::ui
