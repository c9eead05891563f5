#pragma once
// error_of(f): the message of the exception f throws, for tests that assert an error message
// (EXPECT_EQ(error_of([&] { parse(bad); }), "...")); "<no exception>" when f returns normally.
// error_of<E>(f) catches only E (and what derives from it): another exception escapes and fails
// the test, which then also checks the exception's type.
//
// Included as "../support/expect_error.hpp" from tests/<module>/, so the tests need no include
// path of their own.

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

}  // namespace topoembed::test_support
