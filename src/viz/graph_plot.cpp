// Weighted graph at given node positions (the chart graph of an atlas), and the edge and layout
// helpers it shares with image_graph_plot.
#include "topoembed/viz/graph_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "detail/canvas.hpp"
#include "detail/graph_drawing.hpp"
#include "topoembed/viz/color.hpp"

namespace topoembed::viz {

namespace {
constexpr double kTau = 6.28318530717958647692;
}

namespace detail {

double check_graph(const std::vector<Point2>& positions, const std::vector<GraphEdge>& edges, const std::string& op) {
  const std::size_t n = positions.size();
  require(n > 0, op, "no nodes");
  for (std::size_t i = 0; i < n; ++i) {
    require(std::isfinite(positions[i].x) && std::isfinite(positions[i].y), op,
            "node " + std::to_string(i) + " has a non-finite position");
  }
  double max_weight = 0;
  for (std::size_t k = 0; k < edges.size(); ++k) {
    const auto& e = edges[k];
    const std::string at = "edge " + std::to_string(k);
    require(e.source < n && e.target < n, op,
            at + " joins nodes " + std::to_string(e.source) + " and " + std::to_string(e.target) +
                ", expected indices < " + std::to_string(n));
    require(e.source != e.target, op, at + " joins node " + std::to_string(e.source) + " to itself");
    require(std::isfinite(e.weight) && e.weight >= 0, op,
            at + " has weight " + std::to_string(e.weight) + ", expected a finite value >= 0");
    max_weight = std::max(max_weight, e.weight);
  }
  return max_weight;
}

std::vector<Point2> fit_positions(const std::vector<Point2>& positions, int width, int height, double margin,
                                  double top, const std::string& op) {
  double x0 = positions[0].x, x1 = x0, y0 = positions[0].y, y1 = y0;
  for (const auto& p : positions) {
    x0 = std::min(x0, p.x);
    x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y);
    y1 = std::max(y1, p.y);
  }
  const double avail_w = width - 2 * margin;
  const double avail_h = height - top - margin;
  require(avail_w > 0 && avail_h > 0, op, "image too small for the node size");
  const double span = std::max({x1 - x0, y1 - y0, 1e-12});
  const double scale = std::min(avail_w, avail_h) / span;
  const double cx = (x0 + x1) / 2;
  const double cy = (y0 + y1) / 2;
  std::vector<Point2> pixels;
  for (const auto& p : positions) {
    pixels.push_back({width / 2.0 + (p.x - cx) * scale, top + avail_h / 2 - (p.y - cy) * scale});
  }
  return pixels;
}

void draw_weighted_edges(cairo_t* cr, const std::vector<Point2>& pixels, const std::vector<GraphEdge>& edges,
                         double max_weight, double min_width, double max_width, bool labels) {
  std::vector<std::size_t> order(edges.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return edges[a].weight < edges[b].weight; });
  cairo_save(cr);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  for (std::size_t k : order) {
    const auto& e = edges[k];
    const double t = max_weight > 0 ? e.weight / max_weight : 1.0;
    cairo_set_source_rgba(cr, 0.15, 0.25, 0.45, 0.15 + 0.85 * t);
    cairo_set_line_width(cr, min_width + (max_width - min_width) * t);
    cairo_move_to(cr, pixels[e.source].x, pixels[e.source].y);
    cairo_line_to(cr, pixels[e.target].x, pixels[e.target].y);
    cairo_stroke(cr);
  }
  if (labels) {
    for (const auto& e : edges) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3g", e.weight);
      const double mx = (pixels[e.source].x + pixels[e.target].x) / 2;
      const double my = (pixels[e.source].y + pixels[e.target].y) / 2;
      // A white patch behind the number keeps it readable on top of the edge.
      cairo_rectangle(cr, mx - 14, my - 8, 28, 16);
      cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
      draw_text(cr, mx, my, buf, 11, 0.5, 0.5);
    }
  }
  cairo_restore(cr);
}

}  // namespace detail

std::vector<Point2> circular_layout(std::size_t n) {
  std::vector<Point2> points;
  for (std::size_t i = 0; i < n; ++i) {
    const double angle = kTau / 4 + kTau * static_cast<double>(i) / static_cast<double>(n);
    points.push_back({std::cos(angle), std::sin(angle)});
  }
  return points;
}

void graph_plot(const std::vector<Point2>& positions, const std::vector<GraphEdge>& edges, const std::string& path,
                const GraphPlotOptions& options) {
  const std::string op = "graph_plot";
  const double max_weight = detail::check_graph(positions, edges, op);
  const std::size_t n = positions.size();
  detail::require(options.node_labels.empty() || options.node_labels.size() == n, op,
                  "expected 0 or " + std::to_string(n) + " node labels, got " + std::to_string(options.node_labels.size()));
  detail::require(options.node_radius > 0 && options.min_edge_width >= 0 && options.max_edge_width >= options.min_edge_width,
                  op, "node_radius must be > 0 and 0 <= min_edge_width <= max_edge_width");

  detail::Canvas canvas(options.width, options.height, op);
  cairo_t* cr = canvas.cr();
  const auto pixels =
      detail::draw_title_and_edges(cr, positions, edges, max_weight, options.node_radius + 20, options, op);
  for (std::size_t i = 0; i < n; ++i) {
    cairo_new_path(cr);
    cairo_arc(cr, pixels[i].x, pixels[i].y, options.node_radius, 0, kTau);
    detail::set_color(cr, palette_color(i));
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 1.5);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    const std::string label = options.node_labels.empty() ? std::to_string(i) : options.node_labels[i];
    detail::draw_text(cr, pixels[i].x, pixels[i].y, label, std::max(8.0, 0.8 * options.node_radius), 0.5, 0.5, true);
  }
  canvas.write_png(path);
}

}  // namespace topoembed::viz
