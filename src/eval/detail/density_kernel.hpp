#pragma once
// Row sums of exp(-t / sigma) for several sigma in one pass over a distance row, in chunks
// that stay in L1 and loops the compiler vectorises (no libm call per entry).
//
// One exponential per entry for the largest sigma; when sigma_prev / sigma is an integer m,
// exp(-t / sigma) = exp(-t / sigma_prev)^m (relative error ~ m * 1e-16 per step). Values below
// 1e-150 are flushed to 0 before they are raised to a power, which avoids subnormals; next to
// the self term exp(0) = 1 they do not change a sum.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace topoembed::eval::detail {

inline constexpr std::int64_t kKernelChunk = 256;
inline constexpr double kFlushBelow = 1e-150;

inline double flushed(double v) { return v >= kFlushBelow ? v : 0.0; }

// out[l] = exp(-(t[l] * c)) for t[l] * c >= 0, flushed below 1e-150; len <= kKernelChunk.
// Cody-Waite reduction x = k ln2 + r, |r| <= ln2 / 2, then the degree-13 Taylor polynomial of
// exp(r) (truncation < 5e-18 relative) and 2^k from the exponent bits: within 2 ulp of exp.
inline void exp_neg_scaled(const double* t, double c, double* out, std::int64_t len) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 32 significant bits: k * kLn2Hi exact
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kShifter = 6755399441055744.0;         // 1.5 * 2^52: rounds to an integer
  constexpr double kMinArg = -700.0;                      // exp(-700) ~ 1e-304 < the flush
  alignas(64) double kd[kKernelChunk];
  alignas(64) std::uint64_t bits[kKernelChunk];
  for (std::int64_t l = 0; l < len; ++l) {
    double x = -(t[l] * c);
    x = x < kMinArg ? kMinArg : x;
    out[l] = x;
    kd[l] = x * kLog2e + kShifter;
  }
  std::memcpy(bits, kd, static_cast<std::size_t>(len) * sizeof(double));
  std::uint64_t shifter_bits = 0;
  std::memcpy(&shifter_bits, &kShifter, sizeof(double));
  // The low bits of kShifter + k hold k: 2^k = (k + 1023) << 52, k in [-1010, 0].
  for (std::int64_t l = 0; l < len; ++l) bits[l] = (bits[l] - shifter_bits + 1023u) << 52;
  for (std::int64_t l = 0; l < len; ++l) {
    const double k = kd[l] - kShifter;
    const double r = (out[l] - k * kLn2Hi) - k * kLn2Lo;
    double p = 1.0 / 6227020800.0;  // 1/13!
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    out[l] = p;
  }
  std::memcpy(kd, bits, static_cast<std::size_t>(len) * sizeof(double));
  for (std::int64_t l = 0; l < len; ++l) out[l] = flushed(out[l] * kd[l]);
}

// Sum in four interleaved lanes (a fixed order, so vectorised and deterministic).
inline double lane_sum(const double* v, std::int64_t len) {
  double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
  std::int64_t l = 0;
  for (; l + 4 <= len; l += 4) {
    a0 += v[l];
    a1 += v[l + 1];
    a2 += v[l + 2];
    a3 += v[l + 3];
  }
  for (; l < len; ++l) a0 += v[l];
  return (a0 + a1) + (a2 + a3);
}

class DensityKernel {
 public:
  explicit DensityKernel(const std::vector<double>& sigmas) {
    std::vector<std::size_t> order(sigmas.size());
    for (std::size_t s = 0; s < order.size(); ++s) order[s] = s;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return sigmas[a] > sigmas[b]; });
    for (std::size_t r = 0; r < order.size(); ++r) {
      sigmas_desc_.push_back(sigmas[order[r]]);
      out_slot_.push_back(order[r]);
      std::int64_t pw = 0;
      if (r > 0) {
        const double ratio = sigmas_desc_[r - 1] / sigmas_desc_[r];
        const double rounded = std::round(ratio);
        if (rounded >= 1.0 && rounded <= 1e6 && std::abs(ratio - rounded) <= 1e-12 * rounded) {
          pw = static_cast<std::int64_t>(rounded);
        }
      }
      power_.push_back(pw);
    }
  }

  std::size_t size() const { return sigmas_desc_.size(); }

  // sums[s] = sum_l exp(-d2[l] * inv_max2 / sigmas[s]) (the constructor's order of sigmas).
  void row_sums(const double* d2, std::int64_t n, double inv_max2, double* sums) const {
    const std::size_t count = sigmas_desc_.size();
    for (std::size_t r = 0; r < count; ++r) sums[out_slot_[r]] = 0.0;
    alignas(64) double e[kKernelChunk];
    alignas(64) double b[kKernelChunk];
    for (std::int64_t c0 = 0; c0 < n; c0 += kKernelChunk) {
      const std::int64_t len = std::min(kKernelChunk, n - c0);
      const double* t = d2 + c0;
      for (std::size_t r = 0; r < count; ++r) {
        const std::int64_t m = power_[r];
        if (m == 0) {
          exp_neg_scaled(t, inv_max2 / sigmas_desc_[r], e, len);
        } else if (m == 10) {
          // The default ladder (sigma = 10, 1, 0.1, ...): e^10 = e^8 e^2, fused in one pass.
          for (std::int64_t l = 0; l < len; ++l) {
            const double x2 = flushed(e[l] * e[l]);
            const double x4 = flushed(x2 * x2);
            const double x8 = flushed(x4 * x4);
            e[l] = flushed(x8 * x2);
          }
        } else if (m > 1) {
          // e <- e^m by binary powering, all entries at once.
          std::copy(e, e + len, b);
          std::fill(e, e + len, 1.0);
          for (std::int64_t p = m; p > 0; p >>= 1) {
            if (p & 1) {
              for (std::int64_t l = 0; l < len; ++l) e[l] = flushed(e[l] * b[l]);
            }
            if (p > 1) {
              for (std::int64_t l = 0; l < len; ++l) b[l] = flushed(b[l] * b[l]);
            }
          }
        }
        sums[out_slot_[r]] += lane_sum(e, len);
      }
    }
  }

 private:
  std::vector<double> sigmas_desc_;  // descending
  std::vector<std::size_t> out_slot_;
  std::vector<std::int64_t> power_;  // 0: computed with exp_neg_scaled
};

}  // namespace topoembed::eval::detail
