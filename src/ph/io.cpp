// Text readers for point clouds and distance matrices (formats and rules in io.hpp).
#include "topoembed/ph/io.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <istream>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

namespace topoembed::ph {

namespace {

// "reader: source: " — the start of every message.
std::string message_prefix(const char* reader, const ReadOptions& options) {
  std::string prefix = std::string(reader) + ": ";
  if (!options.source.empty()) prefix += options.source + ": ";
  return prefix;
}

[[noreturn]] void fail(const std::string& prefix, const std::string& problem) {
  throw std::invalid_argument(prefix + problem);
}

std::string at(long line, std::size_t field) {
  return "line " + std::to_string(line) + ", field " + std::to_string(field);
}

// Shortest text that reads back as `value` (for echoing numbers in messages).
std::string number_text(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

// Physical lines with their 1-based numbers; skips blank and '#' comment lines.
class DataLines {
 public:
  DataLines(std::istream& in, std::string prefix) : in_(in), prefix_(std::move(prefix)) {}

  bool next(std::string_view& line) {
    while (std::getline(in_, buffer_)) {
      ++number_;
      std::string_view view(buffer_);
      if (number_ == 1 && view.substr(0, 3) == "\xEF\xBB\xBF") view.remove_prefix(3);  // UTF-8 BOM
      if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
      const std::size_t first = view.find_first_not_of(" \t\r\f\v");
      if (first == std::string_view::npos || view[first] == '#') continue;
      line = view;
      return true;
    }
    if (in_.bad()) throw std::runtime_error(prefix_ + "read error after line " + std::to_string(number_));
    return false;
  }
  long number() const { return number_; }

 private:
  std::istream& in_;
  std::string prefix_;
  std::string buffer_;
  long number_ = 0;
};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// Splits a line into fields separated by commas and/or runs of blanks. One comma may end the
// line (Ripser's example files end every row with one). An empty field (a comma at the start,
// or two commas with only blanks between) is an error: it usually means a missing value that a
// lenient reader would silently shift.
void split_fields(std::string_view line, long line_number, const std::string& prefix,
                  std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t pos = 0;
  const std::size_t size = line.size();
  auto skip_blanks = [&] {
    while (pos < size && is_blank(line[pos])) ++pos;
  };
  skip_blanks();
  bool after_comma = true;  // at the start, or right after a comma
  while (pos < size) {
    if (line[pos] == ',') {
      if (after_comma) {
        fail(prefix, at(line_number, fields.size() + 1) +
                         " is empty (a comma at the start of the line or two commas in a row)");
      }
      after_comma = true;
      ++pos;
      skip_blanks();
      continue;
    }
    const std::size_t start = pos;
    while (pos < size && line[pos] != ',' && !is_blank(line[pos])) ++pos;
    fields.push_back(line.substr(start, pos - start));
    after_comma = false;
    skip_blanks();
  }
}

// Reads a whole field as a double; false if it is not a number (NaN and infinities are numbers
// here, so that they can be reported as such).
bool read_double(std::string_view text, double& value, bool& out_of_range) {
  out_of_range = false;
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (text.empty() || text.front() == '+' || text.front() == '-') return false;
  }
  const char* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value, std::chars_format::general);
  if (result.ptr != end) return false;
  if (result.ec == std::errc::result_out_of_range) {
    out_of_range = true;
    return true;
  }
  return result.ec == std::errc();
}

bool is_number(std::string_view text) {
  double value = 0;
  bool out_of_range = false;
  return read_double(text, value, out_of_range);
}

// A finite value representable in T, or an error naming line, field and the problem.
template <class T>
T parse_value(std::string_view text, long line, std::size_t field, const std::string& prefix) {
  double value = 0;
  bool out_of_range = false;
  const std::string quoted = "'" + std::string(text) + "'";
  if (!read_double(text, value, out_of_range)) fail(prefix, at(line, field) + ": " + quoted + " is not a number");
  if (std::isnan(value)) fail(prefix, at(line, field) + ": " + quoted + " is NaN, expected a finite number");
  if (std::isinf(value)) fail(prefix, at(line, field) + ": " + quoted + " is infinite, expected a finite number");
  if (out_of_range || std::abs(value) > double(std::numeric_limits<T>::max())) {
    fail(prefix, at(line, field) + ": " + quoted + " is out of range for " +
                     (sizeof(T) == sizeof(float) ? "float" : "double"));
  }
  return static_cast<T>(value);
}

template <class T>
T parse_distance(std::string_view text, long line, std::size_t field, const std::string& prefix) {
  const T d = parse_value<T>(text, line, field, prefix);
  if (d < T(0)) fail(prefix, at(line, field) + ": negative distance " + std::string(text) + ", expected >= 0");
  return d;
}

void check_point_count(index_t n, const ReadOptions& options, const std::string& prefix) {
  if (!options.max_dim) return;
  const index_t limit = max_points_for_dim(*options.max_dim);
  if (n > limit) {
    fail(prefix, std::to_string(n) + " points are too many for persistence up to dimension " +
                     std::to_string(*options.max_dim) + " (at most " + std::to_string(limit) +
                     ", or the simplex index overflows)");
  }
}

void check_options(const ReadOptions& options, const std::string& prefix) {
  if (options.max_dim && *options.max_dim < 0) {
    throw std::invalid_argument(prefix + "ReadOptions::max_dim must be >= 0, got " + std::to_string(*options.max_dim));
  }
}

std::string no_data(const char* what) {
  return std::string("no ") + what + ": the input is empty or has only blank and '#' comment lines";
}

// Opens `path` for reading with a message that says why it cannot be.
std::ifstream open_input(const std::filesystem::path& path, const char* reader) {
  const std::string prefix = std::string(reader) + ": ";
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    throw std::runtime_error(prefix + "cannot open '" + path.string() + "': no such file");
  }
  if (status.type() == std::filesystem::file_type::directory) {
    throw std::runtime_error(prefix + "cannot open '" + path.string() + "': it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(prefix + "cannot open '" + path.string() + "' for reading");
  return in;
}

ReadOptions with_path_source(const ReadOptions& options, const std::filesystem::path& path) {
  ReadOptions named = options;
  if (named.source.empty()) named.source = path.string();
  return named;
}

}  // namespace

template <class T>
PointCloud<T> read_point_cloud(std::istream& in, const ReadOptions& options) {
  const std::string prefix = message_prefix("read_point_cloud", options);
  check_options(options, prefix);
  DataLines lines(in, prefix);
  std::vector<std::string_view> fields;
  std::vector<T> coords;
  std::size_t dim = 0;
  long first_line = 0, header_line = 0;
  std::size_t header_fields = 0;
  index_t n = 0;
  std::string_view line;
  while (lines.next(line)) {
    const long number = lines.number();
    split_fields(line, number, prefix, fields);
    if (first_line == 0 && header_line == 0) {
      bool any_number = false;
      for (const auto f : fields) any_number = any_number || is_number(f);
      if (!any_number) {  // column names
        header_line = number;
        header_fields = fields.size();
        continue;
      }
    }
    if (first_line == 0) {
      first_line = number;
      dim = fields.size();
      if (header_line != 0 && header_fields != dim) {
        fail(prefix, "line " + std::to_string(number) + " has " + std::to_string(dim) + " values but the header on line " +
                         std::to_string(header_line) + " names " + std::to_string(header_fields) + " columns");
      }
    } else if (fields.size() != dim) {
      fail(prefix, "line " + std::to_string(number) + " has " + std::to_string(fields.size()) + " values, expected " +
                       std::to_string(dim) + " (as on line " + std::to_string(first_line) + ")");
    }
    for (std::size_t k = 0; k < fields.size(); ++k) coords.push_back(parse_value<T>(fields[k], number, k + 1, prefix));
    ++n;
  }
  if (n == 0) {
    if (header_line != 0) fail(prefix, "no points after the header on line " + std::to_string(header_line));
    fail(prefix, no_data("points"));
  }
  check_point_count(n, options, prefix);
  return PointCloud<T>(n, static_cast<int>(dim), std::move(coords));
}

template <class T>
CompressedDistanceMatrix<T> read_lower_distance(std::istream& in, const ReadOptions& options) {
  const std::string prefix = message_prefix("read_lower_distance", options);
  check_options(options, prefix);
  DataLines lines(in, prefix);
  std::vector<std::string_view> fields;
  std::vector<T> values;
  struct LineCount {
    long line;
    std::size_t count;
  };
  std::vector<LineCount> layout;  // values per data line, for the row check
  std::string_view line;
  while (lines.next(line)) {
    const long number = lines.number();
    split_fields(line, number, prefix, fields);
    for (std::size_t k = 0; k < fields.size(); ++k) values.push_back(parse_distance<T>(fields[k], number, k + 1, prefix));
    layout.push_back({number, fields.size()});
  }
  if (values.empty()) fail(prefix, no_data("distances"));

  // n (n - 1) / 2 == m; solve for n and check.
  const auto m = static_cast<index_t>(values.size());
  auto n = static_cast<index_t>((1.0 + std::sqrt(1.0 + 8.0 * double(m))) / 2.0);
  while (n * (n - 1) / 2 > m) --n;
  while ((n + 1) * n / 2 <= m) ++n;
  if (n * (n - 1) / 2 != m) {
    fail(prefix, std::to_string(m) + " values do not form a lower triangle: n points need n (n - 1) / 2 values (" +
                     std::to_string(n * (n - 1) / 2) + " for " + std::to_string(n) + " points, " +
                     std::to_string((n + 1) * n / 2) + " for " + std::to_string(n + 1) + ")");
  }
  if (layout.size() > 1) {
    for (std::size_t row = 1; row <= layout.size(); ++row) {
      const auto& lc = layout[row - 1];
      if (lc.count != row) {
        fail(prefix, "line " + std::to_string(lc.line) + " has " + std::to_string(lc.count) + " values, expected " +
                         std::to_string(row) + " (row " + std::to_string(row) +
                         " of the lower triangle; put either every value on one line or row k on its own line "
                         "with k values)");
      }
    }
  }
  check_point_count(n, options, prefix);
  return CompressedDistanceMatrix<T>(n, std::move(values));
}

template <class T>
CompressedDistanceMatrix<T> read_distance_matrix(std::istream& in, const ReadOptions& options) {
  const std::string prefix = message_prefix("read_distance_matrix", options);
  check_options(options, prefix);
  DataLines lines(in, prefix);
  std::vector<std::string_view> fields;
  std::vector<T> full;          // row-major, n x n
  std::vector<long> row_lines;  // the line of each row
  std::size_t n = 0;
  std::string_view line;
  while (lines.next(line)) {
    const long number = lines.number();
    split_fields(line, number, prefix, fields);
    if (row_lines.empty()) {
      n = fields.size();
      check_point_count(static_cast<index_t>(n), options, prefix);
      full.reserve(n * n);
    } else if (fields.size() != n) {
      fail(prefix, "line " + std::to_string(number) + " has " + std::to_string(fields.size()) + " values, expected " +
                       std::to_string(n) + " (as on line " + std::to_string(row_lines.front()) + ")");
    }
    if (row_lines.size() == n) {
      fail(prefix, "line " + std::to_string(number) + " is row " + std::to_string(n + 1) + " of a matrix with " +
                       std::to_string(n) + " columns: the matrix is not square");
    }
    for (std::size_t k = 0; k < fields.size(); ++k) full.push_back(parse_distance<T>(fields[k], number, k + 1, prefix));
    row_lines.push_back(number);
  }
  if (row_lines.empty()) fail(prefix, no_data("rows"));
  if (row_lines.size() != n) {
    fail(prefix, "the matrix has " + std::to_string(row_lines.size()) + " rows but " + std::to_string(n) +
                     " columns: it is not square");
  }
  CompressedDistanceMatrix<T> dm(static_cast<index_t>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const T diagonal = full[i * n + i];
    if (diagonal != T(0)) {
      fail(prefix, at(row_lines[i], i + 1) + ": diagonal entry (" + std::to_string(i) + ", " + std::to_string(i) +
                       ") is " + number_text(double(diagonal)) + ", expected 0");
    }
    for (std::size_t j = 0; j < i; ++j) {
      const double a = full[i * n + j], b = full[j * n + i];
      const double scale = std::max({1.0, std::abs(a), std::abs(b)});
      if (std::abs(a - b) > 1e-6 * scale) {
        fail(prefix, at(row_lines[i], j + 1) + ": entry (" + std::to_string(i) + ", " + std::to_string(j) + ") = " +
                         number_text(a) + " but entry (" + std::to_string(j) + ", " + std::to_string(i) + ") = " +
                         number_text(b) + " on line " + std::to_string(row_lines[j]) +
                         ": the matrix is not symmetric");
      }
      dm.set(static_cast<index_t>(i), static_cast<index_t>(j), full[i * n + j]);
    }
  }
  return dm;
}

template <class T>
SparseDistanceMatrix<T> read_sparse(std::istream& in, const ReadOptions& options) {
  const std::string prefix = message_prefix("read_sparse", options);
  check_options(options, prefix);
  constexpr index_t kMaxIndex = std::numeric_limits<vertex_t>::max() - 1;
  DataLines lines(in, prefix);
  std::vector<std::string_view> fields;
  std::vector<std::pair<index_t, index_t>> ij;
  std::vector<T> d;
  struct Seen {
    T distance;
    long line;
  };
  std::unordered_map<index_t, Seen> seen;  // edge index u (u - 1) / 2 + v -> first occurrence
  index_t max_index = -1;
  bool any_line = false;
  std::string_view line;
  while (lines.next(line)) {
    const long number = lines.number();
    any_line = true;
    split_fields(line, number, prefix, fields);
    if (fields.size() != 3) {
      fail(prefix, "line " + std::to_string(number) + " has " + std::to_string(fields.size()) +
                       " values, expected 3 (i j distance)");
    }
    index_t index[2];
    for (int k = 0; k < 2; ++k) {
      const std::string_view text = fields[k];
      long long v = 0;
      const auto result = std::from_chars(text.data(), text.data() + text.size(), v);
      if (result.ptr != text.data() + text.size() || result.ec == std::errc::invalid_argument || v < 0) {
        fail(prefix, at(number, std::size_t(k) + 1) + ": '" + std::string(text) +
                         "' is not a point index (a non-negative integer)");
      }
      if (result.ec == std::errc::result_out_of_range || v > kMaxIndex) {
        fail(prefix, at(number, std::size_t(k) + 1) + ": point index " + std::string(text) + " is too large (at most " +
                         std::to_string(kMaxIndex) + ")");
      }
      index[k] = static_cast<index_t>(v);
    }
    const T distance = parse_distance<T>(fields[2], number, 3, prefix);
    max_index = std::max({max_index, index[0], index[1]});
    if (index[0] == index[1]) {
      if (distance != T(0)) {
        fail(prefix, at(number, 3) + ": diagonal entry (" + std::to_string(index[0]) + ", " + std::to_string(index[0]) +
                         ") is " + std::string(fields[2]) + ", expected 0");
      }
      continue;
    }
    const index_t u = std::max(index[0], index[1]), v = std::min(index[0], index[1]);
    const auto [it, inserted] = seen.emplace(u * (u - 1) / 2 + v, Seen{distance, number});
    if (!inserted) {
      if (it->second.distance != distance) {
        fail(prefix, at(number, 3) + ": pair (" + std::to_string(index[0]) + ", " + std::to_string(index[1]) +
                         ") has distance " + std::string(fields[2]) + " but line " + std::to_string(it->second.line) +
                         " gave " + number_text(double(it->second.distance)));
      }
      continue;
    }
    ij.emplace_back(index[0], index[1]);
    d.push_back(distance);
  }
  if (!any_line) fail(prefix, no_data("entries"));
  const index_t n = max_index + 1;
  check_point_count(n, options, prefix);
  return sparse_from_triplets<T>(n, ij, d);
}

template <class T>
PointCloud<T> read_point_cloud(const std::filesystem::path& path, const ReadOptions& options) {
  auto in = open_input(path, "read_point_cloud");
  return read_point_cloud<T>(in, with_path_source(options, path));
}

template <class T>
CompressedDistanceMatrix<T> read_lower_distance(const std::filesystem::path& path, const ReadOptions& options) {
  auto in = open_input(path, "read_lower_distance");
  return read_lower_distance<T>(in, with_path_source(options, path));
}

template <class T>
CompressedDistanceMatrix<T> read_distance_matrix(const std::filesystem::path& path, const ReadOptions& options) {
  auto in = open_input(path, "read_distance_matrix");
  return read_distance_matrix<T>(in, with_path_source(options, path));
}

template <class T>
SparseDistanceMatrix<T> read_sparse(const std::filesystem::path& path, const ReadOptions& options) {
  auto in = open_input(path, "read_sparse");
  return read_sparse<T>(in, with_path_source(options, path));
}

#define TOPOEMBED_INSTANTIATE_IO(T)                                                                       \
  template PointCloud<T> read_point_cloud<T>(std::istream&, const ReadOptions&);                          \
  template PointCloud<T> read_point_cloud<T>(const std::filesystem::path&, const ReadOptions&);           \
  template CompressedDistanceMatrix<T> read_lower_distance<T>(std::istream&, const ReadOptions&);         \
  template CompressedDistanceMatrix<T> read_lower_distance<T>(const std::filesystem::path&,               \
                                                              const ReadOptions&);                        \
  template CompressedDistanceMatrix<T> read_distance_matrix<T>(std::istream&, const ReadOptions&);        \
  template CompressedDistanceMatrix<T> read_distance_matrix<T>(const std::filesystem::path&,              \
                                                               const ReadOptions&);                       \
  template SparseDistanceMatrix<T> read_sparse<T>(std::istream&, const ReadOptions&);                     \
  template SparseDistanceMatrix<T> read_sparse<T>(const std::filesystem::path&, const ReadOptions&);
TOPOEMBED_INSTANTIATE_IO(float)
TOPOEMBED_INSTANTIATE_IO(double)
#undef TOPOEMBED_INSTANTIATE_IO

}  // namespace topoembed::ph
