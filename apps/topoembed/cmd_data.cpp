// topoembed data export: a data set's training or test split as topoembed's trainer sees it
// (Spheres standardised, Fashion-MNIST in [-1, 1], flattened to rows), for tools outside the
// build such as experiments/baselines.py (t-SNE, Isomap, UMAP).
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "commands.hpp"
#include "topoembed/data/point_cloud_io.hpp"
#include "topoembed/train/datasets.hpp"

namespace topoembed::app {

namespace {

struct DataExportFlags {
  std::string dataset;
  std::string split = "test";
  std::string output;
  std::string labels;
};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void run_export(const DataExportFlags& f) {
  if (!ends_with(f.output, ".npy") && !ends_with(f.output, ".csv")) {
    throw std::invalid_argument("data export: --output must be a .npy or .csv file, got '" + f.output + "'");
  }
  if (!f.labels.empty() && !ends_with(f.labels, ".npy")) {
    throw std::invalid_argument("data export: --labels must be a .npy file, got '" + f.labels + "'");
  }
  train::TrainConfig config;  // default data options: the paper's Spheres (seed 42, 500 per sphere)
  config.dataset = f.dataset;
  const auto data = train::load_training_data(config);
  const bool test = f.split == "test";
  const auto& x = test ? data.test_x : data.train_x;
  const auto& y = test ? data.test_labels : data.train_labels;
  const auto rows = x.reshape({x.size(0), -1});
  if (ends_with(f.output, ".npy")) {
    data::write_npy(f.output, rows);
  } else {
    // Columns x0, x1, ..., and labels last (read_csv/eval drop a 'labels' column).
    data::CsvWriteOptions options;
    for (std::int64_t c = 0; c < rows.size(1); ++c) options.header.push_back("x" + std::to_string(c));
    options.header.push_back("labels");
    data::write_csv(f.output, torch::cat({rows.to(torch::kFloat64), y.to(torch::kFloat64).unsqueeze(1)}, 1), options);
  }
  if (!f.labels.empty()) data::write_npy(f.labels, y);
  std::cout << "wrote " << f.output << " (" << rows.size(0) << " x " << rows.size(1) << ", " << f.dataset << " "
            << f.split << " split)" << (f.labels.empty() ? "" : ", " + f.labels) << "\n";
}

}  // namespace

Command add_data_command(CLI::App& parent) {
  auto f = std::make_shared<DataExportFlags>();
  CLI::App* sub = parent.add_subcommand("data", "Data sets: export a split as the trainer sees it");
  sub->require_subcommand(1);
  CLI::App* export_cmd = sub->add_subcommand(
      "export", "Write a data set's training or test split (preprocessed, one row per point) as .npy or .csv");
  export_cmd->add_option("--dataset", f->dataset, "spheres or fmnist")->required()->check(CLI::IsMember({"spheres", "fmnist"}));
  export_cmd->add_option("--split", f->split, "test (default) or train")->check(CLI::IsMember({"test", "train"}));
  export_cmd->add_option("--output,-o", f->output, "Points: .npy (float32 [n, d]) or .csv (columns x0.., labels)")->required();
  export_cmd->add_option("--labels", f->labels, "Also write the labels as .npy (int64 [n])");
  return {sub, [f] { run_export(*f); }};
}

}  // namespace topoembed::app
