// Grid of grey images drawn pixel by pixel (nearest-neighbour upscaling keeps pixels sharp).
#include "topoembed/viz/image_grid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "detail/canvas.hpp"
#include "detail/grey_images.hpp"

namespace topoembed::viz {

namespace detail {

GreyRange check_grey_images(const std::vector<std::vector<float>>& images, int image_height, int image_width,
                            double value_min, double value_max, const std::string& op, const std::string& what) {
  require(!images.empty(), op, "no images");
  require(image_height >= 1 && image_width >= 1, op,
          "image size must be >= 1x1, got " + std::to_string(image_height) + "x" + std::to_string(image_width));
  const std::size_t pixels = static_cast<std::size_t>(image_height) * static_cast<std::size_t>(image_width);
  double lo = INFINITY;
  double hi = -INFINITY;
  for (std::size_t k = 0; k < images.size(); ++k) {
    require(images[k].size() == pixels, op,
            what + " " + std::to_string(k) + " has " + std::to_string(images[k].size()) + " values, expected " +
                std::to_string(image_height) + "x" + std::to_string(image_width) + " = " + std::to_string(pixels));
    for (std::size_t i = 0; i < pixels; ++i) {
      const double v = images[k][i];
      require(std::isfinite(v), op, what + " " + std::to_string(k) + " value " + std::to_string(i) + " is not finite");
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  const bool given = !std::isnan(value_min) || !std::isnan(value_max);
  if (!std::isnan(value_min)) lo = value_min;
  if (!std::isnan(value_max)) hi = value_max;
  require(std::isfinite(lo) && std::isfinite(hi) && (hi > lo || !given), op,
          "value_max must be > value_min, got [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return {lo, hi > lo ? hi - lo : 1.0};
}

GridSize grid_size(std::size_t count, int columns, int image_height, int image_width, int scale, int padding) {
  GridSize g;
  g.columns = std::min<int>(columns, static_cast<int>(count));
  g.rows = static_cast<int>((count + static_cast<std::size_t>(g.columns) - 1) / static_cast<std::size_t>(g.columns));
  g.width = g.columns * image_width * scale + (g.columns + 1) * padding;
  g.height = g.rows * image_height * scale + (g.rows + 1) * padding;
  return g;
}

void paint_grey_grid(cairo_surface_t* surface, const std::vector<std::vector<float>>& images, int image_height,
                     int image_width, int columns, int scale, int padding, int x0, int y0, GreyRange range) {
  cairo_surface_flush(surface);
  unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  const int cell_w = image_width * scale;
  const int cell_h = image_height * scale;
  for (std::size_t k = 0; k < images.size(); ++k) {
    const int gx = static_cast<int>(k % static_cast<std::size_t>(columns));
    const int gy = static_cast<int>(k / static_cast<std::size_t>(columns));
    const int ox = x0 + padding + gx * (cell_w + padding);
    const int oy = y0 + padding + gy * (cell_h + padding);
    for (int r = 0; r < cell_h; ++r) {
      auto* line = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(oy + r) * stride);
      for (int c = 0; c < cell_w; ++c) {
        const std::size_t src = static_cast<std::size_t>(r / scale) * static_cast<std::size_t>(image_width) +
                                static_cast<std::size_t>(c / scale);
        const double t = std::clamp((images[k][src] - range.lo) / range.span, 0.0, 1.0);
        const auto g = static_cast<std::uint32_t>(std::lround(255 * t));
        line[ox + c] = 0xFF000000u | (g << 16) | (g << 8) | g;  // opaque ARGB32
      }
    }
  }
  cairo_surface_mark_dirty(surface);
}

}  // namespace detail

void image_grid(const std::vector<std::vector<float>>& images, int image_height, int image_width,
                const std::string& path, const ImageGridOptions& options) {
  const std::string op = "image_grid";
  const auto range = detail::check_grey_images(images, image_height, image_width, options.value_min,
                                               options.value_max, op, "image");
  detail::require(options.columns >= 1 && options.scale >= 1 && options.padding >= 0, op,
                  "columns and scale must be >= 1 and padding >= 0, got columns " + std::to_string(options.columns) +
                      ", scale " + std::to_string(options.scale) + ", padding " + std::to_string(options.padding));
  const auto g = detail::grid_size(images.size(), options.columns, image_height, image_width, options.scale,
                                   options.padding);
  const int title_h = options.title.empty() ? 0 : 30;
  detail::Canvas canvas(std::max(64, g.width), std::max(64, title_h + g.height), op);
  cairo_t* cr = canvas.cr();
  cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);  // separates the images
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  detail::draw_text(cr, canvas.width() / 2.0, 8, options.title, 15, 0.5, 0, true);
  detail::paint_grey_grid(canvas.surface(), images, image_height, image_width, g.columns, options.scale,
                          options.padding, 0, title_h, range);
  canvas.write_png(path);
}

}  // namespace topoembed::viz
