#include "ModelPage.h"

#include "BackboneGallery.h"
#include "EtaText.h"
#include "JobController.h"
#include "LayerDiagram.h"

#include "models/Architectures.h"
#include "models/BuiltInWeights.h"
#include "models/PretrainedBackbone.h"
#include "models/ScriptBackbones.h"
#include "models/Zoo.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QInputDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace graft::ui {
namespace {

// Indices of the blocks that own parameters: the ones that can be frozen; the last is the head.
std::vector<std::size_t> parameterBlocks(const LayerGraph& graph) {
    std::vector<std::size_t> indices;
    for (std::size_t i = 0; i < graph.blocks.size(); ++i)
        if (graph.blocks[i].parameters > 0) indices.push_back(i);
    return indices;
}

} // namespace

ModelPage::ModelPage(QWidget* parent)
    : QWidget(parent), architecture_(new QComboBox), diagram_(new LayerDiagram), lastBlocks_(new QSpinBox),
      gradualEpochs_(new QSpinBox), summary_(new QLabel), discriminative_(new QCheckBox), lowestMultiplier_(new QDoubleSpinBox),
      gallery_(new BackboneGallery), gapBackbone_(new QComboBox), gapImages_(new QComboBox),
      measureGap_(new QPushButton(tr("Measure domain gap"))), cancelGap_(new QPushButton(tr("Cancel"))), gapReading_(new QLabel),
      gapJob_(new JobController(this)) {
    architecture_->setObjectName("architecture");
    for (const auto& spec : architectures())
        architecture_->addItem(QString::fromStdString(spec.name), QString::fromStdString(spec.description));
    for (const auto& script : scriptBackbones(weightsCacheDir()))
        architecture_->addItem(QString::fromStdString(kScriptArchPrefix + script.name),
                               tr("TorchScript feature extractor from %1, frozen; runs train a head on it")
                                   .arg(QString::fromStdString(script.source)));
    diagram_->setObjectName("layerDiagram");
    summary_->setObjectName("freezeSummary");
    summary_->setWordWrap(true);
    lastBlocks_->setAccessibleName(tr("Blocks to train before the head"));
    lastBlocks_->setRange(1, 50);
    lastBlocks_->setValue(2);
    gradualEpochs_->setAccessibleName(tr("Epochs before unfreezing the next block"));
    gradualEpochs_->setRange(1, 100);
    gradualEpochs_->setValue(2);

    auto* probe = new QPushButton(tr("Linear probe"));
    probe->setObjectName("probePreset");
    probe->setToolTip(tr("Freeze everything but the new head"));
    auto* last = new QPushButton(tr("Train the last"));
    last->setToolTip(tr("Train the head and this many blocks before it"));
    auto* full = new QPushButton(tr("Full fine-tune"));
    full->setObjectName("fullPreset");
    auto* gradual = new QPushButton(tr("Gradual, one block every"));
    gradual->setToolTip(tr("Start as a linear probe, then unfreeze one more block from the end every N epochs"));

    auto* presets = new QHBoxLayout;
    presets->addWidget(probe);
    presets->addSpacing(12);
    presets->addWidget(last);
    presets->addWidget(lastBlocks_);
    presets->addWidget(new QLabel(tr("blocks")));
    presets->addSpacing(12);
    presets->addWidget(full);
    presets->addSpacing(12);
    presets->addWidget(gradual);
    presets->addWidget(gradualEpochs_);
    presets->addWidget(new QLabel(tr("epochs")));
    presets->addStretch(1);

    auto* chooser = new QHBoxLayout;
    chooser->addWidget(new QLabel(tr("Backbone")));
    chooser->addWidget(architecture_);
    auto* description = new QLabel;
    chooser->addWidget(description, 1);

    discriminative_->setObjectName("discriminativeRates");
    discriminative_->setText(tr("Discriminative learning rates: ×"));
    discriminative_->setToolTip(tr("Early blocks learn slower than late ones: a geometric ramp from this multiple at the "
                                   "first trainable block to ×1 at the head (fastai's slice)"));
    lowestMultiplier_->setDecimals(3);
    lowestMultiplier_->setRange(0.001, 1);
    lowestMultiplier_->setSingleStep(0.05);
    lowestMultiplier_->setValue(0.1);
    lowestMultiplier_->setEnabled(false);
    auto* rates = new QHBoxLayout;
    rates->addWidget(discriminative_);
    rates->addWidget(lowestMultiplier_);
    rates->addWidget(new QLabel(tr("at the first trainable block, rising to ×1 at the head; or right-click a block for its own")));
    rates->addStretch(1);

    gapBackbone_->setObjectName("gapBackbone");
    gapBackbone_->setAccessibleName(tr("Pretrained weights whose source the gap is measured from"));
    gapImages_->setObjectName("gapImages");
    gapImages_->setAccessibleName(tr("Images whose domain gap is measured"));
    measureGap_->setObjectName("measureGap");
    cancelGap_->setObjectName("cancelGap");
    cancelGap_->setEnabled(false);
    gapReading_->setObjectName("gapReading");
    gapReading_->setWordWrap(true);
    gapReading_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* gap = new QHBoxLayout;
    gap->addWidget(new QLabel(tr("Domain gap from")));
    gap->addWidget(gapBackbone_);
    gap->addWidget(new QLabel(tr("to")));
    gap->addWidget(gapImages_);
    gap->addWidget(measureGap_);
    gap->addWidget(cancelGap_);
    gap->addStretch(1);

    auto* scroll = new QScrollArea;
    scroll->setWidget(diagram_);
    scroll->setWidgetResizable(true);
    scroll->setFocusPolicy(Qt::NoFocus); // the diagram takes focus itself

    auto* layers = new QWidget;
    auto* layersLayout = new QVBoxLayout(layers);
    layersLayout->addWidget(new QLabel(tr("Click blocks (or drag across them) to freeze or unfreeze them; the input is at the top.")));
    layersLayout->addLayout(presets);
    layersLayout->addLayout(rates);
    layersLayout->addLayout(gap);
    layersLayout->addWidget(scroll, 1);
    layersLayout->addWidget(gapReading_);
    layersLayout->addWidget(summary_);
    auto* tabs = new QTabWidget;
    tabs->addTab(layers, tr("Layers and freezing"));
    tabs->addTab(gallery_, tr("Pretrained backbones"));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(chooser);
    layout->addWidget(tabs, 1);

    connect(architecture_, &QComboBox::currentIndexChanged, this, [this, description] {
        description->setText(architecture_->currentData().toString());
        rebuild();
    });
    // Any change of the frozen blocks is an explicit plan; the gradual preset sets gradual_ after.
    connect(diagram_, &LayerDiagram::frozenChanged, this, [this] {
        gradual_.reset();
        showSummary();
        Q_EMIT planChanged();
    });
    connect(diagram_, &LayerDiagram::multipliersChanged, this, [this] {
        showSummary();
        Q_EMIT planChanged();
    });
    connect(diagram_, &LayerDiagram::multiplierRequested, this, [this](int index) {
        const auto block = diagram_->graph().blocks[std::size_t(index)].name;
        const auto current = diagram_->learningRateMultipliers().find(block);
        auto* dialog = new QInputDialog(this);
        dialog->setObjectName("multiplierDialog");
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setWindowTitle(tr("Learning-rate multiplier"));
        dialog->setLabelText(tr("Learning rate of %1, as a multiple of the run's:").arg(QString::fromStdString(block)));
        dialog->setInputMode(QInputDialog::DoubleInput);
        dialog->setDoubleRange(0.001, 100);
        dialog->setDoubleDecimals(3);
        dialog->setDoubleValue(current == diagram_->learningRateMultipliers().end() ? 1.0 : current->second);
        connect(dialog, &QInputDialog::doubleValueSelected, this,
                [this, block](double multiplier) { diagram_->setLearningRateMultiplier(block, multiplier); });
        dialog->open();
    });
    connect(discriminative_, &QCheckBox::toggled, this, [this](bool on) {
        lowestMultiplier_->setEnabled(on);
        showSummary();
        Q_EMIT planChanged();
    });
    connect(lowestMultiplier_, &QDoubleSpinBox::valueChanged, this, [this] {
        showSummary();
        Q_EMIT planChanged();
    });
    connect(gallery_, &BackboneGallery::weightsChosen, this, [this](const QString& architecture, const QString& file) {
        setArchitecture(architecture);
        Q_EMIT initialWeightsChosen(file);
    });
    connect(probe, &QPushButton::clicked, this, [this] { freezeAllButLast(1); });
    connect(last, &QPushButton::clicked, this, [this] { freezeAllButLast(lastBlocks_->value() + 1); });
    connect(full, &QPushButton::clicked, this, [this] { diagram_->setFrozen({}); });
    connect(gradual, &QPushButton::clicked, this, [this] {
        freezeAllButLast(1); // epoch 1 of a gradual plan
        gradual_ = gradualEpochs_->value();
        showSummary();
        Q_EMIT planChanged();
    });
    connect(measureGap_, &QPushButton::clicked, this, &ModelPage::measureDomainGap);
    connect(cancelGap_, &QPushButton::clicked, gapJob_, &JobController::cancel);
    connect(gapJob_, &JobController::progressed, this, [this](const QString& stage, qint64 done, qint64 total) {
        gapReading_->setText(tr("%1: %2 of %3 images%4").arg(stage).arg(done).arg(total).arg(etaSuffix(gapClock_.elapsed() / 1000.0, done, total)));
    });
    connect(gapJob_, &JobController::gapMeasured, this, [this](const DomainGapReport& report) {
        if (report.sets.empty()) return;
        const auto& measured = report.sets.back();
        std::map<std::string, double> shifts;
        for (const auto& block : measured.blocks)
            if (block.layers > 0) shifts[block.block] = block.shift;
        diagram_->setDomainShifts(std::move(shifts));
        QString text = tr("<b>%1</b> (%2 images) under %3: %4.")
                           .arg(QString::fromStdString(measured.set == "*" ? tr("All images").toStdString() : measured.set))
                           .arg(measured.images)
                           .arg(QString::fromStdString(report.model), QString::fromStdString(measured.reading));
        if (report.between)
            text += "<br>" + tr("%1 against %2: proxy A-distance %3 (a linear classifier tells them apart on %4 % of held-out "
                                "images; 0 alike, 2 apart), linear MMD² %5, Fréchet distance %6.")
                                 .arg(QString::fromStdString(report.between->first), QString::fromStdString(report.between->second))
                                 .arg(report.between->proxyADistance, 0, 'f', 2)
                                 .arg(100 * (1 - report.between->domainClassifierError), 0, 'f', 0)
                                 .arg(report.between->linearMmd, 0, 'g', 3)
                                 .arg(report.between->frechet, 0, 'g', 3);
        gapReading_->setText(text);
    });
    connect(gapJob_, &JobController::finished, this, [this](qint64, bool succeeded, const QString& message) {
        cancelGap_->setEnabled(false);
        refreshGapChoices();
        if (!succeeded) gapReading_->setText(message);
    });
    description->setText(architecture_->currentData().toString());
    rebuild();
}

