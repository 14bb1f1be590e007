#include "ImageFilterModel.h"

#include "ImageGridModel.h"

namespace graft::ui {

void ImageFilterModel::setFilter(Kind kind, std::int64_t classId, const QString& split) {
    kind_ = kind;
    classId_ = classId;
    split_ = split;
    invalidateFilter();
}

void ImageFilterModel::setImages(QSet<QString> images) {
    kind_ = Kind::Images;
    images_ = std::move(images);
    invalidateFilter();
}

bool ImageFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const auto index = sourceModel()->index(sourceRow, 0, sourceParent);
    switch (kind_) {
    case Kind::All: return true;
    case Kind::Unlabelled: return index.data(ImageGridModel::ClassIdRole).toLongLong() == ImageGridModel::kUnlabelled;
    case Kind::Class: return index.data(ImageGridModel::ClassIdRole).toLongLong() == classId_;
    case Kind::Split: return index.data(ImageGridModel::SplitRole).toString() == split_;
    case Kind::Images: return images_.contains(index.data(ImageGridModel::Sha256Role).toString());
    }
    return true;
}

} // namespace graft::ui
