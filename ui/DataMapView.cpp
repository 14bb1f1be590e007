#include "DataMapView.h"

#include "EtaText.h"
#include "FinishedRuns.h"
#include "JobController.h"
#include "PlotStyle.h"
#include "QCustomPlotInclude.h"
#include "ThumbnailLoader.h"

#include "models/PretrainedBackbone.h"
#include "models/Zoo.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <map>

namespace graft::ui {
namespace {

constexpr int kThumbnail = 96;
constexpr int kReach = 8; // pixels from a point that still count as on it

struct Group {
    QString name;
    QColor colour;
    std::vector<const MapPoint*> points;
};

const QColor kNotJudged{150, 150, 150};

QColor classColour(std::size_t index) {
    // Tableau 10, told apart by most readers, colour-blind ones included.
    static const QColor palette[] = {{78, 121, 167}, {242, 142, 43}, {225, 87, 89},  {118, 183, 178}, {89, 161, 79},
                                     {237, 201, 72}, {176, 122, 161}, {255, 157, 167}, {156, 117, 95}, {186, 176, 172}};
    return palette[index % std::size(palette)];
}

} // namespace

DataMapView::DataMapView(QWidget* parent)
    : QWidget(parent), source_(new QComboBox), colouring_(new QComboBox), drawButton_(new QPushButton(tr("Draw map"))),
      cancelButton_(new QPushButton(tr("Cancel"))), progress_(new QLabel), plot_(new QCustomPlot), hover_(new QLabel(plot_)),
      job_(new JobController(this)), thumbnails_(256) {
    source_->setObjectName("mapSource");
    source_->setToolTip(tr("Whose features place the images: a finished run's (as it sees them after training) or a "
                           "pretrained backbone's (before any training). Near points look alike to that model."));
    colouring_->setObjectName("mapColouring");
    colouring_->addItem(tr("class"), int(Colouring::Class));
    colouring_->addItem(tr("split"), int(Colouring::Split));
    colouring_->addItem(tr("right or wrong"), int(Colouring::Correctness));
    colouring_->setToolTip(tr("Right or wrong: whether the run predicts the image's label (runs only)"));
    drawButton_->setObjectName("drawMap");
    cancelButton_->setObjectName("cancelMap");
    cancelButton_->setEnabled(false);
    progress_->setObjectName("mapProgress");
    progress_->setWordWrap(true);
    plot_->setObjectName("dataMap");
    plot_->setMinimumSize(320, 240);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->setMouseTracking(true);
    plot_->setFocusPolicy(Qt::ClickFocus); // a clicked image takes the label keys, as in the grid
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, new QCPTextElement(plot_, QString()));
    plot_->legend->setVisible(true);
    // The legend beside the map, at its top: inside, it hid a quarter of 5,000 points.
    auto* side = new QCPLayoutGrid;
    plot_->plotLayout()->addElement(1, 1, side);
    plot_->plotLayout()->setColumnStretchFactor(1, 0.001);
    plot_->axisRect()->insetLayout()->take(plot_->legend);
    side->addElement(0, 0, plot_->legend);
    side->addElement(1, 0, new QCPLayoutElement(plot_));
    side->setRowStretchFactor(0, 0.001);
    side->setMargins(QMargins(0, 0, 8, 0)); // the legend's frame clear of the widget's edge
    followPalette(plot_);
    hover_->setObjectName("mapThumbnail");
    hover_->setFrameShape(QFrame::Box);
    hover_->setAutoFillBackground(true);
    hover_->setAlignment(Qt::AlignCenter);
    hover_->hide();
    setTitle(tr("Choose whose features place the images, then Draw map."));

    auto* sourceRow = new QHBoxLayout;
    sourceRow->addWidget(new QLabel(tr("Features of")));
    sourceRow->addWidget(source_, 1);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Colour by")));
    controls->addWidget(colouring_);
    controls->addWidget(drawButton_);
    controls->addWidget(cancelButton_);
    controls->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(sourceRow);
    layout->addLayout(controls);
    layout->addWidget(progress_);
    layout->addWidget(plot_, 1);

