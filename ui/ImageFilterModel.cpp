#include "ImageFilterModel.h"

#include "ImageGridModel.h"

namespace graft::ui {

// A new filter is one layout change (invalidate), not invalidateFilter's removed and inserted
// ranges: with the classes interleaved that is one range per image, each relaid out by the grid,
// and one switch stalled the GUI for 2 s at 100,000 images (graft_bench_grid_scroll).
void ImageFilterModel::setFilter(Kind kind, std::int64_t classId, const QString& split) {
    kind_ = kind;
    classId_ = classId;
    split_ = split;
    invalidate();
    sort(-1); // the project's order
}

void ImageFilterModel::setImages(QSet<QString> images) {
    kind_ = Kind::Images;
    images_ = std::move(images);
    invalidate();
    sort(-1);
}

void ImageFilterModel::setRanking(QHash<QString, int> ranking) {
    kind_ = Kind::Ranked;
    ranking_ = std::move(ranking);
    invalidate();
    sort(0);
}

bool ImageFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    if (kind_ != Kind::Ranked) return QSortFilterProxyModel::lessThan(left, right);
    return ranking_.value(left.data(ImageGridModel::Sha256Role).toString()) <
           ranking_.value(right.data(ImageGridModel::Sha256Role).toString());
}

bool ImageFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const auto index = sourceModel()->index(sourceRow, 0, sourceParent);
    switch (kind_) {
    case Kind::All: return true;
    case Kind::Unlabelled: return index.data(ImageGridModel::ClassIdRole).toLongLong() == ImageGridModel::kUnlabelled;
    case Kind::Class: return index.data(ImageGridModel::ClassIdRole).toLongLong() == classId_;
    case Kind::Split: return index.data(ImageGridModel::SplitRole).toString() == split_;
    case Kind::Images: return images_.contains(index.data(ImageGridModel::Sha256Role).toString());
    case Kind::Ranked:
        return index.data(ImageGridModel::ClassIdRole).toLongLong() == ImageGridModel::kUnlabelled &&
               ranking_.contains(index.data(ImageGridModel::Sha256Role).toString());
    }
    return true;
}

} // namespace graft::ui
