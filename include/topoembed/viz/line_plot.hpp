#pragma once
// Line plot of several named series, e.g. loss curves per epoch.

#include <string>
#include <vector>

#include "topoembed/viz/plot_options.hpp"

namespace topoembed::viz {

struct Series {
  std::string name;
  std::vector<double> x;  // empty: 1, 2, ..., y.size() (epochs)
  std::vector<double> y;
};

struct LinePlotOptions : PlotOptions {
  bool log_y = false;  // every y must then be > 0
  bool markers = false;
  double line_width = 2.0;
};

// Writes a PNG at `path` (atomically). Series i gets palette_color(i). Throws std::invalid_argument
// on no series, an empty series, x/y size mismatch, non-finite values or y <= 0 with log_y.
void line_plot(const std::vector<Series>& series, const std::string& path, const LinePlotOptions& options = {});

}  // namespace topoembed::viz
