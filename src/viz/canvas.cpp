// Canvas, axes, ticks, text and legend shared by the plots.
#include "detail/canvas.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace topoembed::viz::detail {

namespace {
constexpr const char* kFont = "DejaVu Sans";
constexpr double kTickFont = 12;
constexpr double kLabelFont = 14;
constexpr double kTitleFont = 16;
constexpr std::size_t kMaxLegendRows = 20;
constexpr double kPi = 3.14159265358979323846;

// A straight stroke from (x0, y0) to (x1, y1) in c: the grid lines and tick marks of both axes.
void stroke_segment(cairo_t* cr, const Color& c, double x0, double y0, double x1, double y1) {
  set_color(cr, c);
  cairo_move_to(cr, x0, y0);
  cairo_line_to(cr, x1, y1);
  cairo_stroke(cr);
}
}  // namespace

void require(bool ok, const std::string& op, const std::string& message) {
  if (!ok) throw std::invalid_argument(op + ": " + message);
}

void check_size(int width, int height, const std::string& op) {
  require(width >= 64 && width <= 10000 && height >= 64 && height <= 10000, op,
          "width and height must be in [64, 10000] pixels, got " + std::to_string(width) + "x" +
              std::to_string(height));
}

void check_finite(const std::vector<double>& values, const std::string& op, const std::string& name) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw std::invalid_argument(op + ": " + name + "[" + std::to_string(i) + "] is not finite (" +
                                  std::to_string(values[i]) + ")");
    }
  }
}

void set_color(cairo_t* cr, const Color& c) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a); }
void set_color(cairo_t* cr, const Color& c, double alpha) { cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha); }

void draw_text(cairo_t* cr, double x, double y, const std::string& text, double size, double ax, double ay,
               bool bold, double angle) {
  if (text.empty()) return;
  cairo_save(cr);
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t ext;
  cairo_text_extents(cr, text.c_str(), &ext);
  cairo_font_extents_t fext;
  cairo_font_extents(cr, &fext);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, angle);
  // Vertical anchoring by the font's ascent/descent so labels of one row line up.
  const double height = fext.ascent + fext.descent;
  cairo_move_to(cr, -ax * ext.x_advance, -ay * height + fext.ascent);
  cairo_show_text(cr, text.c_str());
  cairo_restore(cr);
}

double text_width(cairo_t* cr, const std::string& text, double size) {
  cairo_save(cr);
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t ext;
  cairo_text_extents(cr, text.c_str(), &ext);
  cairo_restore(cr);
  return ext.x_advance;
}

Canvas::Canvas(int width, int height, const std::string& op) : op_(op), width_(width), height_(height) {
  check_size(width, height, op);
  surface_.reset(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height));
  if (cairo_surface_status(surface_.get()) != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error(op + ": cannot create a " + std::to_string(width) + "x" + std::to_string(height) +
                             " image: " + cairo_status_to_string(cairo_surface_status(surface_.get())));
  }
  cr_.reset(cairo_create(surface_.get()));
  cairo_set_source_rgb(cr_.get(), 1, 1, 1);
  cairo_paint(cr_.get());
}

void Canvas::write_png(const std::string& path) const {
  if (path.empty()) throw std::invalid_argument(op_ + ": empty output path");
  cairo_surface_flush(surface_.get());
  const std::string tmp = path + ".tmp";
  const cairo_status_t status = cairo_surface_write_to_png(surface_.get(), tmp.c_str());
  std::error_code ignored;
  if (status != CAIRO_STATUS_SUCCESS) {
    std::filesystem::remove(tmp, ignored);
    throw std::runtime_error(op_ + ": cannot write '" + path + "': " + cairo_status_to_string(status));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ignored);
    throw std::runtime_error(op_ + ": cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
  }
}

Range data_range(const std::vector<double>& values, double pad) {
  const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  double lo = *lo_it;
  double hi = *hi_it;
  if (hi - lo <= 1e-12 * std::max(1.0, std::abs(hi))) {
    const double half = std::max(0.5, 0.1 * std::abs(hi));
    return {lo - half, hi + half};
  }
  const double span = hi - lo;
  return {lo - pad * span, hi + pad * span};
}

