#pragma once

#include <QCoreApplication>
#include <QString>

namespace graft::ui {

// ", about 40 s left" for work `done` of `total` after `seconds`, by the pace so far; empty before
// the first item is done.
inline QString etaSuffix(double seconds, qint64 done, qint64 total) {
    if (done <= 0 || total <= done) return {};
    return QCoreApplication::translate("EtaText", ", about %1 s left").arg(qint64(seconds * double(total - done) / double(done)));
}

} // namespace graft::ui
