// idx reader (big-endian header: 0, 0, type code, number of dimensions, then the sizes) over
// zlib's gz* functions, which read uncompressed files transparently.
#include "topoembed/data/idx.hpp"

#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace topoembed::data {

namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzHandle = std::unique_ptr<gzFile_s, GzCloser>;

// Reads exactly `size` bytes, or throws naming what was expected.
void read_exact(gzFile file, const std::string& path, void* out, std::size_t size,
                const char* what) {
  std::size_t done = 0;
  auto* bytes = static_cast<unsigned char*>(out);
  while (done < size) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(size - done, 1U << 30));
    const int got = gzread(file, bytes + done, chunk);
    if (got < 0) {
      int code = 0;
      const char* message = gzerror(file, &code);
      throw std::runtime_error("read_idx_ubyte: " + path + ": corrupt gzip stream (" +
                               std::string(message != nullptr ? message : "?") + ")");
    }
    if (got == 0) {
      throw std::runtime_error("read_idx_ubyte: " + path + ": truncated, expected " +
                               std::to_string(size) + " bytes of " + what + ", got " +
                               std::to_string(done));
    }
    done += static_cast<std::size_t>(got);
  }
}

std::string file_for(const std::string& dir, Split split, const char* kind) {
  const std::string prefix = split == Split::kTrain ? "train" : "t10k";
  const std::string dims = std::string(kind) == "images" ? "idx3" : "idx1";
  const std::string base = dir + "/" + prefix + "-" + kind + "-" + dims + "-ubyte";
  if (std::ifstream(base + ".gz").good()) return base + ".gz";
  if (std::ifstream(base).good()) return base;
  throw std::runtime_error("load_idx: neither " + base + ".gz nor " + base + " exists");
}

}  // namespace

torch::Tensor read_idx_ubyte(const std::string& path) {
  if (!std::ifstream(path).good()) {
    throw std::runtime_error("read_idx_ubyte: cannot open " + path);
  }
  GzHandle file(gzopen(path.c_str(), "rb"));
  if (!file) throw std::runtime_error("read_idx_ubyte: cannot open " + path);
  unsigned char magic[4] = {0, 0, 0, 0};
  read_exact(file.get(), path, magic, 4, "header");
  if (magic[0] != 0 || magic[1] != 0) {
    throw std::runtime_error("read_idx_ubyte: " + path +
                             ": bad magic, expected an idx file starting with two zero bytes, got " +
                             std::to_string(magic[0]) + " " + std::to_string(magic[1]));
  }
  if (magic[2] != 0x08) {
    throw std::runtime_error("read_idx_ubyte: " + path +
                             ": expected type code 0x08 (unsigned byte), got " +
                             std::to_string(magic[2]));
  }
  const int ndim = magic[3];
  if (ndim < 1 || ndim > 4) {
    throw std::runtime_error("read_idx_ubyte: " + path + ": expected 1 to 4 dimensions, got " +
                             std::to_string(ndim));
  }
  std::vector<std::int64_t> shape;
  std::uint64_t total = 1;
  for (int d = 0; d < ndim; ++d) {
    unsigned char b[4];
    read_exact(file.get(), path, b, 4, "header");
    const std::uint32_t size = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                               (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
    shape.push_back(static_cast<std::int64_t>(size));
    total *= size;
    if (total > (std::uint64_t{1} << 36)) {
      throw std::runtime_error("read_idx_ubyte: " + path + ": header announces more than 2^36 values");
    }
  }
  torch::Tensor out = torch::empty(shape, torch::kUInt8);
  read_exact(file.get(), path, out.data_ptr<std::uint8_t>(), static_cast<std::size_t>(total),
             "data");
  return out;
}

ImageSet load_idx_image_set(const std::string& images_path, const std::string& labels_path,
                            const ImageSetOptions& options) {
  const torch::Tensor raw = read_idx_ubyte(images_path);
  const torch::Tensor labels = read_idx_ubyte(labels_path);
  if (raw.dim() != 3) {
    throw std::runtime_error("load_idx_image_set: " + images_path +
                             ": expected 3 dimensions [N, rows, cols], got " +
                             std::to_string(raw.dim()));
  }
  if (labels.dim() != 1 || labels.size(0) != raw.size(0)) {
    throw std::runtime_error("load_idx_image_set: " + labels_path + ": expected " +
                             std::to_string(raw.size(0)) + " labels in 1 dimension, got shape of " +
                             std::to_string(labels.dim()) + " dimension(s) with " +
                             std::to_string(labels.size(0)) + " entries");
  }
  // float32 throughout, in torchvision's order of operations.
  torch::Tensor images = raw.to(torch::kFloat32).div_(255.0);
  if (options.symmetric_range) images.sub_(0.5).div_(0.5);
  const std::int64_t n = raw.size(0);
  images = options.flatten ? images.reshape({n, raw.size(1) * raw.size(2)})
                           : images.reshape({n, 1, raw.size(1), raw.size(2)});
  return ImageSet{images.contiguous(), labels.to(torch::kInt64)};
}

ImageSet load_fashion_mnist(Split split, const ImageSetOptions& options, const std::string& dir) {
  return load_idx_image_set(file_for(dir, split, "images"), file_for(dir, split, "labels"),
                            options);
}

ImageSet load_mnist(const std::string& dir, Split split, const ImageSetOptions& options) {
  return load_idx_image_set(file_for(dir, split, "images"), file_for(dir, split, "labels"),
                            options);
}

}  // namespace topoembed::data
