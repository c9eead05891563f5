#pragma once
// When a heavy column (one whose working coboundary grew past RipsOptions::heavy_column_entries)
// is reduced by all threads together and when by one. The column is reduced in windows of a few
// dozen steps (a step = one pivot and the addition that cancels it); the decision after each
// window comes from what that window measured, so it holds on any machine and under any load:
//  - a window pushing fewer than `min_step_entries` coboundary entries per step stays on one
//    thread (the threads' meeting at every step would cost more than the pushes they share);
//  - otherwise the next window is shared, and sharing goes on while its throughput (entries
//    pushed per second, all threads together) beats the last one-thread window's by kGain;
//  - a shared window that did not pay sends the column back to one thread, and the next try
//    waits twice as many windows as the last (at most kMaxBackoff), so a column that never gains
//    (short steps, or a busy machine where a partner thread loses its core) loses little.
// min_step_entries = 0 shares every window without measuring (for tests of the shared path).
// Either way the additions are the same, so the result does not depend on these decisions.

#include <algorithm>
#include <cstddef>

namespace topoembed::ph::detail {

class HeavyColumnPolicy {
 public:
  static constexpr std::size_t kWindowSteps = 32;
  static constexpr double kGain = 1.15;
  static constexpr std::size_t kMaxBackoff = 64;

  explicit HeavyColumnPolicy(std::size_t min_step_entries) : min_step_entries_(min_step_entries) {}

  // After a window on one thread: whether the next window is shared.
  bool share_next(std::size_t steps, std::size_t pushed, double seconds) {
    if (seconds > 0) one_thread_rate_ = static_cast<double>(pushed) / seconds;
    if (min_step_entries_ == 0) return true;
    if (steps == 0 || pushed / steps < min_step_entries_) return false;
    if (++waited_ < backoff_) return false;
    waited_ = 0;
    return true;
  }

  // After a shared window: whether sharing goes on.
  bool keep_sharing(std::size_t steps, std::size_t pushed, double seconds) {
    if (min_step_entries_ == 0) return true;
    const bool heavy_steps = steps > 0 && pushed / steps >= min_step_entries_;
    const bool faster = seconds > 0 && static_cast<double>(pushed) / seconds >= kGain * one_thread_rate_;
    if (heavy_steps && faster) {
      backoff_ = 1;
      return true;
    }
    backoff_ = std::min(kMaxBackoff, 2 * backoff_);
    return false;
  }

  std::size_t backoff() const { return backoff_; }

 private:
  std::size_t min_step_entries_;
  double one_thread_rate_ = 0;  // entries pushed per second, last one-thread window
  std::size_t backoff_ = 1;     // one-thread windows before the next shared one
  std::size_t waited_ = 0;      // one-thread windows since the last shared one
};

}  // namespace topoembed::ph::detail
