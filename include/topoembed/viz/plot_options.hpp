#pragma once
// Options common to every plot: size in pixels, title and axis labels.

#include <string>

namespace topoembed::viz {

struct PlotOptions {
  std::string title;
  std::string x_label;
  std::string y_label;
  int width = 800;   // pixels, 64..10000
  int height = 600;  // pixels, 64..10000
  bool legend = true;
};

}  // namespace topoembed::viz
