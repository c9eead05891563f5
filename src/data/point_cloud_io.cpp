// CSV and NumPy .npy reading and writing (the .npy layout: magic "\x93NUMPY", version, header
// length, a Python dict literal padded with spaces to a multiple of 64 bytes, then raw data).
#include "topoembed/data/point_cloud_io.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace topoembed::data {

namespace {

// Writes through `write` into path + ".tmp", then renames over path.
template <class WriteFn>
void write_atomically(const std::string& path, const char* who, WriteFn write) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(std::string(who) + ": cannot open " + tmp + " for writing");
    write(out);
    out.flush();
    if (!out) {
      out.close();
      std::remove(tmp.c_str());
      throw std::runtime_error(std::string(who) + ": writing " + tmp + " failed");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(std::string(who) + ": cannot rename " + tmp + " to " + path + ": " +
                             std::strerror(errno));
  }
}

std::vector<std::string> split_fields(const std::string& line, char delimiter) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, delimiter)) fields.push_back(field);
  if (!line.empty() && line.back() == delimiter) fields.emplace_back();
  return fields;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool parse_number(const std::string& text, double& value) {
  const std::string t = trim(text);
  if (t.empty()) return false;
  char* end = nullptr;
  value = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size();
}

torch::Tensor to_2d(const torch::Tensor& values, const char* who) {
  if (!values.defined() || values.dim() < 1 || values.dim() > 2) {
    throw std::invalid_argument(std::string(who) + ": expected a 1-D or 2-D tensor, got " +
                                (values.defined() ? std::to_string(values.dim()) + "-D"
                                                  : std::string("an undefined tensor")));
  }
  torch::Tensor v = values.detach().to(torch::kCPU);
  return (v.dim() == 1 ? v.unsqueeze(1) : v).contiguous();
}

struct NpyType {
  const char* descr;
  torch::ScalarType type;
  std::size_t size;
};
constexpr NpyType kNpyTypes[] = {
    {"<f4", torch::kFloat32, 4}, {"<f8", torch::kFloat64, 8}, {"<i8", torch::kInt64, 8},
    {"<i4", torch::kInt32, 4},   {"|u1", torch::kUInt8, 1},   {"|b1", torch::kBool, 1},
};

// Value of `'key': value` in the header dict, up to the next ',' or '}' outside parentheses.
std::string header_value(const std::string& header, const std::string& key,
                         const std::string& path) {
  const auto at = header.find("'" + key + "'");
  if (at == std::string::npos) {
    throw std::runtime_error("read_npy: " + path + ": header has no '" + key + "' entry");
  }
  auto pos = header.find(':', at);
  if (pos == std::string::npos) throw std::runtime_error("read_npy: " + path + ": malformed header");
  ++pos;
  int depth = 0;
  std::string value;
  for (; pos < header.size(); ++pos) {
    const char c = header[pos];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
    value += c;
    if (depth < 0) break;
  }
  return trim(value);
}

}  // namespace

CsvTable read_csv(const std::string& path, const CsvReadOptions& options) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("read_csv: cannot open " + path);
  CsvTable table;
  std::vector<double> values;
  std::size_t columns = 0;
  std::size_t rows = 0;
  std::string line;
  std::size_t line_no = 0;
  bool first = true;
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty()) continue;
    const auto fields = split_fields(line, options.delimiter);
    if (first) {
      first = false;
      bool numeric = true;
      double v = 0.0;
      for (const auto& f : fields) numeric = numeric && parse_number(f, v);
      const bool is_header = options.header == CsvReadOptions::Header::kPresent ||
                             (options.header == CsvReadOptions::Header::kAuto && !numeric);
      columns = fields.size();
      if (is_header) {
        for (const auto& f : fields) table.header.push_back(trim(f));
        continue;
      }
    }
    if (fields.size() != columns) {
      throw std::runtime_error("read_csv: " + path + " line " + std::to_string(line_no) + " has " +
                               std::to_string(fields.size()) + " values, expected " +
                               std::to_string(columns));
    }
    for (std::size_t c = 0; c < fields.size(); ++c) {
      double v = 0.0;
      if (!parse_number(fields[c], v)) {
        throw std::runtime_error("read_csv: " + path + " line " + std::to_string(line_no) +
                                 " column " + std::to_string(c + 1) + ": expected a number, got '" +
                                 trim(fields[c]) + "'");
      }
      values.push_back(v);
    }
    ++rows;
  }
  if (rows == 0) throw std::runtime_error("read_csv: " + path + " has no data rows");
  table.values = torch::from_blob(values.data(),
                                  {static_cast<std::int64_t>(rows), static_cast<std::int64_t>(columns)},
                                  torch::kFloat64)
                     .clone();
  return table;
}

