#include "ExplanationView.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPixmap>
#include <QVBoxLayout>

namespace graft::ui {
namespace {

constexpr int kShownSize = 128;

} // namespace

ExplanationView::ExplanationView(QWidget* parent) : QWidget(parent), heading_(new QLabel), row_(new QHBoxLayout) {
    heading_->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(heading_);
    layout->addLayout(row_);
    row_->addStretch(1);
}

void ExplanationView::clearPanels() {
    for (const auto& panel : panels_) delete panel.first->parentWidget();
    panels_.clear();
}

void ExplanationView::showExplanations(const QString& heading, const std::vector<ImageExplanation>& explanations,
                                       const QStringList& captions) {
    clearPanels();
    heading_->setText(heading);
    for (std::size_t i = 0; i < explanations.size(); ++i) {
        const auto& explanation = explanations[i];
        auto* panel = new QWidget;
        auto* image = new QLabel;
        image->setAlignment(Qt::AlignCenter);
        // Small inputs (TinyNet's 28 px) are enlarged without smoothing, so their pixels stay visible.
        const QImage heatMap = explanation.heatMap.scaled(kShownSize, kShownSize, Qt::KeepAspectRatio,
                                                          explanation.heatMap.width() < kShownSize / 2 ? Qt::FastTransformation
                                                                                                       : Qt::SmoothTransformation);
        image->setPixmap(QPixmap::fromImage(heatMap));
        image->setMinimumSize(heatMap.size()); // never cropped by a short splitter pane
        QStringList lines = {QStringLiteral("<b>%1</b>").arg(captions.value(int(i)).toHtmlEscaped())};
        for (const auto& [label, probability] : explanation.top)
            lines << tr("%1: %2 %").arg(label.toHtmlEscaped()).arg(100 * probability, 0, 'f', 1);
        auto* caption = new QLabel(lines.join("<br>"));
        caption->setToolTip(tr("Grad-CAM of %1 at block %2: red is where the evidence for it lies")
                                .arg(explanation.top.empty() ? QString() : explanation.top.front().first, explanation.block));
        auto* panelLayout = new QHBoxLayout(panel); // caption beside the image: the pane is short
        panelLayout->addWidget(image);
        panelLayout->addWidget(caption);
        row_->insertWidget(int(i), panel);
        panels_.emplace_back(image, caption);
    }
}

void ExplanationView::showMessage(const QString& text) {
    clearPanels();
    heading_->setText(text);
}

QString ExplanationView::heading() const { return heading_->text(); }

QImage ExplanationView::panelImage(int index) const { return panels_.at(std::size_t(index)).first->pixmap().toImage(); }

QString ExplanationView::panelText(int index) const { return panels_.at(std::size_t(index)).second->text(); }

} // namespace graft::ui
