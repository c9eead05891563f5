// set_compute_threads: LibTorch's and OpenBLAS's thread counts as set (read back through their own
// getters), OPENBLAS_NUM_THREADS respected, bad counts rejected.
#include "topoembed/diff/compute_threads.hpp"

#include <gtest/gtest.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "test_support.hpp"

namespace topoembed::diff {
namespace {

using testing::throws_with;

// Sets or unsets OPENBLAS_NUM_THREADS for one test and puts back what was there, together with
// both thread counts (the other tests of the binary run after this one).
class ThreadEnvironment {
 public:
  explicit ThreadEnvironment(const std::optional<std::string>& openblas_num_threads)
      : torch_threads_(at::get_num_threads()), blas_threads_(blas_num_threads()) {
    if (const char* v = std::getenv(kName)) saved_ = v;
    if (openblas_num_threads) {
      setenv(kName, openblas_num_threads->c_str(), 1);
    } else {
      unsetenv(kName);
    }
  }
  ~ThreadEnvironment() {
    unsetenv(kName);  // so that the BLAS count below is really put back
    set_compute_threads(ThreadSplit{torch_threads_, blas_threads_ > 0 ? blas_threads_ : 1});
    if (saved_) setenv(kName, saved_->c_str(), 1);
  }
  ThreadEnvironment(const ThreadEnvironment&) = delete;
  ThreadEnvironment& operator=(const ThreadEnvironment&) = delete;

 private:
  static constexpr const char* kName = "OPENBLAS_NUM_THREADS";
  int torch_threads_;
  int blas_threads_;
  std::optional<std::string> saved_;
};

TEST(ComputeThreads, DefaultSplitKeepsTheBudget) {
  for (int n : {1, 2, 3, 8}) {
    const auto s = default_thread_split(n);
    EXPECT_GE(s.torch_threads, 1) << n;
    EXPECT_GE(s.blas_threads, 1) << n;
    // Never more busy threads than the budget when the two pools take turns (matrix products run
    // on the calling thread plus the BLAS's workers, element-wise ops on LibTorch's).
    EXPECT_LE(s.torch_threads, n) << n;
    EXPECT_LE(s.blas_threads, n) << n;
  }
  const auto one = default_thread_split(1);
  EXPECT_EQ(one.torch_threads, 1);
  EXPECT_EQ(one.blas_threads, 1);
}

TEST(ComputeThreads, SetsTorchAndBlasCounts) {
  ThreadEnvironment env(std::nullopt);
  for (const ThreadSplit split : {ThreadSplit{1, 2}, ThreadSplit{2, 1}, ThreadSplit{1, 1}}) {
    const auto r = set_compute_threads(split);
    EXPECT_EQ(r.torch_threads, split.torch_threads);
    EXPECT_EQ(at::get_num_threads(), split.torch_threads);
    EXPECT_FALSE(r.blas_from_environment);
    if (!r.blas_controllable) GTEST_SKIP() << "the loaded BLAS is not OpenBLAS: no BLAS thread count to check";
    EXPECT_EQ(r.blas_threads, split.blas_threads);
    EXPECT_EQ(blas_num_threads(), split.blas_threads);  // OpenBLAS's own getter agrees
    // A product large enough for OpenBLAS to use its workers is still right.
    const auto a = torch::arange(0, 256 * 256, torch::kFloat64).reshape({256, 256}).remainder(7) - 3;
    const auto b = torch::eye(256, torch::kFloat64) * 2;
    EXPECT_TRUE(torch::equal(torch::mm(a, b), a * 2));
  }
}

TEST(ComputeThreads, BudgetUsesTheDefaultSplit) {
  ThreadEnvironment env(std::nullopt);
  for (int n : {1, 2}) {
    const auto r = set_compute_threads(n);
    const auto s = default_thread_split(n);
    EXPECT_EQ(r.torch_threads, s.torch_threads) << n;
    if (r.blas_controllable) {
      EXPECT_EQ(r.blas_threads, s.blas_threads) << n;
      EXPECT_EQ(blas_num_threads(), s.blas_threads) << n;
    }
  }
}

TEST(ComputeThreads, BudgetGoesToTorchWhenTheUserSetsOpenblasNumThreads) {
  ThreadEnvironment env(std::string("1"));
  for (int n : {1, 2}) {
    const auto r = set_compute_threads(n);
    EXPECT_TRUE(r.blas_from_environment);
    EXPECT_EQ(r.torch_threads, n);
    EXPECT_EQ(at::get_num_threads(), n);
  }
}

TEST(ComputeThreads, LeavesAnExplicitOpenblasNumThreadsAlone) {
  {
    ThreadEnvironment unset(std::nullopt);
    const auto before = set_compute_threads(ThreadSplit{1, 1});
    if (!before.blas_controllable) GTEST_SKIP() << "the loaded BLAS is not OpenBLAS";
    ThreadEnvironment env(std::string("1"));
    const auto r = set_compute_threads(ThreadSplit{2, 2});
    EXPECT_TRUE(r.blas_from_environment);
    EXPECT_EQ(r.torch_threads, 2);  // LibTorch's count is still set
    EXPECT_EQ(r.blas_threads, 1);   // the BLAS count is not
    EXPECT_EQ(blas_num_threads(), 1);
  }
  // Values OpenBLAS takes as unset (it reads atoi > 0; else one thread per core) are no choice:
  // the split is applied, and the budget is not given to LibTorch as well.
  for (const char* unset_value : {"", "0", "-3", "auto"}) {
    SCOPED_TRACE(std::string("OPENBLAS_NUM_THREADS='") + unset_value + "'");
    ThreadEnvironment env{std::string(unset_value)};
    const auto r = set_compute_threads(ThreadSplit{1, 2});
    EXPECT_FALSE(r.blas_from_environment);
    EXPECT_EQ(r.blas_threads, 2);
    const auto budget = set_compute_threads(2);
    EXPECT_FALSE(budget.blas_from_environment);
    EXPECT_EQ(budget.torch_threads, default_thread_split(2).torch_threads);
    EXPECT_EQ(budget.blas_threads, default_thread_split(2).blas_threads);
  }
}

TEST(ComputeThreads, RejectsCountsBelowOne) {
  EXPECT_TRUE(throws_with([] { default_thread_split(0); }, "default_thread_split: threads must be >= 1, got 0"));
  EXPECT_TRUE(throws_with([] { set_compute_threads(-1); }, "threads must be >= 1, got -1"));
  EXPECT_TRUE(
      throws_with([] { set_compute_threads(ThreadSplit{0, 1}); }, "set_compute_threads: torch_threads must be >= 1, got 0"));
  EXPECT_TRUE(
      throws_with([] { set_compute_threads(ThreadSplit{1, 0}); }, "set_compute_threads: blas_threads must be >= 1, got 0"));
}

}  // namespace
}  // namespace topoembed::diff
