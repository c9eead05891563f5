#pragma once
// Pieces of the eval measures' argument checks, shared by classification.cpp and
// quality_metrics.cpp: a tensor's shape as message text, and the detached, contiguous CPU float64
// copy the measures compute on. Each caller keeps its own wording of the message.

#include <sstream>
#include <string>

#include <torch/torch.h>

namespace topoembed::eval::detail {

// "[3, 4]" for a defined tensor, if_undefined for an undefined one.
inline std::string shape_of(const torch::Tensor& t, const std::string& if_undefined = "undefined") {
  if (!t.defined()) return if_undefined;
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}

// No copy when t already is a contiguous CPU float64 tensor.
inline torch::Tensor cpu_float64(const torch::Tensor& t) {
  return t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
}

}  // namespace topoembed::eval::detail
