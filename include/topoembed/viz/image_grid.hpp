#pragma once
// A grid of grey images, e.g. decoded 28×28 images over a chart's coordinate grid.

#include <cmath>
#include <string>
#include <vector>

namespace topoembed::viz {

struct ImageGridOptions {
  std::string title;
  int columns = 10;    // images per row
  int scale = 2;       // screen pixels per image pixel
  int padding = 2;     // pixels between images
  // Grey value range mapped to black..white; NaN (default): the data's min and max.
  double value_min = std::nan("");
  double value_max = std::nan("");
};

// images: each image_height × image_width values, row-major. Throws std::invalid_argument on no
// images, a wrong image size, non-finite values or bad options.
void image_grid(const std::vector<std::vector<float>>& images, int image_height, int image_width,
                const std::string& path, const ImageGridOptions& options = {});

}  // namespace topoembed::viz
