#pragma once

#include "explain/DataMap.h"

#include <QCache>
#include <QElapsedTimer>
#include <QImage>
#include <QPoint>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <functional>
#include <optional>

class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;

namespace graft {
class Database;
}

namespace graft::ui {

class JobController;

// A map of the project's images: each one a point placed by a finished run's or a pretrained
// backbone's features (their first two principal components), coloured by class, split, or
// whether the run got it right. Hovering shows the image; a click chooses it (imageClicked).
// The map is computed on a worker, with progress, an ETA and Cancel; the first time it is shown
// for a project it draws itself by the first source listed (the newest finished run).
class DataMapView : public QWidget {
    Q_OBJECT

public:
    enum class Colouring { Class, Split, Correctness };

    explicit DataMapView(QWidget* parent = nullptr);

    // The project open in `db` (kept, not owned; nullptr: none), whose file is `path`.
    void setProject(Database* db, const QString& path);
    // Lists the finished runs and the cached backbones again, keeping the chosen one.
    void reloadSources();
    // Computes the map for the chosen source.
    void draw();
    void setColouring(Colouring colouring);
    void showMap(const DataMap& map);
    // Labels changed since the map was drawn: each point takes the class `labelOf` gives it.
    void relabel(const std::function<std::optional<std::int64_t>(const std::string&)>& labelOf);
    JobController* job() const { return job_; }

    // Where the image's point is drawn, in the plot's pixels; none when it is not on the map.
    std::optional<QPoint> pixelOf(const QString& sha256) const;
    // The image whose point is nearest `pixel`, within a few pixels; empty when none is.
    QString imageAt(const QPoint& pixel) const;
    // The groups drawn, as the legend names them ("circle (40)").
    QStringList legend() const;
    QString title() const;
    const QCustomPlot* plot() const { return plot_; }
    const QLabel* hoverThumbnail() const { return hover_; }

Q_SIGNALS:
    void imageClicked(const QString& sha256);

protected:
    // The first time the map is shown for a project, it draws itself by the newest run.
    void showEvent(QShowEvent* event) override;

private:
    void paintPoints();
    void hoverAt(const QPoint& pixel);
    QImage thumbnailOf(const QString& sha256);
    void setTitle(const QString& text);

    Database* db_ = nullptr;
    QString projectPath_;
    QComboBox* source_;
    QComboBox* colouring_;
    QPushButton* drawButton_;
    QPushButton* cancelButton_;
    QLabel* progress_;
    QCustomPlot* plot_;
    QLabel* hover_; // the hovered image, over the plot
    JobController* job_;
    QElapsedTimer elapsed_;
    DataMap map_;
    QString chosen_; // the image clicked last, ringed
    QPoint pressedAt_;
    bool drawnOnce_ = false; // for this project, by the user or on first showing
    QCache<QString, QImage> thumbnails_;
};

} // namespace graft::ui
