// Persistence diagram and barcode plots; essential classes are drawn on an "inf" line.
#include "topoembed/viz/persistence_plots.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "detail/canvas.hpp"
#include "topoembed/viz/color.hpp"

namespace topoembed::viz {

namespace {

struct Extent {
  double lo = 0;        // smallest birth, or 0
  double hi = 1;        // largest finite value
  double inf_line = 1;  // where essential classes are drawn
  bool has_essential = false;
  std::map<int, std::size_t> counts;  // points per dimension
};

Extent check_and_measure(const std::vector<DiagramPoint>& points, const std::string& op) {
  detail::require(!points.empty(), op, "no diagram points");
  Extent e;
  bool first = true;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    const std::string at = "point " + std::to_string(i);
    detail::require(p.dim >= 0, op, at + " has dimension " + std::to_string(p.dim) + ", expected >= 0");
    detail::require(std::isfinite(p.birth), op, at + " has a non-finite birth");
    const bool essential = std::isinf(p.death) && p.death > 0;
    detail::require(essential || (std::isfinite(p.death) && p.death >= p.birth), op,
                    at + " has death " + std::to_string(p.death) + ", expected +inf or >= birth " +
                        std::to_string(p.birth));
    e.has_essential = e.has_essential || essential;
    const double top = essential ? p.birth : p.death;
    e.lo = first ? std::min(0.0, p.birth) : std::min(e.lo, p.birth);
    e.hi = first ? top : std::max(e.hi, top);
    first = false;
    ++e.counts[p.dim];
  }
  if (!(e.hi > e.lo)) e.hi = e.lo + 1;
  e.inf_line = e.hi + 0.1 * (e.hi - e.lo);
  return e;
}

std::vector<detail::LegendEntry> dimension_legend(const Extent& e) {
  std::vector<detail::LegendEntry> legend;
  for (const auto& [dim, n] : e.counts) {
    legend.push_back({"H" + std::to_string(dim) + " (" + std::to_string(n) + ")",
                      palette_color(static_cast<std::size_t>(dim)), false});
  }
  return legend;
}

void draw_inf_label(cairo_t* cr, double x, double y, double ax, double ay) {
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  detail::draw_text(cr, x, y, "inf", 12, ax, ay);
}

}  // namespace

void persistence_diagram_plot(const std::vector<DiagramPoint>& points, const std::string& path,
                              const DiagramPlotOptions& options) {
  const std::string op = "persistence_diagram_plot";
  const Extent e = check_and_measure(points, op);
  detail::require(options.point_radius > 0, op, "point_radius must be > 0");
  const double span = e.hi - e.lo;
  const double top = (e.has_essential ? e.inf_line : e.hi) + 0.05 * span;
  const detail::Range r{e.lo - 0.05 * span, top};

  detail::Canvas canvas(options.width, options.height, op);
  detail::Axes axes(canvas, options, r, r, dimension_legend(e));
  axes.draw();
  cairo_t* cr = canvas.cr();
  axes.clip();
  // Region below the diagonal (death < birth) is impossible: shade it.
  cairo_move_to(cr, axes.px(r.lo), axes.py(r.lo));
  cairo_line_to(cr, axes.px(r.hi), axes.py(r.hi));
  cairo_line_to(cr, axes.px(r.hi), axes.py(r.lo));
  cairo_close_path(cr);
  cairo_set_source_rgba(cr, 0.5, 0.5, 0.5, 0.12);
  cairo_fill(cr);
  cairo_move_to(cr, axes.px(r.lo), axes.py(r.lo));
  cairo_line_to(cr, axes.px(r.hi), axes.py(r.hi));
  cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
  cairo_set_line_width(cr, 1.2);
  cairo_stroke(cr);
  if (e.has_essential) {
    const double dashes[] = {6, 4};
    cairo_set_dash(cr, dashes, 2, 0);
    cairo_move_to(cr, axes.left(), axes.py(e.inf_line));
    cairo_line_to(cr, axes.right(), axes.py(e.inf_line));
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    draw_inf_label(cr, axes.left() + 6, axes.py(e.inf_line) - 3, 0, 1);
  }
  constexpr double kTau = 6.28318530717958647692;
  // Higher dimensions last so the few H1/H2 points are not hidden under many H0 points.
  for (const auto& [dim, n] : e.counts) {
    detail::set_color(cr, palette_color(static_cast<std::size_t>(dim)), 0.85);
    for (const auto& p : points) {
      if (p.dim != dim) continue;
      const double death = std::isinf(p.death) ? e.inf_line : p.death;
      cairo_new_sub_path(cr);
      cairo_arc(cr, axes.px(p.birth), axes.py(death), options.point_radius, 0, kTau);
    }
    cairo_fill(cr);
  }
  axes.unclip();
  canvas.write_png(path);
}

void barcode_plot(const std::vector<DiagramPoint>& points, const std::string& path, const BarcodeOptions& options) {
  const std::string op = "barcode_plot";
  const Extent e = check_and_measure(points, op);
  detail::require(options.bar_width >= 0, op, "bar_width must be >= 0");
  std::vector<DiagramPoint> bars = points;
  std::stable_sort(bars.begin(), bars.end(), [](const DiagramPoint& a, const DiagramPoint& b) {
    if (a.dim != b.dim) return a.dim < b.dim;
    if (a.birth != b.birth) return a.birth < b.birth;
    return a.death > b.death;
  });
  const double span = e.hi - e.lo;
  const double right = (e.has_essential ? e.inf_line : e.hi) + 0.05 * span;
  const auto n = static_cast<double>(bars.size());
  const detail::Range xr{e.lo - 0.02 * span, right};
  const detail::Range yr{-0.75, n - 0.25};

  detail::Canvas canvas(options.width, options.height, op);
  detail::Axes axes(canvas, options, xr, yr, dimension_legend(e), false, /*y_ticks=*/false);
  axes.draw();
  cairo_t* cr = canvas.cr();
  axes.clip();
  const double row = (axes.bottom() - axes.top()) / (n + 0.5);
  const double width = options.bar_width > 0 ? options.bar_width : std::clamp(0.7 * row, 1.0, 12.0);
  if (e.has_essential) {
    const double dashes[] = {6, 4};
    cairo_set_dash(cr, dashes, 2, 0);
    cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    cairo_set_line_width(cr, 1.2);
    cairo_move_to(cr, axes.px(e.inf_line), axes.top());
    cairo_line_to(cr, axes.px(e.inf_line), axes.bottom());
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    draw_inf_label(cr, axes.px(e.inf_line) + 4, axes.bottom() - 4, 0, 1);
  }
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    const double y = axes.py(n - 1 - static_cast<double>(i));  // first bar at the top
    const bool essential = std::isinf(b.death);
    const double x0 = axes.px(b.birth);
    const double x1 = axes.px(essential ? e.inf_line : b.death);
    detail::set_color(cr, palette_color(static_cast<std::size_t>(b.dim)), 0.9);
    cairo_set_line_width(cr, width);
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, std::max(x1, x0 + 1), y);
    cairo_stroke(cr);
    if (essential) {  // arrow head: continues beyond the plotted range
      const double h = std::max(3.0, width);
      cairo_move_to(cr, x1, y - h);
      cairo_line_to(cr, x1 + 1.5 * h, y);
      cairo_line_to(cr, x1, y + h);
      cairo_close_path(cr);
      cairo_fill(cr);
    }
  }
  axes.unclip();
  canvas.write_png(path);
}

}  // namespace topoembed::viz
