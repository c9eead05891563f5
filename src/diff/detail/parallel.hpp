#pragma once
// Runs f(0) .. f(count - 1) on up to `threads` std::threads (0 = hardware concurrency); the first
// exception thrown by any call is rethrown in the caller. The ph core is thread-safe (one engine
// per call), so the clouds of a batch are independent tasks.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

namespace topoembed::diff::detail {

// threads = 0 means automatic: one thread when the whole job is small (starting a std::thread
// costs about as much as Prim on a 128-point minibatch), else the hardware concurrency.
inline int automatic_threads(int requested, std::int64_t total_work) {
  if (requested > 0) return requested;
  constexpr std::int64_t kWorkPerThread = std::int64_t(1) << 17;  // distance-matrix entries
  return total_work < kWorkPerThread ? 1 : 0;
}

template <class F>
void parallel_for_each_index(std::int64_t count, int threads, F&& f) {
  std::int64_t workers = threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
  workers = std::min<std::int64_t>(workers, count);
  if (workers <= 1) {
    for (std::int64_t i = 0; i < count; ++i) f(i);
    return;
  }
  std::atomic<std::int64_t> next{0};
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(workers));
  const auto work = [&](std::size_t w) {
    try {
      for (std::int64_t i = next++; i < count; i = next++) f(i);
    } catch (...) {
      errors[w] = std::current_exception();
      next = count;  // stop the others early
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(workers - 1));
  for (std::int64_t w = 1; w < workers; ++w) pool.emplace_back(work, static_cast<std::size_t>(w));
  work(0);
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace topoembed::diff::detail
