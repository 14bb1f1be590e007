#pragma once

class QCustomPlot;

namespace graft::ui {

// Draws the plot in the widget palette's colours (background, axes, grid, legend, titles) now and
// whenever the palette changes, so charts follow a dark theme instead of staying white.
void followPalette(QCustomPlot* plot);

} // namespace graft::ui
