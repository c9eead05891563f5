#pragma once
// Private helpers for grey image grids: input checks, the grey value range and painting.

#include <cairo.h>

#include <string>
#include <vector>

namespace topoembed::viz::detail {

struct GreyRange {
  double lo = 0;
  double span = 1;  // hi - lo, or 1 for constant data
};

// Checks the images (what + " k has ... values") and returns the range mapped to black..white:
// value_min / value_max where given (not NaN), else the data's min / max.
GreyRange check_grey_images(const std::vector<std::vector<float>>& images, int image_height, int image_width,
                            double value_min, double value_max, const std::string& op, const std::string& what);

// Pixel size of a grid of `count` images: columns × rows cells of (image × scale) plus padding.
struct GridSize {
  int columns = 1;
  int rows = 1;
  int width = 0;
  int height = 0;
};
GridSize grid_size(std::size_t count, int columns, int image_height, int image_width, int scale, int padding);

// Paints the images row by row into an ARGB32 surface at offset (x0, y0), nearest-neighbour scaled.
void paint_grey_grid(cairo_surface_t* surface, const std::vector<std::vector<float>>& images, int image_height,
                     int image_width, int columns, int scale, int padding, int x0, int y0, GreyRange range);

}  // namespace topoembed::viz::detail
