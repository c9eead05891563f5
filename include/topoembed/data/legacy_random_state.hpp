#pragma once
// NumPy's legacy generator (numpy.random.RandomState) re-implemented bit for bit, so that data
// sets made by Python reference code (the Topological Autoencoders' Spheres) come out identical.

#include <array>
#include <cstdint>
#include <vector>

namespace topoembed::data {

// MT19937 with NumPy's legacy derived streams. Holds all its state; copyable; no globals.
// Matches numpy.random.RandomState(seed) for an integer seed in [0, 2^32).
class LegacyRandomState {
 public:
  // np.random.seed(seed) for an int: MT19937 init_genrand(seed).
  explicit LegacyRandomState(std::uint32_t seed);

  // Raw 32-bit MT19937 output (genrand_int32).
  std::uint32_t next_uint32();
  // random_sample(): 53-bit double in [0, 1) from two draws, (a >> 5) * 2^26 + (b >> 6)) / 2^53.
  double random_sample();
  // standard_normal() / randn(): legacy polar Box–Muller `gauss`, caching the second value.
  double gauss();
  // normal(loc, scale) = loc + scale * gauss().
  double normal(double loc, double scale) { return loc + scale * gauss(); }
  // Uniform integer in [0, max] by masked rejection on 32-bit draws (numpy's random_interval,
  // for max < 2^32).
  std::uint32_t random_interval(std::uint32_t max);
  // permutation(n): arange(n) shuffled by Fisher–Yates from the end (legacy shuffle).
  std::vector<std::int64_t> permutation(std::int64_t n);

 private:
  static constexpr int kStateSize = 624;
  void reload();

  std::array<std::uint32_t, kStateSize> mt_{};
  int pos_ = kStateSize;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
};

}  // namespace topoembed::data
