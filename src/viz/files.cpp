// Atomic text writes, whole-file reads and base64 for the HTML report.
#include "detail/files.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace topoembed::viz::detail {

void write_text_atomically(const std::string& path, const std::string& content, const std::string& op) {
  if (path.empty()) throw std::invalid_argument(op + ": empty output path");
  const std::string tmp = path + ".tmp";
  std::error_code ignored;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(op + ": cannot write '" + path + "' (cannot open '" + tmp + "')");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      std::filesystem::remove(tmp, ignored);
      throw std::runtime_error(op + ": cannot write '" + path + "' (write to '" + tmp + "' failed)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ignored);
    throw std::runtime_error(op + ": cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
  }
}

std::string read_file_bytes(const std::string& path, const std::string& op) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(op + ": cannot read '" + path + "'");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size < 0) throw std::runtime_error(op + ": cannot determine the size of '" + path + "'");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), size);
  if (!in) throw std::runtime_error(op + ": error while reading '" + path + "'");
  return bytes;
}

std::string base64_encode(const std::string& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    const bool two = i + 1 < bytes.size();
    if (two) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += two ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace topoembed::viz::detail
