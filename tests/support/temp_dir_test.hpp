#pragma once
// TempDirTest: a fixture owning a fresh temporary directory per test, root_ =
// <tmp>/<prefix><pid>_<test name>, created empty before each test and removed after (the pid keeps
// two test binaries running at once apart). Included as "../support/temp_dir_test.hpp".

#include <filesystem>
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <unistd.h>

namespace topoembed::test_support {

class TempDirTest : public ::testing::Test {
 protected:
  explicit TempDirTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            (prefix_ + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::filesystem::path root_;

 private:
  std::string prefix_;
};

}  // namespace topoembed::test_support
