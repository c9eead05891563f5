#pragma once
// Minimal fork-join helpers: either one std::thread per worker started for the call (no pool is
// kept between calls: no globals), or the workers of a caller-owned ThreadPool.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "topoembed/ph/thread_pool.hpp"

namespace topoembed::ph::detail {

// Calls fn(begin, end, worker) on chunks of [0, n), handed out dynamically to `threads` workers.
// The first exception thrown by a worker is rethrown in the caller.
template <class Fn>
void parallel_chunks(int threads, std::int64_t n, std::int64_t chunk, Fn&& fn) {
  if (n <= 0) return;
  chunk = std::max<std::int64_t>(chunk, 1);
  threads = static_cast<int>(std::min<std::int64_t>(std::max(threads, 1), (n + chunk - 1) / chunk));
  if (threads <= 1) {
    fn(std::int64_t(0), n, 0);
    return;
  }
  std::atomic<std::int64_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](int worker) {
    try {
      for (;;) {
        const std::int64_t begin = next.fetch_add(chunk);
        if (begin >= n) break;
        fn(begin, std::min(n, begin + chunk), worker);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      next.store(n);
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

// The same on the workers of `pool`. Chunks are handed out by an atomic counter, so a slow cloud
// on one worker does not hold up the others.
template <class Fn>
void parallel_chunks(ThreadPool& pool, std::int64_t n, std::int64_t chunk, Fn&& fn) {
  if (n <= 0) return;
  chunk = std::max<std::int64_t>(chunk, 1);
  const int workers = static_cast<int>(std::min<std::int64_t>(pool.size(), (n + chunk - 1) / chunk));
  if (workers <= 1) {
    fn(std::int64_t(0), n, 0);
    return;
  }
  std::atomic<std::int64_t> next{0};
  pool.run(workers, [&](int worker) {
    try {
      for (;;) {
        const std::int64_t begin = next.fetch_add(chunk);
        if (begin >= n) break;
        fn(begin, std::min(n, begin + chunk), worker);
      }
    } catch (...) {
      next.store(n);  // the others stop at their next chunk; the pool rethrows the first error
      throw;
    }
  });
}

}  // namespace topoembed::ph::detail
