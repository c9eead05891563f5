// topoembed eval: the paper's quality measures of latents against their data.
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "topoembed/train/workflows.hpp"

namespace topoembed::app {

namespace {

struct EvalFlags {
  std::string latents;
  std::string data;
  std::string dataset;
  std::string output;
  int threads = 1;
};

}  // namespace

Command add_eval_command(CLI::App& parent) {
  auto f = std::make_shared<EvalFlags>();
  CLI::App* sub = parent.add_subcommand(
      "eval", "Quality measures (KL_sigma, trustworthiness, continuity, MRRE, RMSE, stress) of latents");
  sub->add_option("--latents", f->latents, "Latents (.csv or .npy; a 'labels' column is dropped)")->required();
  auto* data = sub->add_option("--data", f->data, "The data points (.csv or .npy), rows as in the latents");
  auto* dataset = sub->add_option("--dataset", f->dataset, "Or a data set's test split: spheres or fmnist")
                      ->check(CLI::IsMember({"spheres", "fmnist"}));
  data->excludes(dataset);
  dataset->excludes(data);
  sub->add_option("--output,-o", f->output, "metrics.json to write (atomically); default: standard output");
  sub->add_option("--threads", f->threads,
                  "Threads for LibTorch's row passes and OpenBLAS's distance products (same numbers for any count)")
      ->check(CLI::PositiveNumber);
  return {sub, [f] {
            if (f->data.empty() && f->dataset.empty()) {
              throw std::invalid_argument("eval: give --data FILE or --dataset spheres|fmnist");
            }
            const auto metrics = train::evaluate_files(f->latents, f->data, f->dataset, f->output, f->threads);
            if (f->output.empty()) {
              std::cout << metrics.dump(2) << "\n";
            } else {
              std::cout << "wrote " << f->output << "\n";
            }
          }};
}

}  // namespace topoembed::app