void ModelPage::setProject(const QString& path, const QStringList& domains) {
    if (path != projectPath_) {
        diagram_->setDomainShifts({});
        gapReading_->clear();
    }
    projectPath_ = path;
    domains_ = domains;
    refreshGapChoices();
}

void ModelPage::refreshGapChoices() {
    const QVariant chosenBackbone = gapBackbone_->currentData(), chosenImages = gapImages_->currentData();
    gapBackbone_->clear();
    const std::string arch = architecture_->currentText().toStdString();
    for (const auto& weights : builtInWeights())
        if (weights.arch == arch) {
            const auto name = QString::fromStdString(std::string(kBuiltInWeightsPrefix) + weights.name);
            gapBackbone_->addItem(name, name);
        }
    for (const auto& backbone : cachedBackbones(weightsCacheDir()))
        if (backbone.arch == arch) gapBackbone_->addItem(QString::fromStdString(backbone.name), QString::fromStdString(backbone.name));
    gapImages_->clear();
    gapImages_->addItem(tr("all images"), QStringList{});
    for (const auto& domain : domains_) gapImages_->addItem(tr("domain %1").arg(domain), QStringList{domain});
    // Pairs also compare the two domains' features; the strip shows the second's shift.
    for (const auto& first : domains_)
        for (const auto& second : domains_)
            if (first != second && domains_.size() <= 4)
                gapImages_->addItem(tr("domain %1, against %2").arg(second, first), QStringList{first, second});
    if (const int index = gapBackbone_->findData(chosenBackbone); index >= 0) gapBackbone_->setCurrentIndex(index);
    if (const int index = gapImages_->findData(chosenImages); index >= 0) gapImages_->setCurrentIndex(index);
    const bool ready = !projectPath_.isEmpty() && gapBackbone_->count() > 0 && !gapJob_->isRunning();
    measureGap_->setEnabled(ready);
    measureGap_->setToolTip(gapBackbone_->count() == 0
                                ? tr("No pretrained weights of %1 are downloaded: get some under Pretrained backbones")
                                      .arg(architecture_->currentText())
                                : tr("How far the images lie from what the weights' BatchNorm layers remember of their "
                                     "source data, block by block: the block that shifts most is where fine-tuning should start"));
}

