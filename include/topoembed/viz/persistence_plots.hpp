#pragma once
// Persistence diagrams and barcodes. Plain data (no dependency on ph): callers convert their pairs.

#include <string>
#include <vector>

#include "topoembed/viz/plot_options.hpp"

namespace topoembed::viz {

// One point of a diagram; death = +inf for an essential class.
struct DiagramPoint {
  int dim = 0;
  double birth = 0;
  double death = 0;
};

struct DiagramPlotOptions : PlotOptions {
  DiagramPlotOptions() {
    x_label = "birth";
    y_label = "death";
  }
  double point_radius = 3.5;
};

// Points coloured by dimension (palette_color(dim)), the diagonal, and essential classes on a
// dashed line labelled "inf" above every finite death. Throws std::invalid_argument on empty
// input, negative dimensions, non-finite births or death < birth.
void persistence_diagram_plot(const std::vector<DiagramPoint>& points, const std::string& path,
                              const DiagramPlotOptions& options = {});

struct BarcodeOptions : PlotOptions {
  BarcodeOptions() { x_label = "filtration value"; }
  double bar_width = 0;  // pixels; 0: chosen from the number of bars
};

// One horizontal bar per point, grouped by dimension (H0 at the top) and sorted by birth; essential
// bars run to the "inf" line and end in an arrow. Same checks as persistence_diagram_plot.
void barcode_plot(const std::vector<DiagramPoint>& points, const std::string& path,
                  const BarcodeOptions& options = {});

}  // namespace topoembed::viz
