// topoembed report: report.html with PNG plots for a run directory — of an autoencoder run
// (config.json) or of an atlas run (atlas_config.json; its points are rebuilt from the config).
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "atlas_train_command.hpp"
#include "commands.hpp"
#include "run_dir.hpp"
#include "topoembed/train/report.hpp"

namespace topoembed::app {

namespace {

namespace fs = std::filesystem;

struct ReportFlags {
  std::string run_dir;
  int max_points = 300;
};

void run_report(const ReportFlags& f) {
  const fs::path run(f.run_dir);
  require_run_dir(run, "report");
  if (is_atlas_run(run)) {
    const auto data = load_atlas_run_data(f.run_dir, "report");
    train::AtlasReportOptions options;
    options.image_shape = data.image_shape;
    const auto path = train::write_atlas_report(f.run_dir, data.points, options);
    std::cout << "wrote " << path << "\n";
    return;
  }
  const auto path = train::write_report(f.run_dir, f.max_points);  // before any output: it may throw
  std::cout << "wrote " << path << "\n";
}

}  // namespace

Command add_report_command(CLI::App& parent) {
  auto f = std::make_shared<ReportFlags>();
  CLI::App* sub = parent.add_subcommand(
      "report",
      "Write RUN_DIR/report.html: latents by label, loss curves, persistence diagrams, metrics (autoencoder runs); "
      "loss terms, chart masses, chart graph, nerve barcode, chart pictures (atlas runs)");
  sub->add_option("RUN_DIR", f->run_dir, "Run directory of `topoembed train`")->required();
  sub->add_option("--max-points", f->max_points, "Subsample size for the persistence diagrams")
      ->check(CLI::Range(3, 5000))
      ->capture_default_str();
  return {sub, [f] { run_report(*f); }};
}

}  // namespace topoembed::app
