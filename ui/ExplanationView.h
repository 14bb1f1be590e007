#pragma once

#include "ImageExplanation.h"

#include <QWidget>

#include <vector>

class QHBoxLayout;
class QLabel;

namespace graft::ui {

// Runs' views of one image side by side: for each, its Grad-CAM heat map over the image as the
// model saw it, and its three most probable classes.
class ExplanationView : public QWidget {
    Q_OBJECT

public:
    explicit ExplanationView(QWidget* parent = nullptr);

    // `captions` name the runs, one per explanation (e.g. the arm and its baseline).
    void showExplanations(const QString& heading, const std::vector<ImageExplanation>& explanations,
                          const QStringList& captions);
    void showMessage(const QString& text);
    QString heading() const;
    int panelCount() const { return int(panels_.size()); }
    // The heat map shown in panel `index`, as displayed.
    QImage panelImage(int index) const;
    QString panelText(int index) const;

private:
    void clearPanels();

    QLabel* heading_;
    QHBoxLayout* row_;
    std::vector<std::pair<QLabel*, QLabel*>> panels_; // image, caption
};

} // namespace graft::ui
