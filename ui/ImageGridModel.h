#pragma once

#include "project/ProjectStore.h"

#include <QAbstractListModel>
#include <QCache>
#include <QHash>
#include <QImage>
#include <QSet>

#include <map>
#include <optional>
#include <unordered_map>

namespace graft::ui {

// The project's images for the labelling grid: one row per image, its class name as text and its
// thumbnail as decoration. Thumbnails are asked for (thumbnailWanted) the first time a row is
// painted, and kept in a bounded cache.
class ImageGridModel : public QAbstractListModel {
    Q_OBJECT

public:
    enum Role { ClassIdRole = Qt::UserRole + 1, SplitRole, Sha256Role };
    static constexpr std::int64_t kUnlabelled = -1; // ClassIdRole of an image without a label

    explicit ImageGridModel(int thumbnailSize, QObject* parent = nullptr);

    void reset(std::vector<CatalogImage> images, std::map<std::int64_t, QString> classNames);
    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;

    const CatalogImage& image(int row) const { return images_[std::size_t(row)]; }
    // The image's row; -1 when the project has no such image.
    int rowOf(const std::string& sha256) const;
    // Thumbnails kept decoded, by their memory; the least recently shown go first.
    void setThumbnailCacheMegabytes(int megabytes);
    int thumbnailCacheMegabytes() const { return int(thumbnails_.maxCost() / 1024); }
    // Whether the row's thumbnail is decoded and cached (a row that does not decode counts: it
    // shows the placeholder for good).
    bool hasThumbnail(int row) const;
    // A label changed elsewhere (a command, its undo).
    void setLabel(const std::string& sha256, std::optional<std::int64_t> classId);

    // What a run predicts for unlabelled images; the grid shows it in place of "unlabelled".
    struct Prediction {
        QString label;
        double confidence = 0;
    };
    void setPredictions(QHash<QString, Prediction> predictions);
    std::optional<Prediction> prediction(const std::string& sha256) const;

public Q_SLOTS:
    void setThumbnail(const QString& sha256, const QImage& image);

Q_SIGNALS:
    void thumbnailWanted(const QString& sha256) const;

private:
    std::vector<CatalogImage> images_;
    std::unordered_map<std::string, int> rowOf_;
    std::map<std::int64_t, QString> classNames_;
    QHash<QString, Prediction> predictions_; // by SHA-256
    QCache<QString, QImage> thumbnails_; // cost: KiB
    mutable QSet<QString> requested_;
    QImage placeholder_;
};

} // namespace graft::ui
