#pragma once
// Activation functions selectable by name in model options and config files.

#include <string>

namespace topoembed::models {

enum class Activation { kIdentity, kReLU, kLeakyReLU, kELU, kTanh, kSigmoid, kGELU };

// Names: "identity", "relu", "leaky-relu", "elu", "tanh", "sigmoid", "gelu".
// Throws std::invalid_argument naming the accepted values for anything else.
Activation parse_activation(const std::string& name);
std::string activation_name(Activation activation);

}  // namespace topoembed::models
