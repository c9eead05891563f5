// Plots: the PNGs are valid, of the requested size, not blank and contain the palette colours;
// bad input is rejected with a message naming the problem.
#include <gtest/gtest.h>

#include <cairo.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "../support/expect_error.hpp"
#include "topoembed/viz/color.hpp"
#include "topoembed/viz/graph_plot.hpp"
#include "topoembed/viz/image_graph_plot.hpp"
#include "topoembed/viz/image_grid.hpp"
#include "topoembed/viz/line_plot.hpp"
#include "topoembed/viz/persistence_plots.hpp"
#include "topoembed/viz/scatter_plot.hpp"

namespace viz = topoembed::viz;
namespace fs = std::filesystem;

namespace {

// Plots stay in the build tree so they can be looked at.
fs::path out_dir() {
  const fs::path dir = fs::path(TOPOEMBED_BINARY_DIR) / "test_output" / "viz";
  fs::create_directories(dir);
  return dir;
}

std::string out(const std::string& name) { return (out_dir() / name).string(); }

struct Png {
  int width = 0;
  int height = 0;
  std::vector<std::uint32_t> pixels;  // ARGB32
  std::uint32_t at(int x, int y) const { return pixels[static_cast<std::size_t>(y) * width + x]; }
};

Png read_png(const std::string& path) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  Png png;
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    ADD_FAILURE() << path << ": " << cairo_status_to_string(cairo_surface_status(s));
    cairo_surface_destroy(s);
    return png;
  }
  png.width = cairo_image_surface_get_width(s);
  png.height = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  for (int y = 0; y < png.height; ++y) {
    const auto* row = reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
    png.pixels.insert(png.pixels.end(), row, row + png.width);
  }
  cairo_surface_destroy(s);
  return png;
}

std::size_t count_non_white(const Png& png) {
  std::size_t n = 0;
  for (auto p : png.pixels) n += (p & 0xFFFFFFu) != 0xFFFFFFu;
  return n;
}

// Pixels within `tol` per channel of colour c (opaque).
std::size_t count_color(const Png& png, const viz::Color& c, int tol = 3) {
  const int r = static_cast<int>(std::lround(c.r * 255));
  const int g = static_cast<int>(std::lround(c.g * 255));
  const int b = static_cast<int>(std::lround(c.b * 255));
  std::size_t n = 0;
  for (auto p : png.pixels) {
    const int pr = (p >> 16) & 255, pg = (p >> 8) & 255, pb = p & 255;
    n += std::abs(pr - r) <= tol && std::abs(pg - g) <= tol && std::abs(pb - b) <= tol;
  }
  return n;
}

using topoembed::test_support::error_of;

const std::string kUnwritable = "/nonexistent_topoembed_dir/plot.png";

}  // namespace

TEST(Palette, TwentyDistinctColoursThenCycles) {
  for (std::size_t i = 0; i < viz::kPaletteSize; ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const auto a = viz::palette_color(i), b = viz::palette_color(j);
      EXPECT_GT(std::abs(a.r - b.r) + std::abs(a.g - b.g) + std::abs(a.b - b.b), 0.05) << i << " vs " << j;
    }
  }
  EXPECT_EQ(viz::palette_color(23).r, viz::palette_color(3).r);
}

TEST(ScatterPlot, WritesLabelledPng) {
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0.0, 0.3);
  std::vector<double> x, y;
  std::vector<int> labels;
  for (int c = 0; c < 5; ++c) {
    for (int i = 0; i < 200; ++i) {
      x.push_back(2 * std::cos(c * 1.2566) + noise(rng));
      y.push_back(2 * std::sin(c * 1.2566) + noise(rng));
      labels.push_back(c);
    }
  }
  viz::ScatterOptions options;
  options.title = "Latent space";
  options.x_label = "z1";
  options.y_label = "z2";
  options.class_names = {"a", "b", "c", "d", "e"};
  const auto path = out("scatter.png");
  viz::scatter_plot(x, y, labels, path, options);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  const auto png = read_png(path);
  EXPECT_EQ(png.width, 800);
  EXPECT_EQ(png.height, 600);
  EXPECT_GT(count_non_white(png), 10000u);
  for (int c = 0; c < 5; ++c) EXPECT_GT(count_color(png, viz::palette_color(c)), 20u) << "class " << c;
  EXPECT_EQ(count_color(png, viz::palette_color(6)), 0u);  // a class that is not there

  viz::ScatterOptions small;
  small.width = 300;
  small.height = 200;
  viz::scatter_plot({0.0}, {0.0}, {}, out("scatter_single.png"), small);
  EXPECT_EQ(read_png(out("scatter_single.png")).width, 300);
}

