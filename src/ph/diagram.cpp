// Argument checks shared by the diagram summaries and distances.
#include "topoembed/ph/diagram.hpp"

#include <sstream>

namespace topoembed::ph::detail {

void check_interval(double birth, double death, const char* caller, const char* what, std::size_t i) {
  if (std::isfinite(birth) && !std::isnan(death) && death >= birth) return;
  std::ostringstream msg;
  msg.precision(17);
  msg << caller << ": " << what << ' ' << i << " is (" << birth << ", " << death
      << "), expected a finite birth and birth <= death <= +inf";
  throw std::invalid_argument(msg.str());
}

void check_power(double p, const char* caller) {
  if (p > 0 && std::isfinite(p)) return;
  std::ostringstream msg;
  msg << caller << ": power p must be finite and > 0, got " << p;
  throw std::invalid_argument(msg.str());
}

}  // namespace topoembed::ph::detail
