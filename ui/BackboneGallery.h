#pragma once

#include <QElapsedTimer>
#include <QString>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace graft::ui {

class JobController;

// Every backbone a run can start from: the zoo's ImageNet ones (size, input resolution, accuracy,
// whether the weights are in the cache), the weights built into Graft, and imported TorchScript
// feature extractors. Missing zoo weights download in the background (progress, ETA, cancel) or
// are imported from a .pth file, checked against the published hash. "Use" hands the chosen
// backbone to training.
class BackboneGallery : public QWidget {
    Q_OBJECT

public:
    explicit BackboneGallery(QWidget* parent = nullptr);

    // Re-reads which weights are in the cache.
    void refresh();
    void download(int row);
    // Refused with a message naming the file when it is not the entry's weights.
    void importFile(int row, const QString& file);
    void use(int row);
    JobController* downloadJob() const { return download_; }

Q_SIGNALS:
    // The backbone's architecture and the weights to start from: a cached file, "builtin:NAME",
    // or empty for a TorchScript backbone, which carries its own.
    void weightsChosen(const QString& architecture, const QString& weightsFile);

private:
    void updateButtons();
    enum class Kind { Zoo, BuiltIn, Script };
    Kind kindOf(int row) const;

    QTableWidget* table_;
    QPushButton* downloadButton_;
    QPushButton* importButton_;
    QPushButton* useButton_;
    QPushButton* cancelButton_;
    QProgressBar* progress_;
    QLabel* note_;
    JobController* download_;
    QElapsedTimer elapsed_;
};

} // namespace graft::ui
