// Scatter plot of 2-D points coloured by class label.
#include "topoembed/viz/scatter_plot.hpp"

#include <cmath>
#include <set>

#include "detail/canvas.hpp"
#include "topoembed/viz/color.hpp"

namespace topoembed::viz {

void scatter_plot(const std::vector<double>& x, const std::vector<double>& y, const std::vector<int>& labels,
                  const std::string& path, const ScatterOptions& options) {
  const std::string op = "scatter_plot";
  detail::require(!x.empty(), op, "no points (x is empty)");
  detail::require(x.size() == y.size(), op,
                  "x has " + std::to_string(x.size()) + " values but y has " + std::to_string(y.size()));
  detail::require(labels.empty() || labels.size() == x.size(), op,
                  "expected 0 or " + std::to_string(x.size()) + " labels, got " + std::to_string(labels.size()));
  detail::check_finite(x, op, "x");
  detail::check_finite(y, op, "y");
  detail::require(options.point_radius > 0 && options.alpha > 0 && options.alpha <= 1, op,
                  "point_radius must be > 0 and alpha in (0, 1]");
  std::set<int> classes(labels.begin(), labels.end());
  if (!classes.empty()) {
    detail::require(*classes.begin() >= 0, op, "labels must be >= 0, got " + std::to_string(*classes.begin()));
    detail::require(options.class_names.empty() || static_cast<std::size_t>(*classes.rbegin()) < options.class_names.size(),
                    op, "class_names has " + std::to_string(options.class_names.size()) +
                            " names but the largest label is " + std::to_string(*classes.rbegin()));
  }

  std::vector<detail::LegendEntry> legend;
  for (int c : classes) {
    const auto name = options.class_names.empty() ? std::to_string(c) : options.class_names[static_cast<std::size_t>(c)];
    legend.push_back({name, palette_color(static_cast<std::size_t>(c)), false});
  }
  if (legend.size() < 2) legend.clear();  // one colour needs no legend

  detail::Canvas canvas(options.width, options.height, op);
  detail::Axes axes(canvas, options, detail::data_range(x, 0.05), detail::data_range(y, 0.05), legend);
  axes.draw();
  cairo_t* cr = canvas.cr();
  axes.clip();
  constexpr double kTau = 6.28318530717958647692;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const Color c = labels.empty() ? palette_color(0) : palette_color(static_cast<std::size_t>(labels[i]));
    detail::set_color(cr, c, options.alpha);
    cairo_new_sub_path(cr);
    cairo_arc(cr, axes.px(x[i]), axes.py(y[i]), options.point_radius, 0, kTau);
    cairo_fill(cr);
  }
  axes.unclip();
  canvas.write_png(path);
}

}  // namespace topoembed::viz
