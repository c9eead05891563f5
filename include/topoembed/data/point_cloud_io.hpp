#pragma once
// Point clouds, latents and embeddings as CSV and as NumPy .npy files (format version 1.0,
// readable by numpy.load). Writers write to a temporary name and rename, so a failed write
// leaves no half-written file.

#include <string>
#include <vector>

#include <torch/torch.h>

namespace topoembed::data {

struct CsvTable {
  torch::Tensor values;             // [rows, columns] float64
  std::vector<std::string> header;  // empty when the file has none
};

struct CsvReadOptions {
  char delimiter = ',';
  // kAuto: the first line is a header when one of its fields is not a number.
  enum class Header { kAuto, kPresent, kAbsent } header = Header::kAuto;
};

// Every row must have the same number of numeric fields. Throws std::runtime_error naming the
// file and line: "read_csv: points.csv line 17 has 3 values, expected 4".
CsvTable read_csv(const std::string& path, const CsvReadOptions& options = {});

struct CsvWriteOptions {
  char delimiter = ',';
  // Column names; empty for no header line. When given, one per column (+1 with labels).
  std::vector<std::string> header;
};

// values: [rows, columns] (or [rows]) of any real dtype; floats written with enough digits to
// read back the same value (17 significant digits for float64, 9 for float32).
void write_csv(const std::string& path, const torch::Tensor& values,
               const CsvWriteOptions& options = {});

// Latents as the paper's code stores them: columns 0, 1, ..., d-1 and a last column `labels`.
void write_latents_csv(const std::string& path, const torch::Tensor& latents,
                       const torch::Tensor& labels);

// .npy: dtypes '<f4', '<f8', '<i8', '<i4', '|u1' and '|b1'; C order (Fortran order is read and
// converted). Throws std::runtime_error on a bad magic, an unsupported dtype or a short file.
torch::Tensor read_npy(const std::string& path);

// Writes format 1.0, C order; float32 -> '<f4', float64 -> '<f8', int64 -> '<i8',
// int32 -> '<i4', uint8 -> '|u1', bool -> '|b1'. Throws std::invalid_argument for other dtypes.
void write_npy(const std::string& path, const torch::Tensor& values);

// A point cloud [n, d] float64 from a .csv or .npy file (by extension; a 1-D array is one
// coordinate per point).
torch::Tensor read_point_cloud(const std::string& path);

}  // namespace topoembed::data
