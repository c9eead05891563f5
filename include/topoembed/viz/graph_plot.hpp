#pragma once
// A weighted graph drawn at given node positions, e.g. the chart graph of an atlas weighted by the
// intersection strengths u.

#include <cstddef>
#include <string>
#include <vector>

#include "topoembed/viz/plot_options.hpp"

namespace topoembed::viz {

struct Point2 {
  double x = 0;
  double y = 0;
};

struct GraphEdge {
  std::size_t source = 0;
  std::size_t target = 0;
  double weight = 1;  // >= 0; width and opacity grow with weight / max weight
};

struct GraphPlotOptions : PlotOptions {
  std::vector<std::string> node_labels;  // empty: "0", "1", ...; else one per node
  double node_radius = 14;               // pixels
  double min_edge_width = 0.5;
  double max_edge_width = 8;
  bool edge_labels = false;  // write each edge's weight at its midpoint
};

// n points on the unit circle, node 0 at the top, counter-clockwise.
std::vector<Point2> circular_layout(std::size_t n);

// Throws std::invalid_argument on no nodes, non-finite positions, edges naming missing nodes or a
// node twice, negative or non-finite weights, or a label count different from the node count.
void graph_plot(const std::vector<Point2>& positions, const std::vector<GraphEdge>& edges,
                const std::string& path, const GraphPlotOptions& options = {});

}  // namespace topoembed::viz
