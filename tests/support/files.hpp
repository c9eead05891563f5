#pragma once
// slurp(path): a whole file's bytes ("" when it cannot be read), for tests that compare outputs.
// Included as "../support/files.hpp" from tests/<module>/.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace topoembed::test_support {

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace topoembed::test_support