TEST(ScatterPlot, ManyClassesCycleThePalette) {
  std::vector<double> x, y;
  std::vector<int> labels;
  for (int c = 0; c < 25; ++c) {
    for (int i = 0; i < 20; ++i) {
      x.push_back(c + 0.02 * i);
      y.push_back(std::sin(c + 0.1 * i));
      labels.push_back(c);
    }
  }
  viz::scatter_plot(x, y, labels, out("scatter_25.png"));
  const auto png = read_png(out("scatter_25.png"));
  for (int c = 0; c < 20; ++c) EXPECT_GT(count_color(png, viz::palette_color(c)), 10u) << "class " << c;
}

TEST(ScatterPlot, RejectsBadInput) {
  EXPECT_EQ(error_of([] { viz::scatter_plot({}, {}, {}, out("x.png")); }), "scatter_plot: no points (x is empty)");
  EXPECT_EQ(error_of([] { viz::scatter_plot({1, 2}, {1}, {}, out("x.png")); }),
            "scatter_plot: x has 2 values but y has 1");
  EXPECT_EQ(error_of([] { viz::scatter_plot({1, 2}, {1, 2}, {0}, out("x.png")); }),
            "scatter_plot: expected 0 or 2 labels, got 1");
  EXPECT_EQ(error_of([] { viz::scatter_plot({1, NAN}, {1, 2}, {}, out("x.png")); }),
            "scatter_plot: x[1] is not finite (nan)");
  EXPECT_EQ(error_of([] { viz::scatter_plot({1, 2}, {1, 2}, {0, -1}, out("x.png")); }),
            "scatter_plot: labels must be >= 0, got -1");
  viz::ScatterOptions names;
  names.class_names = {"only"};
  EXPECT_EQ(error_of([&] { viz::scatter_plot({1, 2}, {1, 2}, {0, 1}, out("x.png"), names); }),
            "scatter_plot: class_names has 1 names but the largest label is 1");
  viz::ScatterOptions tiny;
  tiny.width = 10;
  EXPECT_EQ(error_of([&] { viz::scatter_plot({1}, {1}, {}, out("x.png"), tiny); }),
            "scatter_plot: width and height must be in [64, 10000] pixels, got 10x600");
  const auto msg = error_of([] { viz::scatter_plot({1}, {1}, {}, kUnwritable); });
  EXPECT_EQ(msg.rfind("scatter_plot: cannot write '" + kUnwritable + "'", 0), 0u) << msg;
  EXPECT_FALSE(fs::exists(out("x.png")));
}

TEST(LinePlot, LossCurvesWithLogAxis) {
  viz::Series train{"train loss", {}, {}};
  viz::Series val{"validation loss", {}, {}};
  for (int e = 1; e <= 50; ++e) {
    train.y.push_back(5.0 * std::exp(-e / 8.0) + 0.01);
    val.y.push_back(6.0 * std::exp(-e / 10.0) + 0.05);
  }
  viz::LinePlotOptions options;
  options.title = "Losses";
  options.x_label = "epoch";
  options.y_label = "loss";
  options.log_y = true;
  viz::line_plot({train, val}, out("losses_log.png"), options);
  const auto png = read_png(out("losses_log.png"));
  EXPECT_EQ(png.width, 800);
  EXPECT_GT(count_color(png, viz::palette_color(0)), 200u);
  EXPECT_GT(count_color(png, viz::palette_color(1)), 200u);
  options.log_y = false;
  options.markers = true;
  viz::line_plot({viz::Series{"x given", {0.5, 1.5, 4}, {3, -1, 2}}}, out("line_linear.png"), options);
  EXPECT_GT(count_color(read_png(out("line_linear.png")), viz::palette_color(0)), 100u);
}

