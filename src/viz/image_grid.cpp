// Grid of grey images drawn pixel by pixel (nearest-neighbour upscaling keeps pixels sharp).
#include "topoembed/viz/image_grid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "detail/canvas.hpp"

namespace topoembed::viz {

void image_grid(const std::vector<std::vector<float>>& images, int image_height, int image_width,
                const std::string& path, const ImageGridOptions& options) {
  const std::string op = "image_grid";
  detail::require(!images.empty(), op, "no images");
  detail::require(image_height >= 1 && image_width >= 1, op,
                  "image size must be >= 1x1, got " + std::to_string(image_height) + "x" + std::to_string(image_width));
  detail::require(options.columns >= 1 && options.scale >= 1 && options.padding >= 0, op,
                  "columns and scale must be >= 1 and padding >= 0, got columns " + std::to_string(options.columns) +
                      ", scale " + std::to_string(options.scale) + ", padding " + std::to_string(options.padding));
  const std::size_t pixels = static_cast<std::size_t>(image_height) * static_cast<std::size_t>(image_width);
  double lo = INFINITY;
  double hi = -INFINITY;
  for (std::size_t k = 0; k < images.size(); ++k) {
    detail::require(images[k].size() == pixels, op,
                    "image " + std::to_string(k) + " has " + std::to_string(images[k].size()) + " values, expected " +
                        std::to_string(image_height) + "x" + std::to_string(image_width) + " = " + std::to_string(pixels));
    for (std::size_t i = 0; i < pixels; ++i) {
      const double v = images[k][i];
      detail::require(std::isfinite(v), op, "image " + std::to_string(k) + " value " + std::to_string(i) + " is not finite");
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (!std::isnan(options.value_min)) lo = options.value_min;
  if (!std::isnan(options.value_max)) hi = options.value_max;
  detail::require(std::isfinite(lo) && std::isfinite(hi) && (hi > lo || (std::isnan(options.value_min) && std::isnan(options.value_max))),
                  op, "value_max must be > value_min, got [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  const double span = hi > lo ? hi - lo : 1.0;

  const int columns = std::min<int>(options.columns, static_cast<int>(images.size()));
  const int rows = static_cast<int>((images.size() + static_cast<std::size_t>(columns) - 1) / static_cast<std::size_t>(columns));
  const int cell_w = image_width * options.scale;
  const int cell_h = image_height * options.scale;
  const int title_h = options.title.empty() ? 0 : 30;
  const int width = std::max(64, columns * cell_w + (columns + 1) * options.padding);
  const int height = std::max(64, title_h + rows * cell_h + (rows + 1) * options.padding);
  detail::Canvas canvas(width, height, op);
  cairo_t* cr = canvas.cr();
  cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);  // separates the images
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  detail::draw_text(cr, width / 2.0, 8, options.title, 15, 0.5, 0, true);

  cairo_surface_t* surface = canvas.surface();
  cairo_surface_flush(surface);
  unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  for (std::size_t k = 0; k < images.size(); ++k) {
    const int gx = static_cast<int>(k % static_cast<std::size_t>(columns));
    const int gy = static_cast<int>(k / static_cast<std::size_t>(columns));
    const int ox = options.padding + gx * (cell_w + options.padding);
    const int oy = title_h + options.padding + gy * (cell_h + options.padding);
    for (int r = 0; r < cell_h; ++r) {
      auto* line = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(oy + r) * stride);
      for (int c = 0; c < cell_w; ++c) {
        const std::size_t src = static_cast<std::size_t>(r / options.scale) * static_cast<std::size_t>(image_width) +
                                static_cast<std::size_t>(c / options.scale);
        const double t = std::clamp((images[k][src] - lo) / span, 0.0, 1.0);
        const auto g = static_cast<std::uint32_t>(std::lround(255 * t));
        line[ox + c] = 0xFF000000u | (g << 16) | (g << 8) | g;  // opaque ARGB32
      }
    }
  }
  cairo_surface_mark_dirty(surface);
  canvas.write_png(path);
}

}  // namespace topoembed::viz
