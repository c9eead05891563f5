#pragma once
// topoembed::diff — differentiable topology on LibTorch (umbrella header).
#include "topoembed/diff/diagram_losses.hpp"
#include "topoembed/diff/distances.hpp"
#include "topoembed/diff/regularizers.hpp"
#include "topoembed/diff/topological_losses.hpp"
#include "topoembed/diff/vietoris_rips.hpp"
