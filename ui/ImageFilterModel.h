#pragma once

#include <QHash>
#include <QSet>
#include <QSortFilterProxyModel>

#include <cstdint>

namespace graft::ui {

// Which images the labelling grid shows: all, the unlabelled ones, one class, one split, those a
// run got wrong, or the suggested ones still unlabelled, in the order suggested.
class ImageFilterModel : public QSortFilterProxyModel {
    Q_OBJECT

public:
    enum class Kind { All, Unlabelled, Class, Split, Images, Ranked };

    using QSortFilterProxyModel::QSortFilterProxyModel;
    // `classId` for Kind::Class, `split` ("train", "val", "test") for Kind::Split.
    void setFilter(Kind kind, std::int64_t classId = 0, const QString& split = {});
    // Kind::Images: exactly these (SHA-256).
    void setImages(QSet<QString> images);
    // Kind::Ranked: these (SHA-256 -> place), while unlabelled, sorted by their place.
    void setRanking(QHash<QString, int> ranking);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    Kind kind_ = Kind::All;
    std::int64_t classId_ = 0;
    QString split_;
    QSet<QString> images_;
    QHash<QString, int> ranking_;
};

} // namespace graft::ui