TEST(LinePlot, RejectsBadInput) {
  EXPECT_EQ(error_of([] { viz::line_plot({}, out("x.png")); }), "line_plot: no series");
  EXPECT_EQ(error_of([] { viz::line_plot({viz::Series{"a", {}, {}}}, out("x.png")); }),
            "line_plot: series 'a' has no values");
  EXPECT_EQ(error_of([] { viz::line_plot({viz::Series{"a", {1, 2}, {1}}}, out("x.png")); }),
            "line_plot: series 'a' has 2 x values but 1 y values");
  viz::LinePlotOptions log;
  log.log_y = true;
  EXPECT_EQ(error_of([&] { viz::line_plot({viz::Series{"loss", {}, {1, 0.5, 0}}}, out("x.png"), log); }),
            "line_plot: log_y needs values > 0, series 'loss' has y[2] = 0.000000");
  EXPECT_EQ(error_of([] { viz::line_plot({viz::Series{"a", {}, {1, INFINITY}}}, out("x.png")); }),
            "line_plot: series 'a' y[1] is not finite (inf)");
}

namespace {

std::vector<viz::DiagramPoint> circle_like_diagram() {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<viz::DiagramPoint> points;
  for (int i = 0; i < 30; ++i) points.push_back({0, 0.0, 0.05 + 0.01 * i});
  points.push_back({0, 0.0, inf});
  points.push_back({1, 0.4, 1.6});
  points.push_back({1, 0.5, 0.6});
  points.push_back({2, 1.0, 1.1});
  return points;
}

}  // namespace

TEST(PersistencePlots, DiagramAndBarcode) {
  viz::DiagramPlotOptions options;
  options.title = "Persistence diagram";
  viz::persistence_diagram_plot(circle_like_diagram(), out("diagram.png"), options);
  const auto png = read_png(out("diagram.png"));
  EXPECT_EQ(png.width, 800);
  for (int d = 0; d < 3; ++d) EXPECT_GT(count_color(png, viz::palette_color(d), 12), 10u) << "H" << d;

  viz::BarcodeOptions bar;
  bar.title = "Barcode";
  viz::barcode_plot(circle_like_diagram(), out("barcode.png"), bar);
  const auto bpng = read_png(out("barcode.png"));
  for (int d = 0; d < 3; ++d) EXPECT_GT(count_color(bpng, viz::palette_color(d), 12), 50u) << "H" << d;

  // Only essential classes still gives a valid plot.
  viz::persistence_diagram_plot({{0, 0.0, std::numeric_limits<double>::infinity()}}, out("diagram_inf.png"));
  EXPECT_GT(count_non_white(read_png(out("diagram_inf.png"))), 1000u);
}

TEST(PersistencePlots, RejectsBadInput) {
  EXPECT_EQ(error_of([] { viz::persistence_diagram_plot({}, out("x.png")); }),
            "persistence_diagram_plot: no diagram points");
  EXPECT_EQ(error_of([] { viz::barcode_plot({{1, 0.5, 0.2}}, out("x.png")); }),
            "barcode_plot: point 0 has death 0.200000, expected +inf or >= birth 0.500000");
  EXPECT_EQ(error_of([] { viz::persistence_diagram_plot({{0, 0, 1}, {-1, 0, 1}}, out("x.png")); }),
            "persistence_diagram_plot: point 1 has dimension -1, expected >= 0");
  EXPECT_EQ(error_of([] { viz::persistence_diagram_plot({{0, NAN, 1}}, out("x.png")); }),
            "persistence_diagram_plot: point 0 has a non-finite birth");
}

