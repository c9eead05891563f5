#pragma once
// Private drawing layer of the plots: a cairo canvas written atomically as PNG, axes with nice
// ticks, text and legends.

#include <cairo.h>

#include <memory>
#include <string>
#include <vector>

#include "topoembed/viz/color.hpp"
#include "topoembed/viz/plot_options.hpp"

namespace topoembed::viz::detail {

// Throws std::invalid_argument(op + ": " + message) unless ok.
void require(bool ok, const std::string& op, const std::string& message);
// Throws unless width and height are in [64, 10000].
void check_size(int width, int height, const std::string& op);
// Throws unless every value is finite, naming the array and index.
void check_finite(const std::vector<double>& values, const std::string& op, const std::string& name);

void set_color(cairo_t* cr, const Color& c);
void set_color(cairo_t* cr, const Color& c, double alpha);

// Text anchored at (x, y): ax/ay = 0 left/top, 0.5 centre, 1 right/bottom; angle in radians.
void draw_text(cairo_t* cr, double x, double y, const std::string& text, double size, double ax, double ay,
               bool bold = false, double angle = 0);

// ARGB32 image surface with a white background.
class Canvas {
 public:
  Canvas(int width, int height, const std::string& op);
  cairo_t* cr() const { return cr_.get(); }
  cairo_surface_t* surface() const { return surface_.get(); }
  int width() const { return width_; }
  int height() const { return height_; }
  // PNG written to path + ".tmp", then renamed; std::runtime_error naming the path on failure.
  void write_png(const std::string& path) const;

 private:
  struct SurfaceDeleter {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
  };
  struct ContextDeleter {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
  };
  std::string op_;
  int width_;
  int height_;
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface_;
  std::unique_ptr<cairo_t, ContextDeleter> cr_;
};

struct Range {
  double lo = 0;
  double hi = 1;
};
// [min, max] of values widened by `pad` × span on each side; a zero span is widened to ±0.5.
Range data_range(const std::vector<double>& values, double pad);
// "Nice numbers" ticks (1, 2, 5 × 10^k) covering [lo, hi], about `target` of them.
std::vector<double> nice_ticks(double lo, double hi, int target);
// Shortest decimal text for a tick value at the given tick step.
std::string tick_label(double value, double step);

struct LegendEntry {
  std::string name;
  Color color;
  bool line = false;  // a line sample instead of a dot
};

// Plot frame with data-to-pixel mapping, grid, ticks, labels, title and a legend to the right of
// the plot area (outside it, so it never hides data).
class Axes {
 public:
  Axes(Canvas& canvas, const PlotOptions& options, Range x, Range y, std::vector<LegendEntry> legend,
       bool log_y = false, bool y_ticks = true);
  double px(double x) const;
  double py(double y) const;
  double left() const { return left_; }
  double right() const { return right_; }
  double top() const { return top_; }
  double bottom() const { return bottom_; }
  Range x_range() const { return x_; }
  Range y_range() const { return y_; }
  // Grid, frame, ticks, axis labels, title and legend (at most 20 rows, then "+ n more").
  void draw();
  void clip() const;
  void unclip() const;

 private:
  cairo_t* cr_;
  PlotOptions options_;
  Range x_;
  Range y_;
  void draw_legend() const;

  std::vector<LegendEntry> legend_;
  std::vector<std::string> legend_names_;
  double legend_width_ = 0;
  bool log_y_;
  bool y_ticks_;
  double left_, right_, top_, bottom_;
};

}  // namespace topoembed::viz::detail
