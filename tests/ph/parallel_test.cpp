// The fork-join helpers of the core (src/ph/detail/parallel.hpp) when the system refuses to start
// a thread: parallel_chunks still does every chunk, run_workers releases and joins the workers
// already running and reports the failure instead of calling std::terminate. Thread starts fail
// through the helpers' starter parameter (fault injection).
#include "../../src/ph/detail/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

namespace topoembed::ph::detail {
namespace {

// Starts threads like std::thread, except that the start of worker `fail_at` throws what
// std::thread throws when no thread can be created.
struct FailingStarter {
  int fail_at;
  std::atomic<int>* started;
  template <class F>
  std::thread operator()(F& f, int worker) const {
    if (worker == fail_at) throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
    started->fetch_add(1);
    return std::thread(std::ref(f), worker);
  }
};

TEST(ParallelChunks, DoesEveryChunkOnceWhenAThreadCannotStart) {
  for (int fail_at : {1, 2, 3}) {
    std::atomic<int> started{0};
    std::vector<std::atomic<int>> done(1000);
    parallel_chunks(
        4, 1000, 7,
        [&](std::int64_t b, std::int64_t e, int worker) {
          EXPECT_LT(worker, fail_at);  // only workers that started (and the caller, worker 0)
          for (std::int64_t k = b; k < e; ++k) done[k].fetch_add(1);
        },
        FailingStarter{fail_at, &started});
    EXPECT_EQ(started.load(), fail_at - 1);
    for (std::size_t k = 0; k < done.size(); ++k) ASSERT_EQ(done[k].load(), 1) << "index " << k << ", fail at " << fail_at;
  }
}

TEST(RunWorkers, ReleasesAndJoinsStartedWorkersWhenAThreadCannotStart) {
  // Workers 1 and 2 start and wait at the barrier for worker 3, which never starts: the abort
  // callback must release them, run_workers must join them and return false without running
  // worker 0.
  SpinBarrier barrier(4);
  std::atomic<int> started{0}, released{0}, ran0{0};
  const bool ok = run_workers(
      4,
      [&](int worker) {
        if (worker == 0) ran0.fetch_add(1);
        if (!barrier.wait()) released.fetch_add(1);
      },
      [&] { barrier.abort(); }, FailingStarter{3, &started});
  EXPECT_FALSE(ok);
  EXPECT_EQ(started.load(), 2);
  EXPECT_EQ(released.load(), 2);
  EXPECT_EQ(ran0.load(), 0);
}

TEST(RunWorkers, RunsEveryWorkerTogetherAndRethrowsAWorkersError) {
  SpinBarrier barrier(3);
  std::atomic<int> met{0};
  EXPECT_TRUE(run_workers(3, [&](int) { if (barrier.wait()) met.fetch_add(1); }, [&] { barrier.abort(); }));
  EXPECT_EQ(met.load(), 3);
  SpinBarrier barrier2(3);
  EXPECT_THROW(run_workers(
                   3,
                   [&](int worker) {
                     if (worker == 2) {
                       barrier2.abort();
                       throw std::runtime_error("worker 2 failed");
                     }
                     barrier2.wait();
                   },
                   [&] { barrier2.abort(); }),
               std::runtime_error);
}

}  // namespace
}  // namespace topoembed::ph::detail
