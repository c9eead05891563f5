#pragma once
// Atomic file replacement: the content is written to a fresh temporary file next to the target
// ("PATH.tmp-XXXXXXXX", same directory, hence same file system) and renamed over the target only
// when writing succeeded. Readers of PATH see the old file or the complete new one, never a
// partial one; on any error the temporary file is removed, PATH is left as it was, and the error
// propagates. No fsync: this protects against failures of the writer, not against power loss.
//
// Header-only, std C++17 only (the exclusive-create "x" mode of std::fopen comes from C11).

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>

namespace topoembed::ph {

namespace detail {

// Creates an empty, previously non-existing file "PATH.tmp-XXXXXXXX" and returns its path.
inline std::filesystem::path create_temporary_sibling(const std::filesystem::path& path) {
  std::random_device device;
  std::uniform_int_distribution<unsigned> hex(0, 15);
  std::mt19937 rng(device());
  int last_errno = 0;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string suffix = ".tmp-";
    for (int i = 0; i < 8; ++i) suffix += "0123456789abcdef"[hex(rng)];
    std::filesystem::path tmp = path;
    tmp += suffix;
    if (std::FILE* f = std::fopen(tmp.c_str(), "wbx")) {
      std::fclose(f);
      return tmp;
    }
    last_errno = errno;
    if (last_errno != EEXIST) break;
  }
  throw std::runtime_error("write_file_atomically: cannot create a temporary file next to '" + path.string() +
                           "': " + std::strerror(last_errno));
}

}  // namespace detail

// Calls `write(tmp)` to fill the temporary file `tmp`, then renames it to `path`. Use this form
// for writers that want a path (e.g. serialisers that open the file themselves).
inline void write_file_atomically_via_path(const std::filesystem::path& path,
                                           const std::function<void(const std::filesystem::path&)>& write) {
  const std::filesystem::path tmp = detail::create_temporary_sibling(path);
  try {
    write(tmp);
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
      throw std::runtime_error("write_file_atomically: cannot rename '" + tmp.string() + "' to '" + path.string() +
                               "': " + ec.message());
    }
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw;
  }
}

// Calls `write(out)` on a binary stream to the temporary file; stream failures become errors.
inline void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
  write_file_atomically_via_path(path, [&](const std::filesystem::path& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("write_file_atomically: cannot open '" + tmp.string() + "' for writing");
    write(out);
    out.flush();
    if (!out) throw std::runtime_error("write_file_atomically: writing '" + tmp.string() + "' failed");
    out.close();
    if (out.fail()) throw std::runtime_error("write_file_atomically: closing '" + tmp.string() + "' failed");
  });
}

// Writes `contents` to `path` atomically.
inline void write_file_atomically(const std::filesystem::path& path, const std::string& contents) {
  write_file_atomically(path, [&](std::ostream& out) { out.write(contents.data(), static_cast<std::streamsize>(contents.size())); });
}

}  // namespace topoembed::ph
