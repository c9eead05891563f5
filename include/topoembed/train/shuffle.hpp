#pragma once
// The training's own shuffling generator: MT19937-64 and a Fisher–Yates shuffle with an explicit
// unbiased bounded draw, so orders are the same with every standard library (std::shuffle and
// std::uniform_int_distribution are implementation-defined). Its state round-trips as text.

#include <cstdint>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace topoembed::train {

using ShuffleRng = std::mt19937_64;

// Uniform in [0, bound) by rejection of the biased top range (bound >= 1).
inline std::uint64_t bounded_draw(ShuffleRng& rng, std::uint64_t bound) {
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % bound);
  std::uint64_t r = rng();
  while (r >= limit) r = rng();
  return r % bound;
}

// Fisher–Yates from the end.
template <class T>
void shuffle(std::vector<T>& values, ShuffleRng& rng) {
  for (std::size_t i = values.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(bounded_draw(rng, i));
    std::swap(values[i - 1], values[j]);
  }
}

inline std::string rng_state(const ShuffleRng& rng) {
  std::ostringstream out;
  out << rng;
  return out.str();
}

// Throws std::runtime_error if the text is not a generator state.
inline ShuffleRng rng_from_state(const std::string& state) {
  ShuffleRng rng;
  std::istringstream in(state);
  in >> rng;
  if (in.fail()) throw std::runtime_error("shuffling generator state is corrupt");
  return rng;
}

}  // namespace topoembed::train
