// Cost of the TopoAE loss (forward + backward of TopoSignatureLoss) and its share of a training
// step of the paper's Spheres autoencoder (101 -> 32 -> 32 -> 2, BatchNorm + ReLU, mirrored
// decoder, Adam); cost of the chart-weighted MMD of an atlas batch, exact and with a membership
// floor. Results and the command: docs/benchmarks.md.
#include <benchmark/benchmark.h>
#include <time.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "topoembed/diff/regularizers.hpp"
#include "topoembed/diff/topological_losses.hpp"

namespace {

torch::nn::Sequential mlp(std::vector<int64_t> widths) {
  torch::nn::Sequential seq;
  for (std::size_t i = 0; i + 1 < widths.size(); ++i) {
    seq->push_back(torch::nn::Linear(widths[i], widths[i + 1]));
    if (i + 2 < widths.size()) {  // no activation after the last layer
      seq->push_back(torch::nn::BatchNorm1d(widths[i + 1]));
      seq->push_back(torch::nn::ReLU());
    }
  }
  return seq;
}

struct Setup {
  explicit Setup(int64_t batch) {
    torch::manual_seed(0);
    x = torch::randn({batch, 101});
    z = torch::randn({batch, 2}, torch::requires_grad());
  }
  torch::Tensor x, z;
};

// The loss benchmarks' frame: one torch thread, the batch of size arg 0, one loss module;
// body(loss, setup) is the timed iteration; items = points.
template <class Body>
void run_loss_benchmark(benchmark::State& state, Body body) {
  torch::set_num_threads(1);
  const Setup s(state.range(0));
  topoembed::diff::TopoSignatureLoss loss;
  for (auto _ : state) body(loss, s);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// Forward + backward of the loss alone; arg: batch.
void BM_TopoSignatureLoss(benchmark::State& state) {
  run_loss_benchmark(state, [](topoembed::diff::TopoSignatureLoss& loss, const Setup& s) {
    auto value = loss(s.x, s.z);
    value.backward();
    benchmark::DoNotOptimize(s.z.grad().data_ptr());
  });
}
BENCHMARK(BM_TopoSignatureLoss)->Arg(28)->Arg(64)->Arg(128)->Arg(256)->Unit(benchmark::kMicrosecond);

// The forward alone (pairings, A_X, the fused function's forward and its autograd node; the graph
// is dropped unused): with BM_TopoSignatureLoss it splits the loss into forward and backward.
void BM_TopoSignatureLossForward(benchmark::State& state) {
  run_loss_benchmark(state, [](topoembed::diff::TopoSignatureLoss& loss, const Setup& s) {
    auto value = loss(s.x, s.z);
    benchmark::DoNotOptimize(value.data_ptr());
  });
}
BENCHMARK(BM_TopoSignatureLossForward)->Arg(28)->Arg(128)->Unit(benchmark::kMicrosecond);

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// The Spheres autoencoder with the paper's Adam settings and TopoAE weight lambda.
struct SpheresModel {
  torch::nn::Sequential encoder = mlp({101, 32, 32, 2}), decoder = mlp({2, 32, 32, 101});
  topoembed::diff::TopoSignatureLoss topo;
  std::unique_ptr<torch::optim::Adam> adam;
  SpheresModel() {
    std::vector<torch::Tensor> params = encoder->parameters();
    for (const auto& p : decoder->parameters()) params.push_back(p);
    for (const auto& p : topo->parameters()) params.push_back(p);
    adam = std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(2.72684e-4).weight_decay(1e-5));
  }
  // One Adam step. With phase, adds the CPU time of each phase (forward, backward, optimizer)
  // to phase[0..2]; without, reads no clock.
  void step(const torch::Tensor& x, bool with_topo, double* phase = nullptr) {
    const double t0 = phase ? thread_cpu_seconds() : 0.0;
    adam->zero_grad();
    const auto latent = encoder->forward(x);
    auto loss = torch::mse_loss(decoder->forward(latent), x);
    if (with_topo) loss = loss + 0.43358 * topo(x, latent);
    const double t1 = phase ? thread_cpu_seconds() : 0.0;
    loss.backward();
    const double t2 = phase ? thread_cpu_seconds() : 0.0;
    adam->step();
    if (phase) {
      const double t3 = thread_cpu_seconds();
      phase[0] += t1 - t0;
      phase[1] += t2 - t1;
      phase[2] += t3 - t2;
    }
  }
};

// One Adam step of the Spheres autoencoder; args: batch, with the topological loss (0/1).
void BM_SpheresTrainStep(benchmark::State& state) {
  torch::set_num_threads(1);
  const Setup s(state.range(0));
  const bool with_topo = state.range(1) != 0;
  SpheresModel model;
  for (auto _ : state) model.step(s.x, with_topo);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SpheresTrainStep)->ArgsProduct({{28, 64, 128, 256}, {0, 1}})->Unit(benchmark::kMicrosecond);

// The share asked for, robust on a loaded machine: each iteration runs one plain step and one step
// with the topological loss (identical models), alternating, and times both by the CPU clock of
// this thread (torch and the loss both run on this thread here). Counters: mean CPU time of each
// step and topo_share = (with − without) / without. Arg: batch.
void BM_TopoShareOfStep(benchmark::State& state) {
  torch::set_num_threads(1);
  const Setup s(state.range(0));
  SpheresModel plain, topo;
  double p_plain[3] = {0, 0, 0}, p_topo[3] = {0, 0, 0};
  double wall_plain = 0, wall_topo = 0;  // wall clock too: BLAS may run part of a step on its own threads
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    plain.step(s.x, false, p_plain);
    const auto t1 = std::chrono::steady_clock::now();
    topo.step(s.x, true, p_topo);
    const auto t2 = std::chrono::steady_clock::now();
    wall_plain += std::chrono::duration<double>(t1 - t0).count();
    wall_topo += std::chrono::duration<double>(t2 - t1).count();
  }
  const auto n = static_cast<double>(state.iterations());
  const double t_plain = p_plain[0] + p_plain[1] + p_plain[2], t_topo = p_topo[0] + p_topo[1] + p_topo[2];
  state.counters["plain_us"] = 1e6 * t_plain / n;
  state.counters["topo_us"] = 1e6 * t_topo / n;
  state.counters["topo_share"] = (t_topo - t_plain) / t_plain;
  state.counters["wall_share"] = (wall_topo - wall_plain) / wall_plain;
  // Where the difference goes: forward (incl. the loss's pairing), backward, Adam.
  state.counters["d_fwd_us"] = 1e6 * (p_topo[0] - p_plain[0]) / n;
  state.counters["d_bwd_us"] = 1e6 * (p_topo[1] - p_plain[1]) / n;
  state.counters["d_adam_us"] = 1e6 * (p_topo[2] - p_plain[2]) / n;
}
BENCHMARK(BM_TopoShareOfStep)->Arg(28)->Arg(64)->Arg(128)->Arg(256)->Unit(benchmark::kMicrosecond);

}  // namespace

