#pragma once
// Private helpers shared by graph_plot and image_graph_plot: edge checks, fitting node positions
// into the image and drawing weighted edges.

#include <cairo.h>

#include <string>
#include <vector>

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

}  // namespace topoembed::viz::detail
