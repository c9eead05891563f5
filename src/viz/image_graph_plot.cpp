// Graph of image grids (the atlas chart picture): edges first, then each node's grid scaled to a tile.
#include "topoembed/viz/image_graph_plot.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include "detail/canvas.hpp"
#include "detail/graph_drawing.hpp"
#include "detail/grey_images.hpp"
#include "topoembed/viz/color.hpp"

namespace topoembed::viz {

void image_graph_plot(const std::vector<ImageGridNode>& nodes, int image_height, int image_width,
                      const std::vector<Point2>& positions, const std::vector<GraphEdge>& edges,
                      const std::string& path, const ImageGraphPlotOptions& options) {
  const std::string op = "image_graph_plot";
  detail::require(!nodes.empty(), op, "no nodes");
  detail::require(positions.size() == nodes.size(), op,
                  "got " + std::to_string(nodes.size()) + " nodes but " + std::to_string(positions.size()) + " positions");
  const double max_weight = detail::check_graph(positions, edges, op);
  detail::require(options.tile_size >= 8 && options.min_edge_width >= 0 && options.max_edge_width >= options.min_edge_width,
                  op, "tile_size must be >= 8 and 0 <= min_edge_width <= max_edge_width");
  // One grey range over all nodes so the grids are comparable.
  std::vector<std::vector<float>> all;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    detail::require(!nodes[i].images.empty(), op, "node " + std::to_string(i) + " has no images");
    detail::require(nodes[i].columns >= 1, op, "node " + std::to_string(i) + " has columns " +
                                                   std::to_string(nodes[i].columns) + ", expected >= 1");
    detail::check_grey_images(nodes[i].images, image_height, image_width, NAN, NAN, op,
                              "node " + std::to_string(i) + " image");
    all.insert(all.end(), nodes[i].images.begin(), nodes[i].images.end());
  }
  const auto range = detail::check_grey_images(all, image_height, image_width, options.value_min, options.value_max,
                                               op, "image");

  detail::Canvas canvas(options.width, options.height, op);
  cairo_t* cr = canvas.cr();
  const auto pixels =
      detail::draw_title_and_edges(cr, positions, edges, max_weight, options.tile_size / 2.0 + 24, options, op);

  struct SurfaceDeleter {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
  };
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& node = nodes[i];
    const auto g = detail::grid_size(node.images.size(), node.columns, image_height, image_width, 1, 1);
    std::unique_ptr<cairo_surface_t, SurfaceDeleter> grid(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, g.width, g.height));
    detail::require(cairo_surface_status(grid.get()) == CAIRO_STATUS_SUCCESS, op,
                    "node " + std::to_string(i) + " grid is too large (" + std::to_string(g.width) + "x" +
                        std::to_string(g.height) + " pixels)");
    {  // light grey between the images
      cairo_t* gc = cairo_create(grid.get());
      cairo_set_source_rgb(gc, 0.85, 0.85, 0.85);
      cairo_paint(gc);
      cairo_destroy(gc);
    }
    detail::paint_grey_grid(grid.get(), node.images, image_height, image_width, g.columns, 1, 1, 0, 0, range);
    const double scale = options.tile_size / static_cast<double>(std::max(g.width, g.height));
    const double w = g.width * scale;
    const double h = g.height * scale;
    const double x = pixels[i].x - w / 2;
    const double y = pixels[i].y - h / 2;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, scale, scale);
    cairo_set_source_surface(cr, grid.get(), 0, 0);
    // Nearest-neighbour when enlarging keeps pixels sharp; smooth when shrinking.
    cairo_pattern_set_filter(cairo_get_source(cr), scale >= 1 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_rectangle(cr, x - 1.5, y - 1.5, w + 3, h + 3);
    detail::set_color(cr, palette_color(i));
    cairo_set_line_width(cr, 3);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    detail::draw_text(cr, pixels[i].x, y + h + 4, node.label, 12, 0.5, 0);
  }
  canvas.write_png(path);
}

}  // namespace topoembed::viz