TEST(ImageGrid, PixelsLandWhereExpected) {
  // 12 constant 28x28 images: image k has value -1 + 2k/11 (black ... white).
  std::vector<std::vector<float>> images;
  for (int k = 0; k < 12; ++k) images.emplace_back(28 * 28, static_cast<float>(-1.0 + 2.0 * k / 11.0));
  images[5][0] = 1.0f;  // top-left pixel of image 5 is white
  viz::ImageGridOptions options;
  options.columns = 4;
  options.scale = 2;
  options.padding = 2;
  options.value_min = -1;
  options.value_max = 1;
  viz::image_grid(images, 28, 28, out("image_grid.png"), options);
  const auto png = read_png(out("image_grid.png"));
  EXPECT_EQ(png.width, 4 * 56 + 5 * 2);
  EXPECT_EQ(png.height, 3 * 56 + 4 * 2);
  auto grey = [&](int k, int px, int py) {
    const int ox = 2 + (k % 4) * 58, oy = 2 + (k / 4) * 58;
    return static_cast<int>(png.at(ox + px, oy + py) & 255);
  };
  EXPECT_EQ(grey(0, 10, 10), 0);
  EXPECT_EQ(grey(11, 10, 10), 255);
  EXPECT_EQ(grey(5, 10, 10), static_cast<int>(std::lround(255 * 5 / 11.0)));
  EXPECT_EQ(grey(5, 0, 0), 255);
  EXPECT_EQ(grey(5, 1, 1), 255);  // scale 2: one image pixel covers 2x2
  EXPECT_EQ(grey(5, 2, 0), static_cast<int>(std::lround(255 * 5 / 11.0)));

  options.title = "Decoded images";
  viz::image_grid(images, 28, 28, out("image_grid_title.png"), options);
  EXPECT_EQ(read_png(out("image_grid_title.png")).height, 30 + 3 * 56 + 4 * 2);
}

TEST(ImageGrid, RejectsBadInput) {
  EXPECT_EQ(error_of([] { viz::image_grid({}, 28, 28, out("x.png")); }), "image_grid: no images");
  EXPECT_EQ(error_of([] { viz::image_grid({std::vector<float>(784), std::vector<float>(783)}, 28, 28, out("x.png")); }),
            "image_grid: image 1 has 783 values, expected 28x28 = 784");
  viz::ImageGridOptions bad;
  bad.columns = 0;
  EXPECT_EQ(error_of([&] { viz::image_grid({std::vector<float>(4)}, 2, 2, out("x.png"), bad); }),
            "image_grid: columns and scale must be >= 1 and padding >= 0, got columns 0, scale 2, padding 2");
}

TEST(GraphPlot, ChartGraph) {
  const auto positions = viz::circular_layout(5);
  ASSERT_EQ(positions.size(), 5u);
  EXPECT_NEAR(positions[0].x, 0.0, 1e-12);
  EXPECT_NEAR(positions[0].y, 1.0, 1e-12);
  std::vector<viz::GraphEdge> edges{{0, 1, 0.9}, {1, 2, 0.5}, {2, 3, 0.1}, {3, 4, 0.7}, {4, 0, 0.3}, {0, 2, 0.02}};
  viz::GraphPlotOptions options;
  options.title = "Chart graph";
  options.edge_labels = true;
  viz::graph_plot(positions, edges, out("graph.png"), options);
  const auto png = read_png(out("graph.png"));
  EXPECT_EQ(png.width, 800);
  for (int i = 0; i < 5; ++i) EXPECT_GT(count_color(png, viz::palette_color(i)), 300u) << "node " << i;
}

TEST(GraphPlot, RejectsBadInput) {
  const auto p = viz::circular_layout(3);
  EXPECT_EQ(error_of([] { viz::graph_plot({}, {}, out("x.png")); }), "graph_plot: no nodes");
  EXPECT_EQ(error_of([&] { viz::graph_plot(p, {{0, 3, 1.0}}, out("x.png")); }),
            "graph_plot: edge 0 joins nodes 0 and 3, expected indices < 3");
  EXPECT_EQ(error_of([&] { viz::graph_plot(p, {{0, 1, 1.0}, {2, 2, 1.0}}, out("x.png")); }),
            "graph_plot: edge 1 joins node 2 to itself");
  EXPECT_EQ(error_of([&] { viz::graph_plot(p, {{0, 1, -0.5}}, out("x.png")); }),
            "graph_plot: edge 0 has weight -0.500000, expected a finite value >= 0");
  viz::GraphPlotOptions labels;
  labels.node_labels = {"a", "b"};
  EXPECT_EQ(error_of([&] { viz::graph_plot(p, {}, out("x.png"), labels); }),
            "graph_plot: expected 0 or 3 node labels, got 2");
  const auto msg = error_of([&] { viz::graph_plot(p, {}, kUnwritable); });
  EXPECT_EQ(msg.rfind("graph_plot: cannot write '" + kUnwritable + "'", 0), 0u) << msg;
}

