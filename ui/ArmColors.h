#pragma once

#include <QColor>

#include <string>

namespace graft::ui {

// The colour of an experiment's arm, the same on every page: the baseline grey, the others from a
// palette in the order they are listed (`index` counts the arms other than the baseline).
inline QColor armColor(const std::string& arm, const std::string& baseline, int index) {
    if (arm == baseline) return {110, 118, 129};
    static const QColor palette[] = {{59, 125, 216}, {220, 110, 40}, {46, 160, 67}, {150, 80, 190}, {200, 60, 120}};
    return palette[index % int(std::size(palette))];
}

} // namespace graft::ui