bool ModelPage::measureDomainGap() {
    if (projectPath_.isEmpty() || gapBackbone_->count() == 0) return false;
    if (!gapJob_->startDomainGap(projectPath_.toStdString(), gapBackbone_->currentData().toString(),
                                 gapImages_->currentData().toStringList()))
        return false;
    gapClock_.start();
    measureGap_->setEnabled(false);
    cancelGap_->setEnabled(true);
    gapReading_->setText(tr("Measuring the domain gap…"));
    return true;
}

QString ModelPage::gapReading() const { return gapReading_->text(); }

void ModelPage::setClassCount(int classes) {
    if (classes == classes_ || classes < 1) return;
    classes_ = classes;
    rebuild();
}

void ModelPage::setArchitecture(const QString& name) { architecture_->setCurrentText(name); }

QString ModelPage::architecture() const { return architecture_->currentText(); }

void ModelPage::rebuild() {
    diagram_->setGraph(buildLayerGraph(architecture_->currentText().toStdString(), classes_));
    diagram_->setDomainShifts({}); // measured under another architecture's weights
    gapReading_->clear();
    refreshGapChoices();
}

void ModelPage::freezeAllButLast(int trainingBlocks) {
    const auto& graph = diagram_->graph();
    const auto blocks = parameterBlocks(graph);
    std::set<std::string> frozen;
    for (std::size_t i = 0; i + std::size_t(trainingBlocks) < blocks.size(); ++i) frozen.insert(graph.blocks[blocks[i]].name);
    diagram_->setFrozen(std::move(frozen));
}