    connect(drawButton_, &QPushButton::clicked, this, &DataMapView::draw);
    connect(cancelButton_, &QPushButton::clicked, job_, &JobController::cancel);
    connect(colouring_, &QComboBox::currentIndexChanged, this, &DataMapView::paintPoints);
    connect(job_, &JobController::progressed, this, [this](const QString& stage, qint64 done, qint64 total) {
        if (total <= 0) {
            progress_->setText(stage + "…");
            return;
        }
        progress_->setText(tr("%1: %2 of %3 images%4").arg(stage).arg(done).arg(total).arg(etaSuffix(elapsed_.elapsed() / 1000.0, done, total)));
    });
    connect(job_, &JobController::mapped, this, &DataMapView::showMap);
    connect(job_, &JobController::finished, this, [this](qint64, bool succeeded, const QString& message) {
        drawButton_->setEnabled(true);
        cancelButton_->setEnabled(false);
        progress_->setText(succeeded ? tr("%1 images, %2 s").arg(map_.points.size()).arg(elapsed_.elapsed() / 1000.0, 0, 'f', 1)
                                     : message);
    });
    connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) { hoverAt(event->pos()); });
    connect(plot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) { pressedAt_ = event->pos(); });
    connect(plot_, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* event) {
        if (event->button() != Qt::LeftButton || (event->pos() - pressedAt_).manhattanLength() > 3) return; // a drag
        const QString sha256 = imageAt(event->pos());
        if (sha256.isEmpty()) return;
        chosen_ = sha256;
        paintPoints();
        Q_EMIT imageClicked(sha256);
    });
}

void DataMapView::setProject(Database* db, const QString& path) {
    job_->cancel(); // a map of the previous project is of no use
    db_ = db;
    projectPath_ = path;
    thumbnails_.clear();
    map_ = {};
    chosen_.clear();
    drawnOnce_ = false;
    paintPoints();
    setTitle(tr("Choose whose features place the images, then Draw map."));
    reloadSources();
}

void DataMapView::reloadSources() {
    const QVariant chosen = source_->currentData();
    const QSignalBlocker blocker(source_);
    source_->clear();
    if (db_)
        for (const auto& [id, name] : finishedRuns(*db_)) source_->addItem(name, id);
    for (const auto& backbone : cachedBackbones(weightsCacheDir()))
        source_->addItem(tr("backbone %1 (pretrained, before training)").arg(QString::fromStdString(backbone.name)),
                         QString::fromStdString(backbone.name));
    const int index = source_->findData(chosen);
    source_->setCurrentIndex(index < 0 ? 0 : index);
    drawButton_->setEnabled(db_ && source_->count() > 0 && !job_->isRunning());
    if (source_->count() == 0)
        progress_->setText(tr("Train a run, or download a backbone on the Model page, to map the images by its features."));
}

void DataMapView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (!drawnOnce_) draw();
}

void DataMapView::draw() {
    if (!db_ || source_->count() == 0 || job_->isRunning()) return;
    drawnOnce_ = true;
    const QVariant source = source_->currentData();
    const bool run = source.typeId() == QMetaType::LongLong;
    if (!job_->startDataMap(projectPath_.toStdString(), run ? source.toLongLong() : 0, run ? QString() : source.toString()))
        return;
    elapsed_.start();
    drawButton_->setEnabled(false);
    cancelButton_->setEnabled(true);
    progress_->setText(tr("Reading the model…"));
}

void DataMapView::setColouring(Colouring colouring) { colouring_->setCurrentIndex(colouring_->findData(int(colouring))); }

void DataMapView::showMap(const DataMap& map) {
    map_ = map;
    chosen_.clear();
    thumbnails_.clear();
    plot_->xAxis->setLabel(tr("first principal component (%1 % of the variance)").arg(100 * map.explainedVariance[0], 0, 'f', 1));
    plot_->yAxis->setLabel(tr("second (%1 %)").arg(100 * map.explainedVariance[1], 0, 'f', 1));
    // Two lines: the title spans only the map's column, which at 1280 px is narrower than one line of it.
    setTitle(tr("%1 images by the features of\n%2").arg(map.points.size()).arg(QString::fromStdString(map.features)));
    paintPoints();
    plot_->rescaleAxes();
    plot_->xAxis->scaleRange(1.05);
    plot_->yAxis->scaleRange(1.05);
    plot_->replot();
}

void DataMapView::relabel(const std::function<std::optional<std::int64_t>(const std::string&)>& labelOf) {
    if (map_.points.empty()) return;
    for (auto& point : map_.points) point.classId = labelOf(point.sha256);
    paintPoints();
}

