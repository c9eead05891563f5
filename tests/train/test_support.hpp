#pragma once
// Shared by the train tests: directory snapshots (to check that a failed command changed nothing),
// with the whole-file reads (slurp) and the temporary-directory fixture (TempDirTest) of
// tests/support.

#include <filesystem>
#include <map>
#include <string>

#include "../support/files.hpp"
#include "../support/temp_dir_test.hpp"

namespace topoembed::test_support {

namespace fs = std::filesystem;

// Every entry of a directory: a file with its bytes, anything else with a marker.
inline std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    files[e.path().filename().string()] = e.is_regular_file() ? slurp(e.path()) : std::string("<not a file>");
  return files;
}

}  // namespace topoembed::test_support
