#pragma once
// A weighted graph whose nodes are grids of grey images: the atlas picture of Korman (one grid
// of decoded images per chart, lines between charts weighted by the intersection strength u).

#include <cmath>
#include <string>
#include <vector>

#include "topoembed/viz/graph_plot.hpp"

namespace topoembed::viz {

struct ImageGridNode {
  std::vector<std::vector<float>> images;  // each image_height × image_width, row-major
  int columns = 1;                          // images per row of this node's grid
  std::string label;                        // written under the grid (e.g. "chart 3")
};

struct ImageGraphPlotOptions {
  std::string title;
  int width = 1200;
  int height = 1200;
  int tile_size = 160;  // pixels of the longer side of each node's grid
  double min_edge_width = 0.5;
  double max_edge_width = 10;
  bool edge_labels = false;
  double value_min = std::nan("");  // grey range as in ImageGridOptions (shared by all nodes)
  double value_max = std::nan("");
};

// Edges are drawn between node centres under the grids; each grid has a frame in
// palette_color(node). Throws std::invalid_argument on no nodes, positions/nodes size mismatch,
// bad edges (as graph_plot), a node without images or with images of the wrong size.
void image_graph_plot(const std::vector<ImageGridNode>& nodes, int image_height, int image_width,
                      const std::vector<Point2>& positions, const std::vector<GraphEdge>& edges,
                      const std::string& path, const ImageGraphPlotOptions& options = {});

}  // namespace topoembed::viz
