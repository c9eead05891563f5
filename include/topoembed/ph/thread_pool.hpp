#pragma once
// A caller-owned pool of worker threads for the persistence core. Starting a std::thread costs
// tens of microseconds; a minibatch of small clouds (the TopoAE and COREL losses, every training
// step) takes about a millisecond per thread, so a caller that computes many batches creates one
// pool and passes it to every call instead of paying thread start-up each time. The core keeps no
// pool of its own (no globals).

#include <functional>
#include <memory>

namespace topoembed::ph {

class ThreadPool {
 public:
  // A pool of `threads` workers in total: the thread that calls run() is worker 0, so threads - 1
  // std::threads are started here. Throws std::invalid_argument unless threads >= 1.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Number of workers, the calling thread included.
  int size() const noexcept;

  // Calls task(worker) once for every worker in 0 .. min(workers, size()) - 1, worker 0 on the
  // calling thread, and returns when all calls have returned. The first exception thrown by a
  // call is rethrown here (the other calls still run to their end). Calls of run() from several
  // threads are served one after the other; a call from inside a task of the same pool would
  // wait for itself and throws std::logic_error instead. Throws std::invalid_argument unless
  // workers >= 1.
  void run(int workers, const std::function<void(int worker)>& task);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace topoembed::ph
