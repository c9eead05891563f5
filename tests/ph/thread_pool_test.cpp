// ThreadPool: every worker runs once per call, errors come back to the caller, misuse is refused,
// and the batch API on a pool gives the one-by-one results.
#include "topoembed/ph/thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../support/expect_error.hpp"
#include "test_support.hpp"
#include "topoembed/ph/rips_persistence.hpp"

namespace topoembed::ph {
namespace {

using test_support::throws_containing;

TEST(ThreadPool, EveryWorkerRunsOncePerCallOverManyCalls) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.size(), 3);
  const std::thread::id caller = std::this_thread::get_id();
  for (int call = 0; call < 200; ++call) {
    std::vector<std::atomic<int>> runs(3);
    std::vector<std::thread::id> ids(3);
    pool.run(3, [&](int w) {
      runs[w].fetch_add(1);
      ids[w] = std::this_thread::get_id();
    });
    for (int w = 0; w < 3; ++w) ASSERT_EQ(runs[w].load(), 1) << "call " << call << " worker " << w;
    ASSERT_EQ(ids[0], caller);  // worker 0 is the calling thread
    ASSERT_EQ(std::set<std::thread::id>(ids.begin(), ids.end()).size(), 3u);
  }
}

TEST(ThreadPool, FewerWorkersThanThePoolAndMoreAreClamped) {
  ThreadPool pool(2);
  std::atomic<int> calls{0}, max_worker{-1};
  pool.run(1, [&](int w) { calls++; max_worker = std::max(max_worker.load(), w); });
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(max_worker.load(), 0);
  calls = 0;
  pool.run(5, [&](int) { calls++; });
  EXPECT_EQ(calls.load(), 2);
  ThreadPool single(1);
  calls = 0;
  single.run(4, [&](int w) { EXPECT_EQ(w, 0); calls++; });
  EXPECT_EQ(calls.load(), 1);
}

TEST(ThreadPool, RethrowsAnExceptionFromAWorkerAndStaysUsable) {
  ThreadPool pool(2);
  for (int thrower : {0, 1}) {
    try {
      pool.run(2, [&](int w) {
        if (w == thrower) throw std::runtime_error("worker " + std::to_string(w) + " failed");
      });
      ADD_FAILURE() << "no exception from worker " << thrower;
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), "worker " + std::to_string(thrower) + " failed");
    }
  }
  std::atomic<int> calls{0};
  pool.run(2, [&](int) { calls++; });
  EXPECT_EQ(calls.load(), 2);
}

TEST(ThreadPool, RefusesBadArgumentsAndNestedCalls) {
  EXPECT_TRUE(throws_containing<std::invalid_argument>([] { ThreadPool bad(0); }, "threads must be >= 1, got 0"));
  ThreadPool pool(2);
  EXPECT_TRUE(
      throws_containing<std::invalid_argument>([&] { pool.run(0, [](int) {}); }, "workers must be >= 1, got 0"));
  std::atomic<int> refused{0};
  pool.run(2, [&](int) {
    try {
      pool.run(1, [](int) {});
    } catch (const std::logic_error& e) {
      if (std::string(e.what()).find("inside a task of the same pool") != std::string::npos) refused++;
    }
  });
  EXPECT_EQ(refused.load(), 2);  // from the calling thread and from the pool thread
}

TEST(ThreadPool, CallsFromTwoThreadsAreServedOneAfterTheOther) {
  ThreadPool pool(2);
  std::atomic<int> inside{0}, overlap{0}, total{0};
  auto caller = [&] {
    for (int i = 0; i < 100; ++i)
      pool.run(2, [&](int) {
        if (inside.fetch_add(1) >= 2) overlap++;
        total++;
        inside.fetch_sub(1);
      });
  };
  std::thread a(caller), b(caller);
  a.join();
  b.join();
  EXPECT_EQ(total.load(), 400);
  EXPECT_EQ(overlap.load(), 0);
}

TEST(ThreadPool, BatchOnAPoolEqualsOneByOne) {
  std::vector<CompressedDistanceMatrix<double>> dms;
  for (unsigned s = 0; s < 9; ++s) dms.push_back(distance_matrix(testing::random_cloud<double>(30 + 3 * s, 3, s), Metric::kEuclidean));
  ThreadPool pool(2);
  for (int max_dim : {0, 1}) {
    const auto opts = RipsOptions().with_max_dim(max_dim);
    for (int repeat = 0; repeat < 3; ++repeat) {  // the same pool, reused
      const auto batch = rips_persistence_batch(dms, opts, pool);
      ASSERT_EQ(batch.size(), dms.size());
      for (std::size_t k = 0; k < dms.size(); ++k) {
        const auto one = rips_persistence(dms[k], opts);
        ASSERT_EQ(batch[k].pairs.size(), one.pairs.size());
        EXPECT_EQ(batch[k].threshold, one.threshold);
        for (std::size_t i = 0; i < one.pairs.size(); ++i) {
          EXPECT_EQ(batch[k].pairs[i].death, one.pairs[i].death);
          EXPECT_EQ(batch[k].pairs[i].birth_edge, one.pairs[i].birth_edge);
          EXPECT_EQ(batch[k].pairs[i].death_edge, one.pairs[i].death_edge);
        }
      }
    }
  }
  EXPECT_TRUE(rips_persistence_batch(std::vector<CompressedDistanceMatrix<double>>{}, RipsOptions(), pool).empty());
  // A bad matrix in the batch is reported before any work starts, with the usual message.
  const auto bad = RipsOptions().with_max_dim(1).with_modulus(4);
  EXPECT_TRUE(throws_containing<std::invalid_argument>([&] { rips_persistence_batch(dms, bad, pool); },
                                                       "modulus must be a prime"));
}

}  // namespace
}  // namespace topoembed::ph
