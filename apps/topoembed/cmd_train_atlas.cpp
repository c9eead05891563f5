// The atlas autoencoder branch of `topoembed train` (see atlas_train_command.hpp).
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "atlas_train_command.hpp"
#include "topoembed/data/generators.hpp"
#include "topoembed/ph/atomic_file.hpp"
#include "topoembed/ph/io.hpp"
#include "topoembed/train/atlas_training.hpp"
#include "topoembed/viz/scatter_plot.hpp"

namespace topoembed::app {
namespace {

namespace fs = std::filesystem;

torch::Tensor atlas_points(const AtlasCommonFlags& c, std::int64_t n) {
  data::SampleOptions s;
  s.n = n;
  s.seed = c.seed;
  const auto& d = c.dataset;
  if (d == "circle") return data::make_circle(s).points;
  if (d == "sphere") return data::make_sphere(s).points;
  if (d == "torus") return data::make_torus(s).points;
  if (d == "flat-torus") return data::make_flat_torus(s).points;
  if (d == "rp2") return data::make_projective_plane(s).points;
  if (d == "t3") return data::make_three_torus(s).points;
  if (d.size() > 4 && d.compare(d.size() - 4, 4, ".csv") == 0) {
    const auto cloud = ph::read_point_cloud<double>(d);
    return torch::from_blob(const_cast<double*>(cloud.coords.data()), {cloud.num_points, cloud.dim}, torch::kDouble)
        .clone();
  }
  throw std::invalid_argument("train --method atlas-ae: --dataset must be circle, sphere, torus, flat-torus, rp2, t3 "
                              "or a .csv point cloud, got '" + d + "'");
}

}  // namespace

void add_atlas_train_options(CLI::App& sub, AtlasTrainFlags& a) {
  sub.add_option("--charts", a.charts, "atlas-ae: number of charts k")->check(CLI::Range(1, 1000))->capture_default_str();
  sub.add_option("--dim", a.chart_dim, "atlas-ae: chart dimension d")->check(CLI::Range(1, 1000))->capture_default_str();
  sub.add_option("--prior", a.prior, "atlas-ae: prior matching, mmd or gan")
      ->check(CLI::IsMember({"mmd", "gan"}))
      ->capture_default_str();
  sub.add_option("--prior-weight", a.prior_weight, "atlas-ae: weight of the prior term (default 10 mmd, 1 gan)")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--sharpening-weight", a.sharpening_weight, "atlas-ae: weight of the membership entropy")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub.add_option("--points", a.points, "atlas-ae: sample size of a generated manifold")
      ->check(CLI::Range(2, 100000000))
      ->capture_default_str();
}

void run_atlas_train(const AtlasTrainFlags& a, const AtlasCommonFlags& c) {
  const fs::path run(c.run_dir);
  if (fs::exists(run / "atlas.pt"))
    throw std::invalid_argument("train --method atlas-ae: " + c.run_dir + " already holds a trained atlas (atlas.pt)");
  train::AtlasTrainingOptions o;
  o.charts = a.charts;
  o.chart_dim = a.chart_dim;
  o.prior = a.prior == "gan" ? train::AtlasPrior::kGAN : train::AtlasPrior::kMMD;
  o.prior_weight = a.prior_weight ? *a.prior_weight : (a.prior == "gan" ? 1.0 : 10.0);
  o.sharpening_weight = a.sharpening_weight;
  o.epochs = c.epochs;
  o.batch_size = c.batch_size;
  o.learning_rate = c.learning_rate;
  o.seed = c.seed;
  train::validate(o);
  const auto x = atlas_points(c, a.points).to(torch::kFloat);
  fs::create_directories(run);

  std::ostringstream log;
  auto result = train::train_atlas(x, o, [&](const train::AtlasEpochLog& e) {
    nlohmann::json line{{"epoch", e.epoch}, {"loss", e.loss}, {"reconstruction", e.reconstruction},
                        {"prior", e.prior}, {"sharpening", e.sharpening}, {"discriminator", e.discriminator}};
    log << line.dump() << "\n";
    if (!c.quiet)
      std::fprintf(stderr, "epoch %lld/%lld loss %.5g (reconstruction %.5g, prior %.5g, sharpening %.5g)\n",
                   static_cast<long long>(e.epoch), static_cast<long long>(o.epochs), e.loss, e.reconstruction,
                   e.prior, e.sharpening);
  });
  const auto q = train::atlas_memberships(*result.atlas, x).to(torch::kDouble).contiguous();

  nlohmann::json config{{"method", "atlas-ae"}, {"dataset", c.dataset}, {"points", x.size(0)},
                        {"charts", o.charts}, {"chart_dim", o.chart_dim}, {"prior", a.prior},
                        {"prior_weight", o.prior_weight}, {"sharpening_weight", o.sharpening_weight},
                        {"epochs", o.epochs}, {"batch_size", o.batch_size}, {"learning_rate", o.learning_rate},
                        {"seed", o.seed}};
  ph::write_file_atomically(run / "atlas_config.json", config.dump(2) + "\n");
  ph::write_file_atomically(run / "log.jsonl", log.str());
  models::save_atlas(*result.atlas, (run / "atlas.pt").string());
  ph::write_file_atomically(run / "memberships.csv", [&](std::ostream& out) {
    out.precision(17);
    const auto* p = q.data_ptr<double>();
    for (std::int64_t i = 0; i < q.size(0); ++i) {
      for (std::int64_t j = 0; j < q.size(1); ++j) out << (j ? "," : "") << p[i * q.size(1) + j];
      out << "\n";
    }
  });
  if (x.size(1) >= 2) {
    const auto xd = x.to(torch::kDouble).contiguous();
    std::vector<double> px(static_cast<std::size_t>(x.size(0))), py(px.size());
    std::vector<int> labels(px.size());
    const auto am = q.argmax(1);
    for (std::int64_t i = 0; i < x.size(0); ++i) {
      px[static_cast<std::size_t>(i)] = xd[i][0].item<double>();
      py[static_cast<std::size_t>(i)] = xd[i][1].item<double>();
      labels[static_cast<std::size_t>(i)] = static_cast<int>(am[i].item<std::int64_t>());
    }
    viz::ScatterOptions plot;
    plot.title = "points by argmax chart";
    viz::scatter_plot(px, py, labels, (run / "charts.png").string(), plot);
  }
  std::cout << "trained atlas (" << o.charts << " charts, d = " << o.chart_dim << ") on " << x.size(0)
            << " points: reconstruction " << result.history.front().reconstruction << " -> "
            << result.history.back().reconstruction << "\nwrote " << (run / "atlas.pt").string() << ", "
            << (run / "memberships.csv").string() << "\n";
}

}  // namespace topoembed::app