namespace {

// Heckbert's "nice number": 1, 2 or 5 times a power of ten, near x.
double nice_number(double x) {
  const double exponent = std::floor(std::log10(x));
  const double fraction = x / std::pow(10.0, exponent);
  const double nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  return nice * std::pow(10.0, exponent);
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo)) return {lo};
  const double step = nice_number((hi - lo) / std::max(1, target - 1));
  const double first = std::ceil(lo / step - 1e-9) * step;
  std::vector<double> ticks;
  for (int i = 0; i < 1000; ++i) {
    double v = first + i * step;
    if (v > hi + 1e-9 * step) break;
    if (std::abs(v) < 1e-12 * step) v = 0;  // no "-0"
    ticks.push_back(v);
  }
  return ticks;
}

std::string tick_label(double value, double step) {
  char buf[64];
  const double magnitude = std::max(std::abs(value), step);
  if (magnitude >= 1e6 || step < 1e-4) {
    std::snprintf(buf, sizeof buf, "%g", value);
  } else {
    const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  }
  return buf;
}

Axes::Axes(Canvas& canvas, const PlotOptions& options, Range x, Range y, std::vector<LegendEntry> legend,
           bool log_y, bool y_ticks)
    : cr_(canvas.cr()), options_(options), x_(x), y_(y), legend_(std::move(legend)), log_y_(log_y), y_ticks_(y_ticks) {
  if (!options.legend) legend_.clear();
  const std::size_t rows = std::min(legend_.size(), kMaxLegendRows);
  for (std::size_t i = 0; i < rows; ++i) legend_names_.push_back(legend_[i].name);
  if (legend_.size() > rows) legend_names_.push_back("+ " + std::to_string(legend_.size() - rows) + " more");
  for (const auto& n : legend_names_) legend_width_ = std::max(legend_width_, text_width(cr_, n, kTickFont));
  if (!legend_names_.empty()) legend_width_ += 44;
  left_ = options.y_label.empty() ? 60 : 80;
  right_ = canvas.width() - 25.0 - (legend_names_.empty() ? 0.0 : legend_width_ + 10);
  top_ = options.title.empty() ? 20 : 45;
  bottom_ = canvas.height() - (options.x_label.empty() ? 35.0 : 60.0);
  require(right_ - left_ >= 20 && bottom_ - top_ >= 20, "plot", "image too small for axes");
}

double Axes::px(double x) const { return left_ + (x - x_.lo) / (x_.hi - x_.lo) * (right_ - left_); }

double Axes::py(double y) const {
  if (log_y_) {
    const double lo = std::log10(y_.lo);
    const double hi = std::log10(y_.hi);
    return bottom_ - (std::log10(y) - lo) / (hi - lo) * (bottom_ - top_);
  }
  return bottom_ - (y - y_.lo) / (y_.hi - y_.lo) * (bottom_ - top_);
}

void Axes::clip() const {
  cairo_save(cr_);
  cairo_rectangle(cr_, left_, top_, right_ - left_, bottom_ - top_);
  cairo_clip(cr_);
}

void Axes::unclip() const { cairo_restore(cr_); }

