// HeavyColumnPolicy (src/ph/detail/heavy_column_policy.hpp): when a heavy column is shared by the
// threads, from what its windows measured. Hand-made measurements, so every branch is hit.
#include "../../src/ph/detail/heavy_column_policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>

namespace topoembed::ph::detail {
namespace {

constexpr std::size_t kSteps = HeavyColumnPolicy::kWindowSteps;

TEST(HeavyColumnPolicy, ShortStepsStayOnOneThread) {
  HeavyColumnPolicy policy(64);
  EXPECT_FALSE(policy.share_next(kSteps, 63 * kSteps, 1e-3));  // 63 entries a step
  EXPECT_TRUE(policy.share_next(kSteps, 64 * kSteps, 1e-3));
  EXPECT_FALSE(policy.share_next(0, 0, 0.0));                    // nothing measured
}

TEST(HeavyColumnPolicy, SharingGoesOnWhileItIsFasterThanOneThread) {
  HeavyColumnPolicy policy(64);
  ASSERT_TRUE(policy.share_next(kSteps, 1000 * kSteps, 1e-3));  // one thread: 32e6 entries/s
  EXPECT_TRUE(policy.keep_sharing(kSteps, 1000 * kSteps, 0.5e-3));     // 2x: goes on
  EXPECT_TRUE(policy.keep_sharing(kSteps, 1000 * kSteps, 0.86e-3));    // 1.16x: goes on
  EXPECT_FALSE(policy.keep_sharing(kSteps, 1000 * kSteps, 0.9e-3));    // 1.11x: back to one thread
}

TEST(HeavyColumnPolicy, SharingStopsWhenStepsTurnShort) {
  HeavyColumnPolicy policy(64);
  ASSERT_TRUE(policy.share_next(kSteps, 1000 * kSteps, 1e-3));
  EXPECT_FALSE(policy.keep_sharing(kSteps, 10 * kSteps, 1e-6));  // fast, but 10 entries a step
}

TEST(HeavyColumnPolicy, EachFailedTryDoublesTheWaitUpToTheCap) {
  HeavyColumnPolicy policy(64);
  const std::size_t pushed = 1000 * kSteps;
  for (std::size_t expected_wait = 1; expected_wait <= 2 * HeavyColumnPolicy::kMaxBackoff; expected_wait *= 2) {
    const std::size_t wait = std::min(expected_wait, HeavyColumnPolicy::kMaxBackoff);
    for (std::size_t k = 1; k < wait; ++k) EXPECT_FALSE(policy.share_next(kSteps, pushed, 1e-3)) << "window " << k;
    ASSERT_TRUE(policy.share_next(kSteps, pushed, 1e-3)) << "after " << wait << " windows";
    EXPECT_FALSE(policy.keep_sharing(kSteps, pushed, 1e-3));  // no faster: back, and wait longer
  }
  EXPECT_EQ(policy.backoff(), HeavyColumnPolicy::kMaxBackoff);
  // A shared window that pays resets the wait.
  for (std::size_t k = 1; k < HeavyColumnPolicy::kMaxBackoff; ++k) policy.share_next(kSteps, pushed, 1e-3);
  ASSERT_TRUE(policy.share_next(kSteps, pushed, 1e-3));
  EXPECT_TRUE(policy.keep_sharing(kSteps, pushed, 0.4e-3));
  EXPECT_EQ(policy.backoff(), 1u);
}

TEST(HeavyColumnPolicy, ZeroMinimumAlwaysShares) {
  HeavyColumnPolicy policy(0);
  EXPECT_TRUE(policy.share_next(kSteps, 1, 1.0));
  EXPECT_TRUE(policy.keep_sharing(kSteps, 1, 1.0));
}

}  // namespace
}  // namespace topoembed::ph::detail