TEST(ImageGraphPlot, TilesAtNodePositions) {
  // Four nodes of one constant 8x8 image each (grey 0, 1/3, 2/3, 1) on a circle.
  std::vector<viz::ImageGridNode> nodes;
  for (int i = 0; i < 4; ++i) {
    nodes.push_back({{std::vector<float>(64, static_cast<float>(i / 3.0))}, 1, "chart " + std::to_string(i)});
  }
  std::vector<viz::GraphEdge> edges{{0, 1, 1.0}, {1, 2, 0.5}, {2, 3, 0.25}, {3, 0, 0.1}};
  viz::ImageGraphPlotOptions options;
  options.width = 600;
  options.height = 600;
  options.tile_size = 160;
  viz::image_graph_plot(nodes, 8, 8, viz::circular_layout(4), edges, out("image_graph.png"), options);
  const auto png = read_png(out("image_graph.png"));
  ASSERT_EQ(png.width, 600);
  // Margin 160/2 + 24 = 104, so the unit circle maps to radius 196 around (300, 300).
  auto grey = [&](int x, int y) { return static_cast<int>(png.at(x, y) & 255); };
  EXPECT_EQ(grey(300, 104), 0);
  EXPECT_EQ(grey(104, 300), 85);
  EXPECT_EQ(grey(300, 496), 170);
  EXPECT_EQ(grey(496, 300), 255);
  for (int i = 0; i < 4; ++i) EXPECT_GT(count_color(png, viz::palette_color(i)), 400u) << "frame " << i;

  // A grid of several images per node, larger than the tile (shrunk).
  std::vector<viz::ImageGridNode> big(3);
  for (auto& n : big) {
    n.columns = 10;
    for (int k = 0; k < 100; ++k) n.images.emplace_back(28 * 28, static_cast<float>(k % 7));
  }
  viz::ImageGraphPlotOptions o2;
  o2.title = "Charts";
  o2.edge_labels = true;
  viz::image_graph_plot(big, 28, 28, viz::circular_layout(3), {{0, 1, 0.4}, {1, 2, 0.9}}, out("image_graph_big.png"), o2);
  EXPECT_GT(count_non_white(read_png(out("image_graph_big.png"))), 50000u);
}

TEST(ImageGraphPlot, RejectsBadInput) {
  const std::vector<viz::ImageGridNode> two{{{std::vector<float>(4)}, 1, ""}, {{std::vector<float>(4)}, 1, ""}};
  EXPECT_EQ(error_of([] { viz::image_graph_plot({}, 2, 2, {}, {}, out("x.png")); }), "image_graph_plot: no nodes");
  EXPECT_EQ(error_of([&] { viz::image_graph_plot(two, 2, 2, viz::circular_layout(3), {}, out("x.png")); }),
            "image_graph_plot: got 2 nodes but 3 positions");
  EXPECT_EQ(error_of([&] { viz::image_graph_plot(two, 2, 2, viz::circular_layout(2), {{0, 5, 1.0}}, out("x.png")); }),
            "image_graph_plot: edge 0 joins nodes 0 and 5, expected indices < 2");
  auto bad = two;
  bad[1].images.push_back(std::vector<float>(3));
  EXPECT_EQ(error_of([&] { viz::image_graph_plot(bad, 2, 2, viz::circular_layout(2), {}, out("x.png")); }),
            "image_graph_plot: node 1 image 1 has 3 values, expected 2x2 = 4");
  bad = two;
  bad[0].images.clear();
  EXPECT_EQ(error_of([&] { viz::image_graph_plot(bad, 2, 2, viz::circular_layout(2), {}, out("x.png")); }),
            "image_graph_plot: node 0 has no images");
}
