#pragma once
// error_of(f): the message of the exception f throws, for tests that assert an error message
// (EXPECT_EQ(error_of([&] { parse(bad); }), "...")); "<no exception>" when f returns normally.
// error_of<E>(f) catches only E (and what derives from it): another exception escapes and fails
// the test, which then also checks the exception's type.
// throws_containing<E>(f, fragment), for EXPECT_TRUE: f throws E with `fragment` in its message
// (for messages that embed values, paths or a long tail, where only a part is asserted).
//
// Included as "../support/expect_error.hpp" from tests/<module>/, so the tests need no include
// path of their own.

#include <gtest/gtest.h>

#include <exception>
#include <string>
#include <utility>

namespace topoembed::test_support {

template <class E = std::exception, class F>
std::string error_of(F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const E& e) {
    return e.what();
  }
  return "<no exception>";
}

// An AssertionResult rather than an EXPECT inside, so that a failure is reported at the caller's
// line, with the message that came.
template <class E = std::exception, class F>
::testing::AssertionResult throws_containing(F&& f, const std::string& fragment) {
  try {
    std::forward<F>(f)();
  } catch (const E& e) {
    if (std::string(e.what()).find(fragment) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "message \"" << e.what() << "\" lacks \"" << fragment << "\"";
  }
  return ::testing::AssertionFailure() << "no exception, expected one containing \"" << fragment << "\"";
}

}  // namespace topoembed::test_support
