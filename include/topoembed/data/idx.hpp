#pragma once
// MNIST-style idx files (LeCun's format, plain or gzip-compressed) and the Fashion-MNIST /
// MNIST image sets, normalised as the Topological Autoencoders code does it.

#include <string>

#include <torch/torch.h>

namespace topoembed::data {

// Where Debian's dataset-fashion-mnist package installs the files.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// One idx file of unsigned bytes (type code 0x08): a uint8 tensor shaped as its header says.
// Reads gzip-compressed and plain files alike. Throws std::runtime_error naming the file on a
// missing file, bad magic, unsupported type, or fewer bytes than the header announces.
torch::Tensor read_idx_ubyte(const std::string& path);

enum class Split { kTrain, kTest };

struct ImageSetOptions {
  // [N, rows * cols] when true, else [N, 1, rows, cols].
  bool flatten = true;
  // (x / 255 - 0.5) / 0.5 in float32 (ToTensor + Normalize((0.5,), (0.5,))), values in [-1, 1];
  // when false, x / 255 in [0, 1].
  bool symmetric_range = true;
};

struct ImageSet {
  torch::Tensor images;  // float32, see ImageSetOptions
  torch::Tensor labels;  // int64 [N]
};

// An image file ([N, rows, cols]) and its label file ([N]) with matching N; labels must be < 256.
ImageSet load_idx_image_set(const std::string& images_path, const std::string& labels_path,
                            const ImageSetOptions& options = {});

// Fashion-MNIST from `dir` (files train-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, ...),
// in the files' order.
ImageSet load_fashion_mnist(Split split, const ImageSetOptions& options = {},
                            const std::string& dir = kFashionMnistDir);

// MNIST from a user's folder with the same file names (gzip-compressed or not).
ImageSet load_mnist(const std::string& dir, Split split, const ImageSetOptions& options = {});

}  // namespace topoembed::data
