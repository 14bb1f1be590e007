#pragma once

#include <QElapsedTimer>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <optional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace graft::ui {

class BackboneGallery;
class JobController;
class LayerDiagram;

// Model: the backbone and what of it trains. The layer diagram is clicked to freeze blocks, or a
// preset sets them; the summary counts trainable parameters and says whether the feature cache
// (frozen leading blocks run once, not every epoch) applies. Learning-rate multipliers are set
// per block (right click) or as a ramp. The domain gap measures how far the project's images (or
// one domain's) lie from what a pretrained backbone of this architecture remembers of its source,
// drawn as a strip beside each block. A second tab holds the gallery of pretrained backbones.
class ModelPage : public QWidget {
    Q_OBJECT

public:
    explicit ModelPage(QWidget* parent = nullptr);

    // The head's outputs: the project's class count.
    void setClassCount(int classes);
    void setArchitecture(const QString& name);
    QString architecture() const;
    // As train's --freeze takes it: none, probe, upto:BLOCK, blocks:A,B or gradual:E.
    QString freezePlan() const;
    int frozenBlockCount() const;
    // As train's --lr-mult takes it: "" (all 1), "LO,1" (a ramp to the head) or "BLOCK=x,...",
    // naming trainable blocks only.
    QString learningRateMultipliers() const;
    LayerDiagram* diagram() const { return diagram_; }
    // The project the domain gap measures (empty: none) and its domains, for the choice of images.
    void setProject(const QString& path, const QStringList& domains);
    // Measures the gap of the chosen images under the chosen backbone on a worker; false when it
    // cannot start (no project, no backbone of this architecture, a measurement under way).
    bool measureDomainGap();
    JobController* gapJob() const { return gapJob_; }
    QString gapReading() const;
    BackboneGallery* gallery() const { return gallery_; }
    std::int64_t trainableParameters() const;
    std::int64_t totalParameters() const;

Q_SIGNALS:
    void planChanged();
    // A pretrained backbone chosen in the gallery, its architecture already set here.
    void initialWeightsChosen(const QString& weightsFile);

private:
    void rebuild();
    void freezeAllButLast(int trainingBlocks);
    void showSummary();
    void refreshGapChoices();

    QComboBox* architecture_;
    LayerDiagram* diagram_;
    QSpinBox* lastBlocks_;
    QSpinBox* gradualEpochs_;
    QLabel* summary_;
    QCheckBox* discriminative_;
    QDoubleSpinBox* lowestMultiplier_;
    BackboneGallery* gallery_;
    QComboBox* gapBackbone_;
    QComboBox* gapImages_;
    QPushButton* measureGap_;
    QPushButton* cancelGap_;
    QLabel* gapReading_;
    JobController* gapJob_;
    QString projectPath_;
    QStringList domains_;
    QElapsedTimer gapClock_;
    int classes_ = 1000;
    std::optional<int> gradual_; // epochs per unfrozen block, while the gradual preset holds
};

} // namespace graft::ui