void DataMapView::paintPoints() {
    plot_->clearPlottables();
    const auto colouring = Colouring(colouring_->currentData().toInt());
    std::vector<Group> groups;
    std::map<std::int64_t, std::size_t> groupOfClass;
    if (colouring == Colouring::Class) {
        groups.push_back({tr("unlabelled"), kNotJudged, {}});
        if (db_)
            for (const auto& [id, name] : ProjectStore(*db_).classNames()) {
                groupOfClass[id] = groups.size();
                groups.push_back({QString::fromStdString(name), classColour(groups.size() - 1), {}});
            }
    } else if (colouring == Colouring::Split) {
        groups = {{tr("no split"), kNotJudged, {}}, {tr("train"), {78, 121, 167}, {}}, {tr("validation"), {242, 142, 43}, {}},
                  {tr("test"), {89, 161, 79}, {}}};
    } else {
        groups = {{tr("not judged"), kNotJudged, {}}, {tr("right"), {89, 161, 79}, {}}, {tr("wrong"), {225, 87, 89}, {}}};
    }
    const MapPoint* chosen = nullptr;
    for (const auto& point : map_.points) {
        std::size_t group = 0;
        if (colouring == Colouring::Class && point.classId && groupOfClass.contains(*point.classId)) group = groupOfClass[*point.classId];
        if (colouring == Colouring::Split && point.split) group = 1 + std::size_t(*point.split);
        if (colouring == Colouring::Correctness && point.correct) group = *point.correct ? 1 : 2;
        groups[group].points.push_back(&point);
        if (QString::fromStdString(point.sha256) == chosen_) chosen = &point;
    }
    // Crowded maps get smaller, translucent dots, so dense regions still show their mix.
    const bool crowded = map_.points.size() > 1000;
    for (auto group : groups) { // in order, so mistakes are drawn over the rest
        if (group.points.empty()) continue;
        auto* graph = plot_->addGraph();
        graph->setName(QString("%1 (%2)").arg(group.name).arg(group.points.size()));
        graph->setLineStyle(QCPGraph::lsNone);
        if (crowded) group.colour.setAlpha(160);
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, group.colour, crowded ? 4 : 6));
        QVector<double> x, y;
        for (const auto* point : group.points) {
            x.push_back(point->x);
            y.push_back(point->y);
        }
        graph->setData(x, y);
    }
    if (chosen) {
        auto* ring = plot_->addGraph();
        ring->setName(tr("chosen"));
        ring->setLineStyle(QCPGraph::lsNone);
        ring->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(palette().color(QPalette::Text), 2), Qt::NoBrush, 14));
        ring->setData({chosen->x}, {chosen->y});
    }
    plot_->replot();
}

std::optional<QPoint> DataMapView::pixelOf(const QString& sha256) const {
    for (const auto& point : map_.points)
        if (QString::fromStdString(point.sha256) == sha256)
            return QPoint(int(std::lround(plot_->xAxis->coordToPixel(point.x))), int(std::lround(plot_->yAxis->coordToPixel(point.y))));
    return std::nullopt;
}

QString DataMapView::imageAt(const QPoint& pixel) const {
    const MapPoint* nearest = nullptr;
    double nearestDistance = kReach * kReach;
    for (const auto& point : map_.points) {
        const double dx = plot_->xAxis->coordToPixel(point.x) - pixel.x(), dy = plot_->yAxis->coordToPixel(point.y) - pixel.y();
        if (dx * dx + dy * dy <= nearestDistance) {
            nearestDistance = dx * dx + dy * dy;
            nearest = &point;
        }
    }
    return nearest ? QString::fromStdString(nearest->sha256) : QString();
}

QStringList DataMapView::legend() const {
    QStringList names;
    for (int i = 0; i < plot_->graphCount(); ++i) names << plot_->graph(i)->name();
    return names;
}

QString DataMapView::title() const { return static_cast<QCPTextElement*>(plot_->plotLayout()->element(0, 0))->text(); }

void DataMapView::setTitle(const QString& text) {
    static_cast<QCPTextElement*>(plot_->plotLayout()->element(0, 0))->setText(text);
    plot_->replot();
}

void DataMapView::hoverAt(const QPoint& pixel) {
    const QString sha256 = imageAt(pixel);
    const QImage image = sha256.isEmpty() ? QImage() : thumbnailOf(sha256);
    if (image.isNull()) {
        hover_->hide();
        return;
    }
    hover_->setPixmap(QPixmap::fromImage(image));
    hover_->adjustSize();
    // Beside the cursor, turned back inside the plot at its edges.
    QPoint at = pixel + QPoint(12, 12);
    if (at.x() + hover_->width() > plot_->width()) at.setX(pixel.x() - 12 - hover_->width());
    if (at.y() + hover_->height() > plot_->height()) at.setY(pixel.y() - 12 - hover_->height());
    hover_->move(at);
    hover_->show();
    hover_->raise();
}

QImage DataMapView::thumbnailOf(const QString& sha256) {
    if (const auto* cached = thumbnails_.object(sha256)) return *cached;
    if (!db_) return {};
    QImage image;
    try {
        image = ThumbnailLoader::thumbnail(ProjectStore(*db_).imageBytes(sha256.toStdString()), kThumbnail);
    } catch (const std::exception&) { // an image gone since the map was drawn: no thumbnail
        return {};
    }
    thumbnails_.insert(sha256, new QImage(image));
    return image;
}

} // namespace graft::ui
