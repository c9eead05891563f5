#pragma once
// The HTML report of a run directory (topoembed report RUN_DIR).

#include <string>

namespace topoembed::train {

// Writes RUN_DIR/report.html and its PNGs under RUN_DIR/plots/: the latent space by label (first
// two latent coordinates), loss curves from log.jsonl, Vietoris–Rips persistence diagrams
// (dimensions 0 and 1) of the test data and of its latents on a seeded subsample of at most
// max_diagram_points points, the metrics and the configuration. Needs config.json and log.jsonl;
// the latent and metric parts need a finished run (latents.csv, metrics.json). Returns the report's
// path. Throws std::runtime_error naming a missing or malformed file.
std::string write_report(const std::string& run_dir, int max_diagram_points = 300);

}  // namespace topoembed::train
