#pragma once

#include <QSortFilterProxyModel>

#include <cstdint>

namespace graft::ui {

// Which images the labelling grid shows: all, the unlabelled ones, one class, or one split.
class ImageFilterModel : public QSortFilterProxyModel {
    Q_OBJECT

public:
    enum class Kind { All, Unlabelled, Class, Split };

    using QSortFilterProxyModel::QSortFilterProxyModel;
    // `classId` for Kind::Class, `split` ("train", "val", "test") for Kind::Split.
    void setFilter(Kind kind, std::int64_t classId = 0, const QString& split = {});

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    Kind kind_ = Kind::All;
    std::int64_t classId_ = 0;
    QString split_;
};

} // namespace graft::ui
