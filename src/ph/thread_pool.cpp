// ThreadPool: workers sleep on a condition variable between calls of run(); a call bumps a
// generation counter under the mutex and wakes them. After a call a worker first spins for up to
// 50 microseconds on the counter, because a caller that computes batch after batch calls again
// within microseconds and a futex wake-up costs more than the short spin.
#include "topoembed/ph/thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace topoembed::ph {

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// How long a worker (or the caller waiting for the workers) spins before it sleeps: long enough to
// catch the next call of a tight caller loop, short enough not to take much from other processes
// on a loaded machine. Bounded by time, not by a count of pause instructions, whose length varies
// by CPU (the 4000 pauses used before took about 125 microseconds here).
constexpr std::chrono::microseconds kSpinTime{50};

// Spins until done() or kSpinTime has passed (the clock is read every 64 pauses).
template <class Done>
void spin_until(Done&& done) {
  const auto end = std::chrono::steady_clock::now() + kSpinTime;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= end) return;
  }
}

}  // namespace

struct ThreadPool::State {
  std::mutex mutex;  // guards the fields below except `generation`'s lock-free reads
  std::condition_variable wake, done;
  std::atomic<std::uint64_t> generation{0};
  const std::function<void(int)>* task = nullptr;
  int active = 0;   // workers taking part in the current generation
  std::atomic<int> pending{0};  // calls of the current generation on pool threads not finished yet
  bool stop = false;
  std::exception_ptr error;

  std::mutex run_mutex;  // one run() at a time
  std::atomic<std::thread::id> runner{};  // the thread inside run(), to refuse a nested call
  std::vector<std::thread> threads;

  void worker_loop(int worker) {
    std::uint64_t seen = 0;
    for (;;) {
      spin_until([&] { return generation.load(std::memory_order_acquire) != seen; });
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return stop || generation.load(std::memory_order_relaxed) != seen; });
      if (stop) return;
      seen = generation.load(std::memory_order_relaxed);
      if (worker >= active) continue;
      const std::function<void(int)>* current = task;
      lock.unlock();
      std::exception_ptr failure;
      try {
        (*current)(worker);
      } catch (...) {
        failure = std::current_exception();
      }
      if (failure) {
        lock.lock();
        if (!error) error = failure;
        lock.unlock();
      }
      // The caller may be asleep on `done`: take the mutex before notifying so that the wake-up
      // cannot fall between its check of `pending` and its wait.
      if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        lock.lock();
        done.notify_one();
      }
    }
  }

  bool is_pool_thread(std::thread::id id) const {
    for (const auto& t : threads)
      if (t.get_id() == id) return true;
    return false;
  }
};

ThreadPool::ThreadPool(int threads) : state_(std::make_unique<State>()) {
  if (threads < 1) throw std::invalid_argument("ThreadPool: threads must be >= 1, got " + std::to_string(threads));
  state_->threads.reserve(static_cast<std::size_t>(threads - 1));
  try {
    for (int w = 1; w < threads; ++w) state_->threads.emplace_back([s = state_.get(), w] { s->worker_loop(w); });
  } catch (...) {
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      state_->stop = true;
    }
    state_->wake.notify_all();
    for (auto& t : state_->threads) t.join();
    throw;
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stop = true;
    state_->generation.fetch_add(1, std::memory_order_release);
  }
  state_->wake.notify_all();
  for (auto& t : state_->threads) t.join();
}

int ThreadPool::size() const noexcept { return static_cast<int>(state_->threads.size()) + 1; }

void ThreadPool::run(int workers, const std::function<void(int)>& task) {
  if (workers < 1) throw std::invalid_argument("ThreadPool::run: workers must be >= 1, got " + std::to_string(workers));
  const std::thread::id self = std::this_thread::get_id();
  if (state_->runner.load() == self || state_->is_pool_thread(self))
    throw std::logic_error("ThreadPool::run: called from inside a task of the same pool (it would wait for itself)");
  std::lock_guard<std::mutex> serial(state_->run_mutex);
  state_->runner.store(self);
  struct ClearRunner {
    State* s;
    ~ClearRunner() { s->runner.store(std::thread::id{}); }
  } clear_runner{state_.get()};

  const int k = std::min(workers, size());
  if (k == 1) {
    task(0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->task = &task;
    state_->active = k;
    state_->pending.store(k - 1, std::memory_order_relaxed);
    state_->error = nullptr;
    state_->generation.fetch_add(1, std::memory_order_release);
  }
  state_->wake.notify_all();
  std::exception_ptr failure;
  try {
    task(0);
  } catch (...) {
    failure = std::current_exception();
  }
  spin_until([&] { return state_->pending.load(std::memory_order_acquire) == 0; });
  std::unique_lock<std::mutex> lock(state_->mutex);
  state_->done.wait(lock, [&] { return state_->pending.load(std::memory_order_acquire) == 0; });
  state_->task = nullptr;
  if (!failure) failure = state_->error;
  state_->error = nullptr;
  lock.unlock();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace topoembed::ph
