// topoembed dimsweep: atlas autoencoders for chart dimensions d = 1..D_max on the same data (same
// k, prior, epochs, seed), each trained into RUN_DIR/d<d>/, then RUN_DIR/dimsweep.json, the plots
// dimsweep.png (reconstruction against d) and dimsweep_prior.png (prior matching against d), and
// the summaries dimsweep.md and dimsweep.html. Korman's way of reading off the intrinsic
// dimension: the reconstruction loss falls until d reaches it and then flattens, while the
// prior-matching term grows once d exceeds it (the codes of a d0-manifold cannot fill [0,1]^d).
// A killed sweep resumes: a d<d>/ whose run finished with the same configuration is reused, one
// killed during training continues its checkpoint.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "atlas_train_command.hpp"
#include "commands.hpp"
#include "topoembed/ph/atomic_file.hpp"
#include "topoembed/viz/html_report.hpp"
#include "topoembed/viz/line_plot.hpp"

namespace topoembed::app {
namespace {

namespace fs = std::filesystem;

struct DimsweepFlags {
  AtlasTrainFlags atlas;
  AtlasCommonFlags common;
  std::int64_t max_dim = 0;
  bool no_report = false;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string number_text(double v, int precision = 4) {
  if (!std::isfinite(v)) return "n/a";
  std::ostringstream s;
  s.precision(precision);
  s << v;
  return s.str();
}

struct SweepRow {
  std::int64_t d = 0;
  AtlasRunResult result;
  bool reused = false;
};

// The values read off per d: held-out values when there are held-out points, else the values on
// the training points after training.
const AtlasEvaluation& read_off(const AtlasRunResult& r) { return r.validation ? *r.validation : r.training; }

// The smallest d whose reconstruction has made 90% of the drop from d = 1 to the best d: where
// the curve flattens (a rule of thumb printed next to the numbers, not a test).
std::int64_t elbow(const std::vector<SweepRow>& rows) {
  double best = read_off(rows.front().result).reconstruction;
  for (const auto& r : rows) best = std::min(best, read_off(r.result).reconstruction);
  const double first = read_off(rows.front().result).reconstruction;
  for (const auto& r : rows)
    if (read_off(r.result).reconstruction - best <= 0.1 * (first - best)) return r.d;
  return rows.back().d;
}

void run_dimsweep(const DimsweepFlags& f) {
  const std::string cmd = "dimsweep";
  // Every option is checked, and the data read, before RUN_DIR is touched.
  if (f.max_dim < 1) throw std::invalid_argument(cmd + ": --max-dim must be >= 1, got " + std::to_string(f.max_dim));
  for (std::int64_t d = 1; d <= f.max_dim; ++d) {
    auto a = f.atlas;
    a.chart_dim = d;
    atlas_training_options(a, f.common);
  }
  const fs::path root(f.common.run_dir);
  if (fs::exists(root / "dimsweep.json"))
    throw std::invalid_argument(cmd + ": " + root.string() + " already holds a finished sweep (dimsweep.json)");
  const auto data = load_atlas_data(f.common.dataset, f.atlas.points, f.common.seed, cmd);

  std::vector<SweepRow> rows;
  for (std::int64_t d = 1; d <= f.max_dim; ++d) {
    auto a = f.atlas;
    a.chart_dim = d;
    auto c = f.common;
    c.run_dir = (root / ("d" + std::to_string(d))).string();
    const fs::path run(c.run_dir);
    SweepRow row;
    row.d = d;
    if (fs::exists(run / "atlas_summary.json") && fs::exists(run / "atlas.pt")) {
      if (read_text(run / "atlas_config.json") != atlas_config_text(data, a, c))
        throw std::invalid_argument(cmd + ": " + run.string() + " holds a run with another configuration " +
                                    "(atlas_config.json); give a fresh --run-dir");
      row.result = parse_atlas_summary(read_text(run / "atlas_summary.json"), (run / "atlas_summary.json").string());
      row.reused = true;
      if (!c.quiet) std::cerr << "d = " << d << ": reusing the finished run in " << run.string() << "\n";
    } else {
      // A d killed during training continues its checkpoint when it was the same configuration.
      if (fs::exists(run / train::kAtlasCheckpointFile)) {
        if (!fs::exists(run / "atlas_config.json") || read_text(run / "atlas_config.json") != atlas_config_text(data, a, c))
          throw std::invalid_argument(cmd + ": " + run.string() + " holds a checkpoint of another configuration " +
                                      "(atlas_config.json); give a fresh --run-dir");
        c.resume = true;
      }
      if (!c.quiet)
        std::cerr << "d = " << d << " of " << f.max_dim << " -> " << run.string() << (c.resume ? " (resumed)" : "")
                  << "\n";
      row.result = train_atlas_run(data, a, c);
    }
    rows.push_back(row);
  }

  // dimsweep.json
  const auto o = atlas_training_options(f.atlas, f.common);
  const bool held_out = rows.front().result.validation.has_value();
  nlohmann::json out{{"dataset", f.common.dataset}, {"points", data.points.size(0)}, {"charts", o.charts},
                     {"max_dim", f.max_dim}, {"prior", f.atlas.prior}, {"prior_weight", o.prior_weight},
                     {"sharpening_weight", o.sharpening_weight}, {"locality_weight", o.locality_weight},
                     {"balance_weight", o.balance_weight}, {"mmd_floor", o.mmd_membership_floor},
                     {"epochs", o.epochs}, {"batch_size", o.batch_size},
                     {"learning_rate", o.learning_rate}, {"validation_fraction", f.common.validation_fraction},
                     {"seed", o.seed}, {"read_off", held_out ? "validation" : "training"}};
  nlohmann::json results = nlohmann::json::array();
  for (const auto& r : rows) {
    const auto summary = nlohmann::json::parse(atlas_summary_text(r.result));
    nlohmann::json entry{{"d", r.d}, {"run_dir", "d" + std::to_string(r.d)}};
    for (const auto& item : summary.items()) entry[item.key()] = item.value();
    results.push_back(entry);
  }
  out["results"] = results;
  const auto flattens_at = elbow(rows);
  out["reconstruction_elbow"] = flattens_at;

  // Plots: reconstruction, and prior matching, against d.
  viz::Series rec_last{"training (last epoch mean)", {}, {}}, rec_eval{"training points, after training", {}, {}};
  viz::Series rec_val{"held-out points", {}, {}};
  viz::Series prior_last{"training prior term (last epoch mean)", {}, {}}, mmd_eval{"training points, after training", {}, {}};
  viz::Series mmd_val{"held-out points", {}, {}};
  for (const auto& r : rows) {
    const double d = static_cast<double>(r.d);
    for (auto* s : {&rec_last, &rec_eval, &prior_last, &mmd_eval}) s->x.push_back(d);
    rec_last.y.push_back(r.result.history.back().reconstruction);
    rec_eval.y.push_back(r.result.training.reconstruction);
    prior_last.y.push_back(r.result.history.back().prior);
    mmd_eval.y.push_back(r.result.training.mmd);
    if (r.result.validation) {
      rec_val.x.push_back(d);
      mmd_val.x.push_back(d);
      rec_val.y.push_back(r.result.validation->reconstruction);
      mmd_val.y.push_back(r.result.validation->mmd);
    }
  }
  viz::LinePlotOptions plot;
  plot.x_label = "chart dimension d";
  plot.markers = true;
  plot.title = "Reconstruction loss against d (" + f.common.dataset + ", k = " + std::to_string(o.charts) + ")";
  plot.y_label = "Σ_i q_i ‖x − ψ_i(φ_i(x))‖²";
  std::vector<viz::Series> rec_series{rec_last, rec_eval};
  if (held_out) rec_series.push_back(rec_val);
  viz::line_plot(rec_series, (root / "dimsweep.png").string(), plot);
  plot.title = "Prior matching against d (" + f.common.dataset + ", k = " + std::to_string(o.charts) + ")";
  plot.y_label = "chart-weighted MMD² to the uniform prior";
  std::vector<viz::Series> prior_series{mmd_eval};
  if (held_out) prior_series.push_back(mmd_val);
  if (f.atlas.prior == "mmd") prior_series.push_back(prior_last);
  viz::line_plot(prior_series, (root / "dimsweep_prior.png").string(), plot);

  // dimsweep.md and dimsweep.html
  std::ostringstream md;
  md << "# Dimension sweep: " << f.common.dataset << "\n\n"
     << "Atlas autoencoders with k = " << o.charts << " charts, prior " << f.atlas.prior << " (weight "
     << number_text(o.prior_weight) << "), " << o.epochs << " epochs, " << data.points.size(0) << " points"
     << (held_out ? " (" + std::to_string(read_off(rows.front().result).points) + " held out)" : "") << ", seed "
     << o.seed << ", for d = 1.." << f.max_dim << ".\n\n"
     << "| d | reconstruction (last epoch) | reconstruction (after training) |"
     << (held_out ? " reconstruction (held out) |" : "") << " MMD² (after training) |"
     << (held_out ? " MMD² (held out) |" : "") << "\n|---|---|---|" << (held_out ? "---|" : "") << "---|"
     << (held_out ? "---|" : "") << "\n";
  for (const auto& r : rows) {
    md << "| " << r.d << " | " << number_text(r.result.history.back().reconstruction) << " | "
       << number_text(r.result.training.reconstruction) << " | ";
    if (held_out) md << number_text(r.result.validation->reconstruction) << " | ";
    md << number_text(r.result.training.mmd) << " | ";
    if (held_out) md << number_text(r.result.validation->mmd) << " | ";
    md << "\n";
  }
  md << "\nThe reconstruction (" << (held_out ? "held out" : "after training")
     << ") has made 90% of its drop from d = 1 to its best value at d = " << flattens_at
     << ". MMD² values use the kernel scale C = d / 6 of training, so they compare the fit to the prior "
        "within each d rather than on one scale.\n\n![reconstruction against d](dimsweep.png)\n\n"
        "![prior matching against d](dimsweep_prior.png)\n";
  ph::write_file_atomically(root / "dimsweep.md", md.str());

  viz::HtmlReport html("topoembed dimsweep: " + f.common.dataset);
  html.section("Sweep");
  std::vector<std::pair<std::string, std::string>> config_rows;
  for (const auto& item : out.items())
    if (item.key() != "results") config_rows.emplace_back(item.key(), item.value().is_string() ? item.value().get<std::string>() : item.value().dump());
  html.metrics_table(config_rows, "Configuration");
  std::vector<std::pair<std::string, double>> value_rows;
  for (const auto& r : rows) {
    const auto prefix = "d = " + std::to_string(r.d) + ": ";
    value_rows.emplace_back(prefix + "reconstruction", read_off(r.result).reconstruction);
    value_rows.emplace_back(prefix + "MMD²", read_off(r.result).mmd);
  }
  html.metrics_table(value_rows, std::string("Read-off values (") + (held_out ? "held-out points" : "training points") + ")");
  html.image((root / "dimsweep.png").string(), "Reconstruction loss against d");
  html.image((root / "dimsweep_prior.png").string(), "Prior matching against d");
  html.write((root / "dimsweep.html").string());
  // dimsweep.json last: its presence marks a finished sweep.
  ph::write_file_atomically(root / "dimsweep.json", out.dump(2) + "\n");

  std::ostringstream text;
  text << "d  reconstruction  MMD²  (" << (held_out ? "held-out points" : "training points, after training") << ")\n";
  for (const auto& r : rows)
    text << r.d << "  " << number_text(read_off(r.result).reconstruction, 6) << "  "
         << number_text(read_off(r.result).mmd, 6) << (r.reused ? "  (reused)" : "") << "\n";
  text << "reconstruction flattens (90% of its drop) at d = " << flattens_at << "\nwrote "
       << (root / "dimsweep.json").string() << ", " << (root / "dimsweep.png").string() << ", "
       << (root / "dimsweep.md").string() << "\n";
  std::cout << text.str();
}

}  // namespace

Command add_dimsweep_command(CLI::App& parent) {
  auto f = std::make_shared<DimsweepFlags>();
  f->common.validation_fraction = 0.2;
  f->common.dataset = "t3";
  CLI::App* sub = parent.add_subcommand(
      "dimsweep", "Atlas autoencoders for chart dimensions d = 1..D: losses against d (intrinsic dimension)");
  sub->add_option("--run-dir", f->common.run_dir, "Sweep directory (created; one d<d>/ atlas run per d)")->required();
  sub->add_option("--dataset", f->common.dataset,
                  "circle, sphere, torus, flat-torus, rp2, rp2-r6, t3, fmnist, or a .csv point cloud")
      ->capture_default_str();
  sub->add_option("--max-dim", f->max_dim, "Largest chart dimension D (d = 1..D)")->required()->check(CLI::Range(1, 64));
  // The atlas options train --method atlas-ae has too, registered by the same function.
  add_atlas_model_options(*sub, f->atlas, "");
  sub->add_option("--epochs", f->common.epochs, "Epochs per d")->check(CLI::Range(1, 1000000))->capture_default_str();
  sub->add_option("--batch-size", f->common.batch_size, "Minibatch size")->check(CLI::Range(2, 1000000))->capture_default_str();
  sub->add_option("--lr", f->common.learning_rate, "Adam learning rate")->check(CLI::PositiveNumber)->capture_default_str();
  sub->add_option("--seed", f->common.seed, "Seed of data, initialisation, batches and the held-out split")
      ->capture_default_str();
  sub->add_option("--validation-fraction", f->common.validation_fraction,
                  "Share of the points held out; the losses are read off on them (0: on the training points)")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  sub->add_option("--threads", f->common.threads, "Thread budget, split between LibTorch and OpenBLAS")->check(CLI::Range(1, 1024));
  sub->add_flag("--no-report", f->no_report, "No report.html per d");
  sub->add_flag("--quiet", f->common.quiet, "No progress output");
  return {sub, [f] {
            f->common.report = !f->no_report;
            run_dimsweep(*f);
          }};
}

}  // namespace topoembed::app
