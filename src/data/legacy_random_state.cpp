// MT19937 (Matsumoto & Nishimura 1998) and NumPy's legacy distributions (randomkit /
// numpy/random/src/legacy/legacy-distributions.c), in the exact order of operations NumPy uses.
#include "topoembed/data/legacy_random_state.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace topoembed::data {

namespace {
constexpr std::uint32_t kMatrixA = 0x9908b0dfU;
constexpr std::uint32_t kUpperMask = 0x80000000U;
constexpr std::uint32_t kLowerMask = 0x7fffffffU;
constexpr int kShift = 397;
}  // namespace

LegacyRandomState::LegacyRandomState(std::uint32_t seed) {
  // init_genrand
  mt_[0] = seed;
  for (int i = 1; i < kStateSize; ++i) {
    mt_[i] = 1812433253U * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + static_cast<std::uint32_t>(i);
  }
  pos_ = kStateSize;
}

void LegacyRandomState::reload() {
  int i = 0;
  for (; i < kStateSize - kShift; ++i) {
    const std::uint32_t y = (mt_[i] & kUpperMask) | (mt_[i + 1] & kLowerMask);
    mt_[i] = mt_[i + kShift] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
  }
  for (; i < kStateSize - 1; ++i) {
    const std::uint32_t y = (mt_[i] & kUpperMask) | (mt_[i + 1] & kLowerMask);
    mt_[i] = mt_[i + (kShift - kStateSize)] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
  }
  const std::uint32_t y = (mt_[kStateSize - 1] & kUpperMask) | (mt_[0] & kLowerMask);
  mt_[kStateSize - 1] = mt_[kShift - 1] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
  pos_ = 0;
}

std::uint32_t LegacyRandomState::next_uint32() {
  if (pos_ == kStateSize) reload();
  std::uint32_t y = mt_[pos_++];
  // Tempering.
  y ^= (y >> 11);
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= (y >> 18);
  return y;
}

double LegacyRandomState::random_sample() {
  const std::uint32_t a = next_uint32() >> 5;
  const std::uint32_t b = next_uint32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

double LegacyRandomState::gauss() {
  if (has_gauss_) {
    has_gauss_ = false;
    const double cached = gauss_;
    gauss_ = 0.0;
    return cached;
  }
  double x1 = 0.0;
  double x2 = 0.0;
  double r2 = 0.0;
  do {
    x1 = 2.0 * random_sample() - 1.0;
    x2 = 2.0 * random_sample() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  // Polar method: f * x1 is kept for the next call, f * x2 returned now (NumPy's order).
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;
  has_gauss_ = true;
  return f * x2;
}

std::uint32_t LegacyRandomState::random_interval(std::uint32_t max) {
  if (max == 0) return 0;
  std::uint32_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  std::uint32_t value = 0;
  while ((value = (next_uint32() & mask)) > max) {
  }
  return value;
}

std::vector<std::int64_t> LegacyRandomState::permutation(std::int64_t n) {
  if (n < 0 || n > static_cast<std::int64_t>(0xffffffffLL)) {
    throw std::invalid_argument("LegacyRandomState::permutation: expected 0 <= n < 2^32, got " +
                                std::to_string(n));
  }
  std::vector<std::int64_t> values(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) values[static_cast<std::size_t>(i)] = i;
  for (std::int64_t i = n - 1; i >= 1; --i) {
    const auto j = random_interval(static_cast<std::uint32_t>(i));
    std::swap(values[static_cast<std::size_t>(i)], values[j]);
  }
  return values;
}

}  // namespace topoembed::data
