#include "ImageGridModel.h"

#include <algorithm>

namespace graft::ui {

ImageGridModel::ImageGridModel(int thumbnailSize, QObject* parent)
    : QAbstractListModel(parent), thumbnails_(128 * 1024),
      placeholder_(thumbnailSize, thumbnailSize, QImage::Format_RGB888) {
    placeholder_.fill(QColor(80, 80, 80));
}

void ImageGridModel::reset(std::vector<CatalogImage> images, std::map<std::int64_t, QString> classNames) {
    beginResetModel();
    images_ = std::move(images);
    classNames_ = std::move(classNames);
    rowOf_.clear();
    for (int row = 0; row < int(images_.size()); ++row) rowOf_[images_[std::size_t(row)].sha256] = row;
    thumbnails_.clear();
    requested_.clear();
    endResetModel();
}

int ImageGridModel::rowOf(const std::string& sha256) const {
    const auto found = rowOf_.find(sha256);
    return found == rowOf_.end() ? -1 : found->second;
}

int ImageGridModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(images_.size()); }

QVariant ImageGridModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(images_.size())) return {};
    const auto& image = images_[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        if (!image.classId) {
            const auto predicted = predictions_.find(QString::fromStdString(image.sha256));
            if (predicted == predictions_.end()) return tr("unlabelled");
            return tr("%1? %2 %").arg(predicted->label).arg(100 * predicted->confidence, 0, 'f', 0);
        }
        if (const auto name = classNames_.find(*image.classId); name != classNames_.end()) return name->second;
        return QString::number(*image.classId);
    case Qt::DecorationRole: {
        const QString key = QString::fromStdString(image.sha256);
        if (const auto* cached = thumbnails_.object(key)) return *cached;
        if (!requested_.contains(key)) {
            requested_.insert(key);
            Q_EMIT thumbnailWanted(key);
        }
        return placeholder_;
    }
    case Qt::ToolTipRole:
        return tr("%1\n%2 x %3 px%4")
            .arg(QString::fromStdString(image.source))
            .arg(image.width)
            .arg(image.height)
            .arg(image.split ? tr(", %1 split").arg(QString::fromStdString(std::string(splitName(*image.split)))) : QString());
    case ClassIdRole: return QVariant::fromValue<qint64>(image.classId.value_or(kUnlabelled));
    case SplitRole: return image.split ? QString::fromStdString(std::string(splitName(*image.split))) : QString();
    case Sha256Role: return QString::fromStdString(image.sha256);
    default: return {};
    }
}

bool ImageGridModel::hasThumbnail(int row) const {
    return thumbnails_.contains(QString::fromStdString(images_[std::size_t(row)].sha256));
}

void ImageGridModel::setLabel(const std::string& sha256, std::optional<std::int64_t> classId) {
    const auto found = rowOf_.find(sha256);
    if (found == rowOf_.end()) return;
    images_[std::size_t(found->second)].classId = classId;
    const auto changed = index(found->second);
    Q_EMIT dataChanged(changed, changed, {Qt::DisplayRole, ClassIdRole});
}

void ImageGridModel::setPredictions(QHash<QString, Prediction> predictions) {
    predictions_ = std::move(predictions);
    if (!images_.empty()) Q_EMIT dataChanged(index(0), index(int(images_.size()) - 1), {Qt::DisplayRole});
}

std::optional<ImageGridModel::Prediction> ImageGridModel::prediction(const std::string& sha256) const {
    const auto found = predictions_.find(QString::fromStdString(sha256));
    if (found == predictions_.end()) return std::nullopt;
    return *found;
}

void ImageGridModel::setThumbnailCacheMegabytes(int megabytes) { thumbnails_.setMaxCost(qsizetype(megabytes) * 1024); }

void ImageGridModel::setThumbnail(const QString& sha256, const QImage& image) {
    const auto found = rowOf_.find(sha256.toStdString());
    if (found == rowOf_.end()) return;
    auto* thumbnail = new QImage(image.isNull() ? placeholder_ : image);
    thumbnails_.insert(sha256, thumbnail, std::max<qsizetype>(1, thumbnail->sizeInBytes() / 1024));
    requested_.remove(sha256);
    const auto changed = index(found->second);
    Q_EMIT dataChanged(changed, changed, {Qt::DecorationRole});
}

} // namespace graft::ui
