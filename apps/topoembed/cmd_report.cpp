// topoembed report: report.html with PNG plots for a run directory.
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "topoembed/train/report.hpp"

namespace topoembed::app {

namespace {

struct ReportFlags {
  std::string run_dir;
  int max_points = 300;
};

}  // namespace

Command add_report_command(CLI::App& parent) {
  auto f = std::make_shared<ReportFlags>();
  CLI::App* sub = parent.add_subcommand(
      "report", "Write RUN_DIR/report.html: latents by label, loss curves, persistence diagrams, metrics");
  sub->add_option("RUN_DIR", f->run_dir, "Run directory of `topoembed train`")->required();
  sub->add_option("--max-points", f->max_points, "Subsample size for the persistence diagrams")
      ->check(CLI::Range(3, 5000))
      ->capture_default_str();
  return {sub, [f] { std::cout << "wrote " << train::write_report(f->run_dir, f->max_points) << "\n"; }};
}

}  // namespace topoembed::app
