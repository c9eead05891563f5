#pragma once
// Private helpers shared by graph_plot and image_graph_plot: edge checks, fitting node positions
// into the image and drawing weighted edges.

#include <cairo.h>

#include <string>
#include <vector>

#include "canvas.hpp"
#include "topoembed/viz/graph_plot.hpp"

namespace topoembed::viz::detail {

// Throws std::invalid_argument naming the first bad node position or edge; returns the largest
// edge weight (0 without edges).
double check_graph(const std::vector<Point2>& positions, const std::vector<GraphEdge>& edges, const std::string& op);

// Pixel positions: the bounding box of `positions` scaled uniformly (y up) into the rectangle
// [margin, width - margin] × [top, height - margin].
std::vector<Point2> fit_positions(const std::vector<Point2>& positions, int width, int height, double margin,
                                  double top, const std::string& op);

// Lighter edges first; width and opacity grow with weight / max_weight; optional weight labels.
void draw_weighted_edges(cairo_t* cr, const std::vector<Point2>& pixels, const std::vector<GraphEdge>& edges,
                         double max_weight, double min_width, double max_width, bool labels);

// The start of both graph pictures: positions fitted inside `margin` (30 px more at the top for a
// title), the title, then the weighted edges; returns the nodes' pixel positions. Options: the
// width, height, title and edge fields GraphPlotOptions and ImageGraphPlotOptions share.
template <class Options>
std::vector<Point2> draw_title_and_edges(cairo_t* cr, const std::vector<Point2>& positions,
                                         const std::vector<GraphEdge>& edges, double max_weight, double margin,
                                         const Options& options, const std::string& op) {
  auto pixels = fit_positions(positions, options.width, options.height, margin,
                              options.title.empty() ? margin : margin + 30, op);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  draw_text(cr, options.width / 2.0, 14, options.title, 16, 0.5, 0, true);
  draw_weighted_edges(cr, pixels, edges, max_weight, options.min_edge_width, options.max_edge_width,
                      options.edge_labels);
  return pixels;
}

}  // namespace topoembed::viz::detail
