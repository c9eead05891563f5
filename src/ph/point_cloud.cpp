#include "topoembed/ph/point_cloud.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace topoembed::ph {

template <class T>
PointCloud<T>::PointCloud(index_t n, int d, std::vector<T> values)
    : num_points(n), dim(d), coords(std::move(values)) {
  if (n < 0 || d < 0) {
    throw std::invalid_argument("PointCloud: expected n >= 0 and dim >= 0, got n = " +
                                std::to_string(n) + ", dim = " + std::to_string(d));
  }
  if (static_cast<index_t>(coords.size()) != n * d) {
    throw std::invalid_argument("PointCloud: expected " + std::to_string(n * d) +
                                " coordinates (n = " + std::to_string(n) + ", dim = " +
                                std::to_string(d) + "), got " + std::to_string(coords.size()));
  }
  for (std::size_t k = 0; k < coords.size(); ++k) {
    if (!std::isfinite(coords[k])) {
      throw std::invalid_argument("PointCloud: point " + std::to_string(k / std::max(d, 1)) +
                                  " has a non-finite coordinate");
    }
  }
}

Metric parse_metric(const std::string& name) {
  if (name == "euclidean" || name == "l2") return Metric::kEuclidean;
  if (name == "manhattan" || name == "l1") return Metric::kManhattan;
  if (name == "chebyshev" || name == "linf") return Metric::kChebyshev;
  throw std::invalid_argument("parse_metric: expected euclidean, manhattan or chebyshev, got '" +
                              name + "'");
}

const char* metric_name(Metric metric) {
  switch (metric) {
    case Metric::kEuclidean: return "euclidean";
    case Metric::kManhattan: return "manhattan";
    case Metric::kChebyshev: return "chebyshev";
  }
  return "unknown";
}

template struct PointCloud<float>;
template struct PointCloud<double>;

}  // namespace topoembed::ph
