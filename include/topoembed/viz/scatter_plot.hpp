#pragma once
// Scatter plot of 2-D points coloured by integer class label (e.g. a latent space by label).

#include <string>
#include <vector>

#include "topoembed/viz/plot_options.hpp"

namespace topoembed::viz {

struct ScatterOptions : PlotOptions {
  double point_radius = 2.5;  // pixels
  double alpha = 0.8;
  // Legend names of labels 0, 1, ...; empty: the label numbers. If given, it must name every label.
  std::vector<std::string> class_names;
};

// Writes a PNG at `path` (atomically). labels: empty (one colour) or one label >= 0 per point,
// coloured by palette_color(label). Throws std::invalid_argument on empty or mismatched input or
// non-finite coordinates, std::runtime_error if the file cannot be written.
void scatter_plot(const std::vector<double>& x, const std::vector<double>& y, const std::vector<int>& labels,
                  const std::string& path, const ScatterOptions& options = {});

}  // namespace topoembed::viz