int ModelPage::frozenBlockCount() const { return int(diagram_->frozen().size()); }

QString ModelPage::freezePlan() const {
    if (gradual_) return QString("gradual:%1").arg(*gradual_);
    const auto& graph = diagram_->graph();
    const auto& frozen = diagram_->frozen();
    if (frozen.empty()) return "none";
    const auto blocks = parameterBlocks(graph);
    std::size_t leading = 0; // frozen blocks before the first trainable one
    while (leading < blocks.size() && frozen.contains(graph.blocks[blocks[leading]].name)) ++leading;
    if (leading == frozen.size()) {
        if (leading + 1 == blocks.size()) return "probe";
        return "upto:" + QString::fromStdString(graph.blocks[blocks[leading - 1]].name);
    }
    QStringList names;
    for (const auto index : blocks)
        if (frozen.contains(graph.blocks[index].name)) names << QString::fromStdString(graph.blocks[index].name);
    return "blocks:" + names.join(',');
}

QString ModelPage::learningRateMultipliers() const {
    if (discriminative_->isChecked()) return QString("%1,1").arg(lowestMultiplier_->value());
    QStringList parts;
    for (const auto& [block, multiplier] : diagram_->learningRateMultipliers())
        if (!diagram_->frozen().contains(block)) parts << QString("%1=%2").arg(QString::fromStdString(block)).arg(multiplier);
    return parts.join(',');
}

std::int64_t ModelPage::totalParameters() const { return diagram_->graph().totalParameters(); }

std::int64_t ModelPage::trainableParameters() const {
    std::int64_t trainable = 0;
    for (const auto& block : diagram_->graph().blocks)
        if (!diagram_->frozen().contains(block.name)) trainable += block.parameters;
    return trainable;
}

void ModelPage::showSummary() {
    const QLocale locale;
    const auto total = totalParameters(), trainable = trainableParameters();
    QString text = tr("Trainable: %1 of %2 parameters (%3 %).   Freeze plan: %4.")
                       .arg(locale.toString(qlonglong(trainable)), locale.toString(qlonglong(total)))
                       .arg(total > 0 ? 100.0 * double(trainable) / double(total) : 0.0, 0, 'f', 1)
                       .arg(freezePlan());
    if (const auto multipliers = learningRateMultipliers(); !multipliers.isEmpty())
        text += "   " + tr("Learning-rate multipliers: %1.").arg(multipliers);
    const auto plan = freezePlan();
    if (plan.startsWith("probe") || plan.startsWith("upto:"))
        text += "\n" + tr("Feature cache applies: the frozen leading blocks run once over the images, not every epoch.");
    else if (plan.startsWith("blocks:"))
        text += "\n" + tr("No feature cache: a trainable block comes before a frozen one, so every block runs every epoch.");
    else if (plan.startsWith("gradual:"))
        text += "\n" + tr("Shown: epoch 1. Each unfrozen block ends the feature cache's use for the blocks after it.");
    summary_->setText(text);
}

} // namespace graft::ui
