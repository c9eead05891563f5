#pragma once
// The HTML report of a run directory (topoembed report RUN_DIR).

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

namespace topoembed::train {

// Writes RUN_DIR/report.html and its PNGs under RUN_DIR/plots/: the latent space by label (first
// two latent coordinates), loss curves from log.jsonl, Vietoris–Rips persistence diagrams
// (dimensions 0 and 1) of the test data and of its latents on a seeded subsample of at most
// max_diagram_points points, the metrics and the configuration. Needs config.json and log.jsonl;
// the latent and metric parts need a finished run (latents.csv, metrics.json). Returns the report's
// path. Throws std::runtime_error naming a missing or malformed file.
std::string write_report(const std::string& run_dir, int max_diagram_points = 300);

struct AtlasReportOptions {
  // {H, W} when the points are flattened H×W grey images: the report then shows, for d <= 2, one
  // grid per chart of the images ψ_i decodes over a uniform grid of [0,1]^d, the grids placed as
  // the nodes of the chart graph (Korman's MNIST picture). Empty: a point cloud, drawn as its first
  // two coordinates coloured by argmax chart.
  std::vector<std::int64_t> image_shape;
  int grid_side = 8;              // decoded images per axis of a chart grid, 1..64
  double edge_threshold = 0.001;  // the chart graph joins charts with u > this, in [0, 1)
  // The picture of decoded images draws only edges with u >= this fraction of the largest u.
  double picture_edge_fraction = 0.1;
  // Grey range of decoded images mapped to black..white (NaN: the decoded values' min and max).
  double value_min = 0.0;
  double value_max = 1.0;
  // Homology dimensions 0..this of the nerve section (-1: min(d, 3)); lowered while the chart sets
  // it lists (up to this + 2 charts) would exceed 2·10^6.
  int nerve_max_dim = -1;
};

// Writes RUN_DIR/report.html and its PNGs under RUN_DIR/plots/ for an atlas run (atlas_config.json,
// log.jsonl and atlas.pt, as `topoembed train --method atlas-ae` writes them): the configuration,
// the loss terms per epoch, each chart's mass and argmax count on `points`, the chart graph
// weighted by the intersection strengths u (eval::fuzzy_nerve of the memberships on `points`), the
// nerve's barcodes over Z/2 and Z/3 with the Betti numbers read off them (the library's default
// filtration and reading rule), and the pictures described at AtlasReportOptions. points [N, D] are the data the atlas was trained
// on (D = the atlas' input size). Returns the report's path. Throws std::runtime_error naming a
// missing or malformed file, std::invalid_argument on bad points or options.
std::string write_atlas_report(const std::string& run_dir, const torch::Tensor& points,
                               const AtlasReportOptions& options = {});

}  // namespace topoembed::train
