#include "ThumbnailLoader.h"

#include "data/ImageDecoding.h"
#include "project/ProjectFile.h"
#include "project/ProjectStore.h"

#include <opencv2/imgproc.hpp>

#include <QMetaObject>

#include <utility>

namespace graft::ui {

ThumbnailLoader::ThumbnailLoader(QString projectPath, int size) : projectPath_(std::move(projectPath)), size_(size) {}

ThumbnailLoader::~ThumbnailLoader() = default;

QImage ThumbnailLoader::thumbnail(const std::vector<std::uint8_t>& encoded, int size) {
    cv::Mat image;
    try {
        image = decodeImage(encoded, ColorMode::Rgb);
    } catch (const std::exception&) {
        return {};
    }
    // Small images are enlarged with visible pixels rather than blurred.
    const double scale = double(size) / std::max(image.cols, image.rows);
    cv::resize(image, image, {std::max(1, int(image.cols * scale)), std::max(1, int(image.rows * scale))}, 0, 0,
               scale < 1.0 ? cv::INTER_AREA : cv::INTER_NEAREST);
    return QImage(image.data, image.cols, image.rows, int(image.step[0]), QImage::Format_RGB888).copy();
}

void ThumbnailLoader::request(const QString& sha256) {
    const std::lock_guard lock(mutex_);
    pending_.push_back(sha256);
    if (std::exchange(scheduled_, true)) return;
    QMetaObject::invokeMethod(this, &ThumbnailLoader::loadNewest, Qt::QueuedConnection);
}

void ThumbnailLoader::loadNewest() {
    QString sha256;
    {
        const std::lock_guard lock(mutex_);
        if (pending_.empty()) {
            scheduled_ = false;
            return;
        }
        sha256 = std::move(pending_.back());
        pending_.pop_back();
    }
    load(sha256);
    QMetaObject::invokeMethod(this, &ThumbnailLoader::loadNewest, Qt::QueuedConnection);
}

void ThumbnailLoader::load(const QString& sha256) {
    QImage image;
    try {
        if (!db_) db_ = std::make_unique<Database>(openProject(projectPath_.toStdString(), ProjectAccess::ReadOnly));
        image = thumbnail(ProjectStore(*db_).imageBytes(sha256.toStdString()), size_);
    } catch (const std::exception&) {
        // A missing or unreadable image shows as a blank tile; the grid says nothing more.
    }
    Q_EMIT loaded(sha256, image);
}

} // namespace graft::ui