void write_csv(const std::string& path, const torch::Tensor& values, const CsvWriteOptions& options) {
  const torch::Tensor v2 = to_2d(values, "write_csv");
  const std::int64_t cols = v2.size(1);
  if (!options.header.empty() && static_cast<std::int64_t>(options.header.size()) != cols) {
    throw std::invalid_argument("write_csv: " + std::to_string(options.header.size()) +
                                " header names for " + std::to_string(cols) + " columns");
  }
  const bool integral = !v2.is_floating_point();
  const int digits = v2.scalar_type() == torch::kFloat32 ? 9 : 17;
  const torch::Tensor d = integral ? v2.to(torch::kInt64) : v2.to(torch::kFloat64);
  write_atomically(path, "write_csv", [&](std::ofstream& out) {
    out << std::setprecision(digits);
    for (std::size_t c = 0; c < options.header.size(); ++c) {
      out << (c ? std::string(1, options.delimiter) : "") << options.header[c];
    }
    if (!options.header.empty()) out << '\n';
    for (std::int64_t r = 0; r < d.size(0); ++r) {
      for (std::int64_t c = 0; c < cols; ++c) {
        if (c) out << options.delimiter;
        if (integral) {
          out << d.data_ptr<std::int64_t>()[r * cols + c];
        } else {
          out << d.data_ptr<double>()[r * cols + c];
        }
      }
      out << '\n';
    }
  });
}

void write_latents_csv(const std::string& path, const torch::Tensor& latents,
                       const torch::Tensor& labels) {
  const torch::Tensor z = to_2d(latents, "write_latents_csv");
  if (!labels.defined() || labels.dim() != 1 || labels.size(0) != z.size(0)) {
    throw std::invalid_argument("write_latents_csv: expected " + std::to_string(z.size(0)) +
                                " labels in a 1-D tensor");
  }
  CsvWriteOptions options;
  for (std::int64_t c = 0; c < z.size(1); ++c) options.header.push_back(std::to_string(c));
  options.header.emplace_back("labels");
  const auto dtype = z.scalar_type() == torch::kFloat32 ? torch::kFloat32 : torch::kFloat64;
  write_csv(path, torch::cat({z.to(dtype), labels.detach().cpu().to(dtype).unsqueeze(1)}, 1),
            options);
}

