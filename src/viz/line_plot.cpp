// Line plot of named series (loss curves), optionally with a logarithmic y axis.
#include "topoembed/viz/line_plot.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "detail/canvas.hpp"
#include "topoembed/viz/color.hpp"

namespace topoembed::viz {

void line_plot(const std::vector<Series>& series, const std::string& path, const LinePlotOptions& options) {
  const std::string op = "line_plot";
  detail::require(!series.empty(), op, "no series");
  detail::require(options.line_width > 0, op, "line_width must be > 0");
  std::vector<std::vector<double>> xs;
  std::vector<double> all_x;
  std::vector<double> all_y;
  for (const auto& s : series) {
    const std::string name = "series '" + s.name + "'";
    detail::require(!s.y.empty(), op, name + " has no values");
    detail::require(s.x.empty() || s.x.size() == s.y.size(), op,
                    name + " has " + std::to_string(s.x.size()) + " x values but " + std::to_string(s.y.size()) +
                        " y values");
    detail::check_finite(s.y, op, name + " y");
    std::vector<double> x = s.x;
    if (x.empty()) {
      for (std::size_t i = 0; i < s.y.size(); ++i) x.push_back(static_cast<double>(i + 1));
    }
    detail::check_finite(x, op, name + " x");
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      if (options.log_y && !(s.y[i] > 0)) {
        throw std::invalid_argument(op + ": log_y needs values > 0, " + name + " has y[" + std::to_string(i) +
                                    "] = " + std::to_string(s.y[i]));
      }
      all_y.push_back(options.log_y ? std::log10(s.y[i]) : s.y[i]);
    }
    all_x.insert(all_x.end(), x.begin(), x.end());
    xs.push_back(std::move(x));
  }

  detail::Range yr = detail::data_range(all_y, 0.05);
  if (options.log_y) yr = {std::pow(10.0, yr.lo), std::pow(10.0, yr.hi)};
  detail::Range xr = detail::data_range(all_x, 0.02);
  detail::Canvas canvas(options.width, options.height, op);
  std::vector<detail::LegendEntry> legend;
  for (std::size_t k = 0; k < series.size(); ++k) legend.push_back({series[k].name, palette_color(k), true});
  detail::Axes axes(canvas, options, xr, yr, legend, options.log_y);
  axes.draw();
  cairo_t* cr = canvas.cr();
  axes.clip();
  constexpr double kTau = 6.28318530717958647692;
  for (std::size_t k = 0; k < series.size(); ++k) {
    const Color c = palette_color(k);
    detail::set_color(cr, c);
    cairo_set_line_width(cr, options.line_width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    const auto& y = series[k].y;
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (i == 0) cairo_move_to(cr, axes.px(xs[k][i]), axes.py(y[i]));
      else cairo_line_to(cr, axes.px(xs[k][i]), axes.py(y[i]));
    }
    if (y.size() == 1) {  // a single value is a dot
      cairo_new_path(cr);
      cairo_arc(cr, axes.px(xs[k][0]), axes.py(y[0]), options.line_width + 1.5, 0, kTau);
      cairo_fill(cr);
    }
    cairo_stroke(cr);
    if (options.markers) {
      for (std::size_t i = 0; i < y.size(); ++i) {
        cairo_new_sub_path(cr);
        cairo_arc(cr, axes.px(xs[k][i]), axes.py(y[i]), options.line_width + 1.5, 0, kTau);
      }
      cairo_fill(cr);
    }
  }
  axes.unclip();
  canvas.write_png(path);
}

}  // namespace topoembed::viz
