#pragma once
// Shared by the train tests: whole-file reads, directory snapshots (to check that a failed
// command changed nothing) and a fixture owning a fresh temporary directory per test.

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

namespace topoembed::test_support {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every entry of a directory: a file with its bytes, anything else with a marker.
inline std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    files[e.path().filename().string()] = e.is_regular_file() ? slurp(e.path()) : std::string("<not a file>");
  return files;
}

// root_ is <tmp>/<prefix><pid>_<test name>, created empty before each test and removed after.
class TempDirTest : public ::testing::Test {
 protected:
  explicit TempDirTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            (prefix_ + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;

 private:
  std::string prefix_;
};

}  // namespace topoembed::test_support
