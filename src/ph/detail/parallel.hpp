#pragma once
// Minimal fork-join helpers: either one std::thread per worker started for the call (no pool is
// kept between calls: no globals), or the workers of a caller-owned ThreadPool.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "topoembed/ph/thread_pool.hpp"

namespace topoembed::ph::detail {

// One worker's loop of parallel_chunks: claims chunks [begin, begin + chunk) from `next` until
// none is left.
template <class Fn>
void run_chunks(std::atomic<std::int64_t>& next, std::int64_t n, std::int64_t chunk, Fn& fn, int worker) {
  for (;;) {
    const std::int64_t begin = next.fetch_add(chunk);
    if (begin >= n) break;
    fn(begin, std::min(n, begin + chunk), worker);
  }
}

// Starts a std::thread running f(worker). The thread-starting seam of parallel_chunks and
// run_workers: tests pass a starter that fails, as std::thread does when the system refuses.
struct StartStdThread {
  template <class F>
  std::thread operator()(F& f, int worker) const {
    return std::thread(std::ref(f), worker);
  }
};

// Calls fn(begin, end, worker) on chunks of [0, n), handed out dynamically to `threads` workers.
// The first exception thrown by a worker is rethrown in the caller. When a thread cannot be
// started, the workers already running and the caller share the chunks (nothing is lost: chunks
// are claimed, not assigned).
template <class Fn, class StartThread = StartStdThread>
void parallel_chunks(int threads, std::int64_t n, std::int64_t chunk, Fn&& fn, StartThread&& start = StartThread{}) {
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
      run_chunks(next, n, chunk, fn, worker);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      next.store(n);
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  try {
    for (int t = 1; t < threads; ++t) pool.push_back(start(work, t));
  } catch (...) {
    // Fewer workers than asked for: the ones running and the caller claim every chunk.
  }
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
      run_chunks(next, n, chunk, fn, worker);
    } catch (...) {
      next.store(n);  // the others stop at their next chunk; the pool rethrows the first error
      throw;
    }
  });
}

// Calls fn(worker) for worker = 0 .. threads - 1, each on its own thread (worker 0 on the caller),
// all at the same time: for workers that wait for each other at a SpinBarrier. The first exception
// thrown by a worker is rethrown in the caller. When a thread cannot be started, returns false
// without calling fn(0): abort() is called (it must release the workers already running, e.g. by
// aborting their barrier) and they are joined, so the caller can do the work another way.
template <class Fn, class Abort, class StartThread = StartStdThread>
bool run_workers(int threads, Fn&& fn, Abort&& abort, StartThread&& start = StartThread{}) {
  if (threads <= 1) {
    fn(0);
    return true;
  }
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](int worker) {
    try {
      fn(worker);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  bool started = true;
  try {
    for (int t = 1; t < threads; ++t) pool.push_back(start(work, t));
  } catch (...) {
    started = false;
    abort();
  }
  if (started) work(0);
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
  return started;
}

// A barrier for a few threads that meet thousands of times per second: waiting spins (then
// yields, so a descheduled partner on a busy machine gets its core back). abort() releases every
// waiter for good; wait() then returns false, so a worker that failed does not leave the others
// waiting forever.
class SpinBarrier {
 public:
  explicit SpinBarrier(int parties) : parties_(parties) {}
  bool wait() {
    const std::uint32_t round = round_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == parties_) {
      arrived_.store(0, std::memory_order_relaxed);
      round_.fetch_add(1, std::memory_order_release);
    } else {
      for (int spins = 0; round_.load(std::memory_order_acquire) == round; ++spins) {
        if (aborted_.load(std::memory_order_relaxed)) return false;
        if (spins < 4096) {
#if defined(__x86_64__) || defined(__i386__)
          __builtin_ia32_pause();
#endif
        } else {
          std::this_thread::yield();
        }
      }
    }
    return !aborted_.load(std::memory_order_relaxed);
  }
  void abort() { aborted_.store(true, std::memory_order_relaxed); }

 private:
  const int parties_;
  std::atomic<int> arrived_{0};
  std::atomic<std::uint32_t> round_{0};
  std::atomic<bool> aborted_{false};
};

}  // namespace topoembed::ph::detail
