#pragma once

#include <QSet>
#include <QSortFilterProxyModel>

#include <cstdint>

namespace graft::ui {

// Which images the labelling grid shows: all, the unlabelled ones, one class, one split, or those
// a run got wrong.
class ImageFilterModel : public QSortFilterProxyModel {
    Q_OBJECT

public:
    enum class Kind { All, Unlabelled, Class, Split, Images };

    using QSortFilterProxyModel::QSortFilterProxyModel;
    // `classId` for Kind::Class, `split` ("train", "val", "test") for Kind::Split.
    void setFilter(Kind kind, std::int64_t classId = 0, const QString& split = {});
    // Kind::Images: exactly these (SHA-256).
    void setImages(QSet<QString> images);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    Kind kind_ = Kind::All;
    std::int64_t classId_ = 0;
    QString split_;
    QSet<QString> images_;
};

} // namespace graft::ui
