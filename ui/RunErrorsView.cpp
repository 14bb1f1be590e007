#include "RunErrorsView.h"

#include "ConfusionMatrixPlot.h"
#include "ReliabilityPlot.h"

#include <QLabel>
#include <QListWidget>
#include <QPixmap>
#include <QHBoxLayout>
#include <QVBoxLayout>

namespace graft::ui {
namespace {

constexpr int kThumbnailSize = 96;

} // namespace

RunErrorsView::RunErrorsView(QWidget* parent)
    : QWidget(parent), heading_(new QLabel), matrix_(new ConfusionMatrixPlot), reliability_(new ReliabilityPlot),
      errors_(new QListWidget) {
    heading_->setWordWrap(true);
    errors_->setObjectName("errorImages");
    errors_->setAccessibleName(tr("Images the model got wrong"));
    errors_->setViewMode(QListView::IconMode);
    errors_->setIconSize({kThumbnailSize, kThumbnailSize});
    errors_->setGridSize({kThumbnailSize + 40, kThumbnailSize + 44});
    errors_->setResizeMode(QListView::Adjust);
    errors_->setMovement(QListView::Static);
    errors_->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(heading_);
    auto* plots = new QHBoxLayout;
    plots->addWidget(matrix_, 3);
    plots->addWidget(reliability_, 2);
    layout->addLayout(plots, 2);
    layout->addWidget(errors_, 3);
    connect(errors_, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        if (item) Q_EMIT imageChosen(item->data(Qt::UserRole).toString());
    });
}

void RunErrorsView::showInspection(const RunInspection& inspection) {
    heading_->setText(tr("<b>%1</b>, seed %2, %3 (run %4): %5 % of %6 %7 images right, %8 wrong; ECE %9")
                          .arg(inspection.arm.toHtmlEscaped())
                          .arg(inspection.seed)
                          .arg(inspection.budget)
                          .arg(inspection.runId)
                          .arg(100 * inspection.accuracy, 0, 'f', 1)
                          .arg(inspection.images)
                          .arg(inspection.split)
                          .arg(inspection.errors.size())
                          .arg(inspection.reliability.ece, 0, 'f', 3));
    matrix_->setMatrix(inspection.classes, inspection.confusion);
    reliability_->setReliability(inspection.reliability);
    errors_->setAccessibleName(tr("Images %1 got wrong").arg(inspection.arm)); // the two views side by side differ
    errors_->clear();
    for (const auto& error : inspection.errors) {
        auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(error.thumbnail)),
                                         tr("%1 → %2\n%3 %").arg(error.actual, error.predicted).arg(100 * error.confidence, 0, 'f', 0));
        item->setToolTip(tr("%1\nactually %2, predicted %3 with probability %4")
                             .arg(error.image, error.actual, error.predicted)
                             .arg(error.confidence, 0, 'f', 3));
        item->setData(Qt::UserRole, error.image);
        errors_->addItem(item);
    }
}

void RunErrorsView::showMessage(const QString& text) {
    heading_->setText(text);
    matrix_->setMatrix({}, {});
    reliability_->clear();
    errors_->clear();
}

QString RunErrorsView::heading() const { return heading_->text(); }

} // namespace graft::ui