void Axes::draw() {
  const Color grid{0.9, 0.9, 0.9, 1};
  const Color ink{0.2, 0.2, 0.2, 1};
  cairo_set_line_width(cr_, 1);

  // x ticks and vertical grid lines.
  const auto xt = nice_ticks(x_.lo, x_.hi, 7);
  const double xstep = xt.size() > 1 ? xt[1] - xt[0] : std::max(1e-12, x_.hi - x_.lo);
  for (double t : xt) {
    const double p = std::round(px(t)) + 0.5;
    stroke_segment(cr_, grid, p, top_, p, bottom_);
    stroke_segment(cr_, ink, p, bottom_, p, bottom_ + 5);
    draw_text(cr_, p, bottom_ + 7, tick_label(t, xstep), kTickFont, 0.5, 0);
  }

  // y ticks (decades, with 2 and 5 when fewer than three decades are visible, on a log axis).
  if (y_ticks_) {
    std::vector<std::pair<double, std::string>> yt;
    if (log_y_) {
      const int e0 = static_cast<int>(std::floor(std::log10(y_.lo)));
      const int e1 = static_cast<int>(std::ceil(std::log10(y_.hi)));
      int visible_decades = 0;
      for (int e = e0; e <= e1; ++e) {
        const double v = std::pow(10.0, e);
        visible_decades += v >= y_.lo * (1 - 1e-9) && v <= y_.hi * (1 + 1e-9);
      }
      const bool dense = visible_decades < 3;
      for (int e = e0; e <= e1; ++e) {
        for (double m : dense ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
          const double v = m * std::pow(10.0, e);
          if (v < y_.lo * (1 - 1e-9) || v > y_.hi * (1 + 1e-9)) continue;
          char buf[32];
          std::snprintf(buf, sizeof buf, "%g", v);
          yt.emplace_back(v, buf);
        }
      }
    } else {
      const auto ticks = nice_ticks(y_.lo, y_.hi, 6);
      const double ystep = ticks.size() > 1 ? ticks[1] - ticks[0] : std::max(1e-12, y_.hi - y_.lo);
      for (double t : ticks) yt.emplace_back(t, tick_label(t, ystep));
    }
    for (const auto& [t, label] : yt) {
      const double p = std::round(py(t)) + 0.5;
      stroke_segment(cr_, grid, left_, p, right_, p);
      stroke_segment(cr_, ink, left_ - 5, p, left_, p);
      draw_text(cr_, left_ - 8, p, label, kTickFont, 1, 0.5);
    }
  }

  set_color(cr_, ink);
  cairo_rectangle(cr_, std::round(left_) + 0.5, std::round(top_) + 0.5, std::round(right_ - left_),
                  std::round(bottom_ - top_));
  cairo_stroke(cr_);
  draw_text(cr_, (left_ + right_) / 2, bottom_ + 30, options_.x_label, kLabelFont, 0.5, 0);
  draw_text(cr_, 18, (top_ + bottom_) / 2, options_.y_label, kLabelFont, 0.5, 0.5, false, -kPi / 2);
  draw_text(cr_, (left_ + right_) / 2, 14, options_.title, kTitleFont, 0.5, 0, true);
  draw_legend();
}

void Axes::draw_legend() const {
  if (legend_names_.empty()) return;
  const auto& names = legend_names_;
  const auto& entries = legend_;
  const std::size_t rows = std::min(entries.size(), kMaxLegendRows);
  const double row_height = 18;
  const double box_w = legend_width_;
  const double box_h = row_height * static_cast<double>(names.size()) + 10;
  const double x0 = right_ + 10;
  const double y0 = top_;
  cairo_save(cr_);
  cairo_rectangle(cr_, x0, y0, box_w, box_h);
  cairo_set_source_rgba(cr_, 1, 1, 1, 0.85);
  cairo_fill_preserve(cr_);
  cairo_set_source_rgb(cr_, 0.7, 0.7, 0.7);
  cairo_set_line_width(cr_, 1);
  cairo_stroke(cr_);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const double cy = y0 + 5 + row_height * (static_cast<double>(i) + 0.5);
    if (i < rows) {
      set_color(cr_, entries[i].color, 1.0);
      if (entries[i].line) {
        cairo_set_line_width(cr_, 2.5);
        cairo_move_to(cr_, x0 + 8, cy);
        cairo_line_to(cr_, x0 + 30, cy);
        cairo_stroke(cr_);
      } else {
        cairo_arc(cr_, x0 + 19, cy, 5, 0, 2 * kPi);
        cairo_fill(cr_);
      }
    }
    cairo_set_source_rgb(cr_, 0.15, 0.15, 0.15);
    draw_text(cr_, x0 + 36, cy, names[i], kTickFont, 0, 0.5);
  }
  cairo_restore(cr_);
}

}  // namespace topoembed::viz::detail