// Forward + backward of diff::chart_weighted_mmd on an atlas batch of T³'s shape: k = c³ charts
// with centres on the c × c × c grid of the unit cube, B = 5k points uniform in it, distance
// memberships q_j(x) ∝ exp(−‖x − c_j‖² / T) at train's default T = 0.08 s² (s² the mean squared
// distance to the nearest centre), chart coordinates [B, k, 3] uniform, m = B prior samples.
// Args: c (cells per side), floor × 1e6 (0: exact).
void BM_ChartWeightedMmd(benchmark::State& state) {
  torch::set_num_threads(1);
  const int64_t side = state.range(0), charts = side * side * side, batch = 5 * charts;
  const double floor = static_cast<double>(state.range(1)) * 1e-6;
  torch::manual_seed(0);
  const auto grid = (torch::arange(side, torch::kFloat) + 0.5) / static_cast<double>(side);
  const auto centres = torch::stack(torch::meshgrid({grid, grid, grid}, "ij"), -1).reshape({charts, 3});
  const auto x = torch::rand({batch, 3});
  const auto sq = (x.unsqueeze(1) - centres.unsqueeze(0)).pow(2).sum(2);  // [B, k]
  const double s2 = std::get<0>(sq.min(1)).mean().item<double>();
  const auto logits = (-sq / (0.08 * s2)).requires_grad_(true);
  const auto phi = torch::rand({batch, charts, 3}).requires_grad_(true);
  const auto prior = torch::rand({batch, 3});
  for (auto _ : state) {
    auto value = topoembed::diff::chart_weighted_mmd(phi, torch::softmax(logits, 1), prior, std::nullopt, floor);
    value.backward();
    benchmark::DoNotOptimize(phi.grad().data_ptr());
  }
  const auto kept = (torch::softmax(logits, 1) >= std::max(floor, 1e-300)).sum(0);
  state.counters["kept_per_chart_max"] = kept.max().item<double>();
  state.counters["kept_per_chart_mean"] = kept.to(torch::kDouble).mean().item<double>();
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_ChartWeightedMmd)
    ->ArgsProduct({{4, 5}, {0, 100}})
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
