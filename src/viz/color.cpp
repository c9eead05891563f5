// The categorical palette (tab20 hues, reordered so the first ten are tab10's strong colours).
#include "topoembed/viz/color.hpp"

#include <array>

namespace topoembed::viz {

namespace {

constexpr Color rgb(int r, int g, int b) { return Color{r / 255.0, g / 255.0, b / 255.0, 1.0}; }

constexpr std::array<Color, kPaletteSize> kPalette = {
    rgb(31, 119, 180),  rgb(255, 127, 14),  rgb(44, 160, 44),   rgb(214, 39, 40),   rgb(148, 103, 189),
    rgb(140, 86, 75),   rgb(227, 119, 194), rgb(127, 127, 127), rgb(188, 189, 34),  rgb(23, 190, 207),
    rgb(174, 199, 232), rgb(255, 187, 120), rgb(152, 223, 138), rgb(255, 152, 150), rgb(197, 176, 213),
    rgb(196, 156, 148), rgb(247, 182, 210), rgb(199, 199, 199), rgb(219, 219, 141), rgb(158, 218, 229)};

}  // namespace

Color palette_color(std::size_t i) { return kPalette[i % kPaletteSize]; }

}  // namespace topoembed::viz
