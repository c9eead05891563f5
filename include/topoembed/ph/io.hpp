#pragma once
// Text readers for the inputs of Vietoris–Rips persistence: point clouds, lower-triangular and
// full distance matrices, and Ripser's sparse triplet format.
//
// Common rules (all readers):
// - Numbers are decimal floating point ("1", "-2.5", "1e-3", "+4"), parsed without regard to the
//   locale. NaN, infinities, values out of range of T, and anything else that is not a number are
//   rejected.
// - Fields are separated by commas and/or whitespace; one comma may end a line (as in Ripser's
//   example files); an empty field (",," or a leading comma) is an error. Windows line ends and
//   a UTF-8 byte order mark are accepted.
// - Blank lines and lines whose first non-blank character is '#' are skipped.
// - Errors are std::invalid_argument (bad content) or std::runtime_error (missing or unreadable
//   file); the message starts with the reader's name, then the source name (the path, or
//   ReadOptions::source) when known, then the 1-based line and the problem, e.g.
//   "read_point_cloud: cloud.csv: line 17 has 3 values, expected 4 (as on line 1)".

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <utility>

#include "topoembed/ph/distance_matrix.hpp"
#include "topoembed/ph/point_cloud.hpp"
#include "topoembed/ph/types.hpp"

namespace topoembed::ph {

struct ReadOptions {
  // When set, reject more points than max_points_for_dim(*max_dim): the simplices of a persistence
  // computation up to this dimension would overflow the simplex index.
  std::optional<int> max_dim;
  // Name of the input in error messages (the path overloads use the path when this is empty).
  std::string source;

  ReadOptions& with_max_dim(int d) { max_dim = d; return *this; }
  ReadOptions& with_source(std::string s) { source = std::move(s); return *this; }
};

// One point a line; every point must have the same number of coordinates (>= 1).
// Optional header: if the first non-comment line has no field that reads as a number (e.g.
// "x,y,z"), it is taken as column names and skipped; it must have as many fields as the points.
template <class T = double>
PointCloud<T> read_point_cloud(std::istream& in, const ReadOptions& options = {});
template <class T = double>
PointCloud<T> read_point_cloud(const std::filesystem::path& path, const ReadOptions& options = {});

// Ripser's "lower-distance" format: the strict lower triangle of a distance matrix, row by row
// (d(1,0); d(2,0) d(2,1); d(3,0) d(3,1) d(3,2); ...), n (n - 1) / 2 values for n >= 2 points.
// Like Ripser, values may all be on one line or spread over lines. Unlike Ripser, when they are
// on more than one line, the lines must be the rows: the k-th non-blank line holds k values (a
// ragged layout is reported instead of being silently re-flowed). Values must be >= 0.
template <class T = double>
CompressedDistanceMatrix<T> read_lower_distance(std::istream& in, const ReadOptions& options = {});
template <class T = double>
CompressedDistanceMatrix<T> read_lower_distance(const std::filesystem::path& path,
                                                const ReadOptions& options = {});

// A full n x n distance matrix, one row a line. Checks that it is square, that the diagonal is
// exactly 0, that entries are >= 0, and that it is symmetric up to a relative tolerance of 1e-6
// (|a - b| <= 1e-6 max(1, |a|, |b|)); the lower triangle (row i > column j) is kept.
template <class T = double>
CompressedDistanceMatrix<T> read_distance_matrix(std::istream& in, const ReadOptions& options = {});
template <class T = double>
CompressedDistanceMatrix<T> read_distance_matrix(const std::filesystem::path& path,
                                                 const ReadOptions& options = {});

// Ripser's sparse triplet format: one "i j d" a line (0-based point indices, distance d >= 0);
// pairs not listed are absent edges. The number of points is the largest index + 1, so an
// isolated last point is declared by a diagonal line "i i 0" (a non-zero diagonal is an error).
// A pair may be listed twice (as "i j d" and "j i d") only with the same distance.
template <class T = double>
SparseDistanceMatrix<T> read_sparse(std::istream& in, const ReadOptions& options = {});
template <class T = double>
SparseDistanceMatrix<T> read_sparse(const std::filesystem::path& path, const ReadOptions& options = {});

}  // namespace topoembed::ph
