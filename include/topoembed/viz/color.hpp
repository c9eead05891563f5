#pragma once
// Colours and the categorical palette (matplotlib's tab20 order: the ten tab10 hues first, then
// their light variants, so up to 10 classes get strongly distinct colours and 20 stay distinct).

#include <cstddef>

namespace topoembed::viz {

struct Color {
  double r = 0, g = 0, b = 0, a = 1;  // each in [0, 1]
};

inline constexpr std::size_t kPaletteSize = 20;

// Colour of class i; indices beyond the palette cycle.
Color palette_color(std::size_t i);

}  // namespace topoembed::viz
