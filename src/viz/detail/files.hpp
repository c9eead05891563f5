#pragma once
// Private file helpers of viz: atomic text writes, whole-file reads and base64.

#include <string>

namespace topoembed::viz::detail {

// Writes content to path + ".tmp" and renames it to path; std::runtime_error(op + ...) on failure.
void write_text_atomically(const std::string& path, const std::string& content, const std::string& op);
// Whole file as bytes; std::runtime_error(op + ...) if it cannot be read.
std::string read_file_bytes(const std::string& path, const std::string& op);
// RFC 4648 base64 with padding.
std::string base64_encode(const std::string& bytes);

}  // namespace topoembed::viz::detail
