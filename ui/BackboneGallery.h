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

// The zoo's pretrained backbones: size, input resolution, ImageNet accuracy and whether the
// weights are in the cache. Missing weights download in the background (progress, ETA, cancel)
// or are imported from a .pth file, checked against the published hash. "Use" hands the chosen
// weights to training.
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
    // The entry's architecture and its cached weights file.
    void weightsChosen(const QString& architecture, const QString& weightsFile);

private:
    void updateButtons();

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
