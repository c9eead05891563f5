// report.html of a run directory: plots through topoembed::viz, diagrams through topoembed::ph.
#include "topoembed/train/report.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "topoembed/data/point_cloud_io.hpp"
#include "topoembed/ph/rips_persistence.hpp"
#include "topoembed/train/datasets.hpp"
#include "topoembed/train/shuffle.hpp"
#include "topoembed/train/trainer.hpp"
#include "topoembed/train/workflows.hpp"
#include "topoembed/viz/html_report.hpp"
#include "topoembed/viz/line_plot.hpp"
#include "topoembed/viz/persistence_plots.hpp"
#include "topoembed/viz/scatter_plot.hpp"

namespace topoembed::train {

namespace fs = std::filesystem;

namespace {

std::vector<nlohmann::json> read_log(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("report: '" + path.string() + "' is missing; is this a run directory?");
  std::vector<nlohmann::json> lines;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    try {
      lines.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception&) {
      throw std::runtime_error("report: '" + path.string() + "' line " + std::to_string(number) +
                               " is not valid JSON");
    }
  }
  if (lines.empty()) throw std::runtime_error("report: '" + path.string() + "' has no finished epoch yet");
  return lines;
}

double term(const nlohmann::json& record, const char* pass, const char* name) {
  try {
    return record.at(pass).at(name).get<double>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(std::string("report: log.jsonl line of epoch ") + record.value("epoch", nlohmann::json()).dump() +
                             " lacks " + pass + "." + name);
  }
}

// Rows of x [n, d] float64 picked by `rows`, as a point cloud.
ph::PointCloud<double> cloud_of(const torch::Tensor& x, const std::vector<std::int64_t>& rows) {
  const auto sub = x.index_select(0, torch::tensor(rows, torch::kLong)).to(torch::kFloat64).contiguous();
  std::vector<double> values(sub.data_ptr<double>(), sub.data_ptr<double>() + sub.numel());
  return ph::PointCloud<double>(static_cast<ph::index_t>(sub.size(0)), static_cast<int>(sub.size(1)),
                                std::move(values));
}

std::vector<viz::DiagramPoint> diagram(const ph::PointCloud<double>& cloud) {
  const auto result = ph::rips_persistence(cloud, ph::Metric::kEuclidean, ph::RipsOptions().with_max_dim(1));
  std::vector<viz::DiagramPoint> points;
  for (const auto& p : result.pairs) points.push_back({p.dim, p.birth, p.death});
  return points;
}

std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

std::string write_report(const std::string& run_dir, int max_diagram_points) {
  if (max_diagram_points < 3) {
    throw std::invalid_argument("report: max_diagram_points must be >= 3, got " + std::to_string(max_diagram_points));
  }
  const fs::path dir(run_dir);
  if (!fs::is_directory(dir)) throw std::runtime_error("report: run directory '" + run_dir + "' does not exist");
  const TrainConfig config = read_config((dir / kConfigFile).string());
  const auto log = read_log(dir / kLogFile);
  const fs::path plots = dir / "plots";
  std::error_code ec;
  fs::create_directories(plots, ec);
  if (ec) throw std::runtime_error("report: cannot create '" + plots.string() + "': " + ec.message());

  viz::HtmlReport report("topoembed run: " + method_name(config.method) + " on " + config.dataset);

  report.section("Run");
  std::vector<std::pair<std::string, std::string>> config_rows;
  const nlohmann::json config_json = to_json(config);  // items() must not outlive its object
  for (const auto& item : config_json.items()) {
    config_rows.emplace_back(item.key(), item.value().is_string() ? item.value().get<std::string>()
                                                                   : item.value().dump());
  }
  config_rows.emplace_back("epochs finished", std::to_string(log.size()));
  report.metrics_table(config_rows, "Configuration (config.json)");

  const fs::path metrics_path = dir / kMetricsFile;
  if (fs::exists(metrics_path)) {
    std::ifstream in(metrics_path);
    nlohmann::json m;
    try {
      in >> m;
    } catch (const nlohmann::json::exception&) {
      throw std::runtime_error("report: '" + metrics_path.string() + "' is not valid JSON");
    }
    std::vector<std::pair<std::string, double>> rows;
    for (const auto& item : m.items()) {
      if (item.value().is_number()) rows.emplace_back(item.key(), item.value().get<double>());
    }
    report.section("Metrics on the test split");
    report.metrics_table(rows, "metrics.json (kl_σ: density KL; *_mean: the ℓ-measures over k)");
  }

  // Loss curves.
  std::vector<double> epochs;
  viz::Series train_loss{"train loss", {}, {}}, val_loss{"validation loss", {}, {}};
  viz::Series train_rec{"train MSE", {}, {}}, val_rec{"validation MSE", {}, {}};
  viz::Series train_topo{"train L_topo/B", {}, {}}, val_topo{"validation L_topo/B", {}, {}};
  for (const auto& r : log) {
    const double e = r.at("epoch").get<double>();
    for (auto* s : {&train_loss, &val_loss, &train_rec, &val_rec, &train_topo, &val_topo}) s->x.push_back(e);
    train_loss.y.push_back(term(r, "train", "loss"));
    val_loss.y.push_back(term(r, "validation", "loss"));
    train_rec.y.push_back(term(r, "train", "reconstruction"));
    val_rec.y.push_back(term(r, "validation", "reconstruction"));
    train_topo.y.push_back(term(r, "train", "topological"));
    val_topo.y.push_back(term(r, "validation", "topological"));
  }
  report.section("Training");
  viz::LinePlotOptions line;
  line.title = "Loss per epoch";
  line.x_label = "epoch";
  line.y_label = "loss";
  line.markers = log.size() < 30;
  viz::line_plot({train_loss, val_loss}, (plots / "loss.png").string(), line);
  report.image((plots / "loss.png").string(), "Total loss (MSE + λ·L_topo/B) on the training and validation splits");
  if (config.method == Method::kTopoAe) {
    line.title = "Loss terms per epoch";
    viz::line_plot({train_rec, val_rec, train_topo, val_topo}, (plots / "loss_terms.png").string(), line);
    report.image((plots / "loss_terms.png").string(), "Reconstruction (MSE) and topological terms");
  }

  const fs::path latents_path = dir / kLatentsCsvFile;
  if (fs::exists(latents_path)) {
    const auto table = data::read_csv(latents_path.string());
    const std::int64_t cols = table.values.size(1);
    const bool has_labels = !table.header.empty() && table.header.back() == "labels";
    const std::int64_t dims = has_labels ? cols - 1 : cols;
    if (dims < 1) throw std::runtime_error("report: '" + latents_path.string() + "' has no latent columns");
    const auto z = table.values.slice(1, 0, dims).contiguous();
    const std::int64_t n = z.size(0);
    std::vector<double> xs(static_cast<std::size_t>(n)), ys(static_cast<std::size_t>(n));
    std::vector<int> labels;
    for (std::int64_t i = 0; i < n; ++i) {
      xs[static_cast<std::size_t>(i)] = z[i][0].item<double>();
      ys[static_cast<std::size_t>(i)] = dims > 1 ? z[i][1].item<double>() : 0.0;
      if (has_labels) {
        const auto label = static_cast<int>(table.values[i][cols - 1].item<double>());
        if (label >= 0) labels.push_back(label);
      }
    }
    if (static_cast<std::int64_t>(labels.size()) != n) labels.clear();
    report.section("Latent space (test split)");
    viz::ScatterOptions scatter;
    scatter.title = "Latents of the test split by label";
    scatter.x_label = "z0";
    scatter.y_label = dims > 1 ? "z1" : "";
    viz::scatter_plot(xs, ys, labels, (plots / "latents.png").string(), scatter);
    report.image((plots / "latents.png").string(),
                 dims > 2 ? "First two of " + std::to_string(dims) + " latent coordinates" : "Latent space");

    // Persistence diagrams of data and latents on the same seeded subsample.
    const auto data = load_training_data(config);
    const auto x = data.test_x.reshape({data.test_x.size(0), -1}).to(torch::kFloat64);
    if (x.size(0) != n) {
      throw std::runtime_error("report: '" + latents_path.string() + "' has " + std::to_string(n) +
                               " rows, the configured test split " + std::to_string(x.size(0)));
    }
    std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
    std::iota(rows.begin(), rows.end(), 0);
    ShuffleRng rng(config.seed);
    shuffle(rows, rng);
    rows.resize(static_cast<std::size_t>(std::min<std::int64_t>(n, max_diagram_points)));
    std::sort(rows.begin(), rows.end());
    report.section("Persistence diagrams (Vietoris–Rips, H0 and H1)");
    report.text("A seeded subsample of " + std::to_string(rows.size()) + " test points; H0 in colour 0, H1 in colour 1.");
    viz::DiagramPlotOptions dopt;
    dopt.title = "Data space";
    viz::persistence_diagram_plot(diagram(cloud_of(x, rows)), (plots / "diagram_data.png").string(), dopt);
    report.image((plots / "diagram_data.png").string(), "Data space (" + std::to_string(x.size(1)) + " dimensions)");
    dopt.title = "Latent space";
    viz::persistence_diagram_plot(diagram(cloud_of(z, rows)), (plots / "diagram_latents.png").string(), dopt);
    report.image((plots / "diagram_latents.png").string(), "Latent space");
  } else {
    report.section("Latent space");
    report.text("The run has not finished: no " + std::string(kLatentsCsvFile) + " yet (last epoch " +
                format_number(log.back().at("epoch").get<double>()) + ").");
  }

  const std::string path = (dir / kReportFile).string();
  report.write(path);
  return path;
}

}  // namespace topoembed::train