torch::Tensor read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("read_npy: cannot open " + path);
  char magic[8] = {};
  in.read(magic, 8);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    throw std::runtime_error("read_npy: " + path + ": bad magic, expected \\x93NUMPY");
  }
  const int major = static_cast<unsigned char>(magic[6]);
  std::uint32_t header_len = 0;
  if (major == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char*>(b), 2);
    header_len = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    in.read(reinterpret_cast<char*>(b), 4);
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (std::uint32_t{b[3]} << 24);
  } else {
    throw std::runtime_error("read_npy: " + path + ": expected format version 1, 2 or 3, got " +
                             std::to_string(major));
  }
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  if (!in) throw std::runtime_error("read_npy: " + path + ": truncated header");

  std::string descr = header_value(header, "descr", path);
  if (descr.size() >= 2) descr = descr.substr(1, descr.size() - 2);  // strip quotes
  const NpyType* type = nullptr;
  for (const auto& t : kNpyTypes) {
    if (descr == t.descr || (descr == "<u1" && std::string(t.descr) == "|u1") ||
        (descr == "<b1" && std::string(t.descr) == "|b1")) {
      type = &t;
    }
  }
  if (type == nullptr) {
    throw std::runtime_error("read_npy: " + path + ": unsupported dtype '" + descr +
                             "', expected one of <f4 <f8 <i8 <i4 |u1 |b1");
  }
  const bool fortran = header_value(header, "fortran_order", path) == "True";
  std::string shape_text = header_value(header, "shape", path);
  std::vector<std::int64_t> shape;
  std::uint64_t count = 1;
  {
    std::string digits;
    for (char c : shape_text + ",") {
      if (c >= '0' && c <= '9') {
        digits += c;
      } else if (c == ',' || c == ')') {
        if (!digits.empty()) {
          shape.push_back(std::stoll(digits));
          count *= static_cast<std::uint64_t>(shape.back());
          digits.clear();
        }
      }
    }
  }
  torch::Tensor out = torch::empty(fortran ? std::vector<std::int64_t>(shape.rbegin(), shape.rend())
                                           : shape,
                                   type->type);
  const std::size_t bytes = static_cast<std::size_t>(count) * type->size;
  in.read(static_cast<char*>(out.data_ptr()), static_cast<std::streamsize>(bytes));
  if (static_cast<std::size_t>(in.gcount()) != bytes) {
    throw std::runtime_error("read_npy: " + path + ": truncated, expected " + std::to_string(bytes) +
                             " bytes of data, got " + std::to_string(in.gcount()));
  }
  if (fortran && out.dim() > 1) {
    std::vector<std::int64_t> reversed;
    for (std::int64_t d = out.dim() - 1; d >= 0; --d) reversed.push_back(d);
    out = out.permute(reversed).contiguous();
  }
  return out;
}

void write_npy(const std::string& path, const torch::Tensor& values) {
  if (!values.defined()) throw std::invalid_argument("write_npy: expected a defined tensor");
  const NpyType* type = nullptr;
  for (const auto& t : kNpyTypes) {
    if (t.type == values.scalar_type()) type = &t;
  }
  if (type == nullptr) {
    throw std::invalid_argument(std::string("write_npy: unsupported dtype ") +
                                c10::toString(values.scalar_type()) +
                                ", expected float32, float64, int64, int32, uint8 or bool");
  }
  const torch::Tensor v = values.detach().to(torch::kCPU).contiguous();
  std::string shape = "(";
  for (std::int64_t d = 0; d < v.dim(); ++d) {
    shape += std::to_string(v.size(d)) + (v.dim() == 1 ? "," : (d + 1 < v.dim() ? ", " : ""));
  }
  shape += ")";
  std::string header = "{'descr': '" + std::string(type->descr) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 65535) throw std::invalid_argument("write_npy: header too long");
  write_atomically(path, "write_npy", [&](std::ofstream& out) {
    out.write("\x93NUMPY\x01\x00", 8);
    const auto len = static_cast<std::uint16_t>(header.size());
    const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
    out.write(len_bytes, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char*>(v.data_ptr()),
              static_cast<std::streamsize>(v.numel() * static_cast<std::int64_t>(type->size)));
  });
}

torch::Tensor read_point_cloud(const std::string& path) {
  auto ends_with = [&](const std::string& suffix) {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  torch::Tensor t;
  if (ends_with(".npy")) {
    t = read_npy(path);
  } else if (ends_with(".csv") || ends_with(".txt")) {
    t = read_csv(path).values;
  } else {
    throw std::runtime_error("read_point_cloud: " + path + ": expected a .csv, .txt or .npy file");
  }
  if (t.dim() == 1) t = t.unsqueeze(1);
  if (t.dim() != 2) {
    throw std::runtime_error("read_point_cloud: " + path + ": expected a 2-D array [n, d], got " +
                             std::to_string(t.dim()) + " dimensions");
  }
  if (t.size(0) < 1 || t.size(1) < 1) {
    throw std::runtime_error("read_point_cloud: " + path + ": no points");
  }
  t = t.to(torch::kFloat64);
  if (!torch::isfinite(t).all().item<bool>()) {
    throw std::runtime_error("read_point_cloud: " + path + ": contains NaN or infinite values");
  }
  return t;
}

}  // namespace topoembed::data
