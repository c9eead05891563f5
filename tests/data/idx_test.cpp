// idx reading: Debian's Fashion-MNIST files, the paper's normalisation, and malformed files.
#include <gtest/gtest.h>

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../support/expect_error.hpp"
#include "topoembed/data/idx.hpp"

namespace topoembed::data {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  const fs::path dir = fs::path(TOPOEMBED_BINARY_DIR) / "test_tmp" / "data_idx";
  fs::create_directories(dir);
  return dir;
}

void write_bytes(const fs::path& path, const std::vector<unsigned char>& bytes, bool gzip) {
  if (gzip) {
    gzFile f = gzopen(path.string().c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
  } else {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
}

using topoembed::test_support::error_of;

TEST(Idx, ReadsHandMadeFilesPlainAndGzipped) {
  const auto dir = temp_dir();
  // 2 images of 2 x 3, then 2 labels.
  const std::vector<unsigned char> images = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3,
                                             0, 51, 102, 153, 204, 255, 255, 0, 0, 0, 0, 0};
  const std::vector<unsigned char> labels = {0, 0, 8, 1, 0, 0, 0, 2, 7, 9};
  for (bool gz : {false, true}) {
    const auto ip = dir / (gz ? "img.gz" : "img");
    const auto lp = dir / (gz ? "lab.gz" : "lab");
    write_bytes(ip, images, gz);
    write_bytes(lp, labels, gz);
    const torch::Tensor raw = read_idx_ubyte(ip.string());
    EXPECT_EQ(raw.sizes(), (std::vector<std::int64_t>{2, 2, 3}));
    EXPECT_EQ(raw[0][1][2].item<std::uint8_t>(), 255);
    const ImageSet set = load_idx_image_set(ip.string(), lp.string());
    EXPECT_EQ(set.images.sizes(), (std::vector<std::int64_t>{2, 6}));
    EXPECT_EQ(set.images[0][0].item<float>(), -1.0f);
    EXPECT_EQ(set.images[0][5].item<float>(), 1.0f);
    EXPECT_FLOAT_EQ(set.images[0][2].item<float>(), (102.0f / 255.0f - 0.5f) / 0.5f);
    EXPECT_TRUE(torch::equal(set.labels, torch::tensor({7, 9}, torch::kInt64)));
    ImageSetOptions unflat;
    unflat.flatten = false;
    unflat.symmetric_range = false;
    const ImageSet set2 = load_idx_image_set(ip.string(), lp.string(), unflat);
    EXPECT_EQ(set2.images.sizes(), (std::vector<std::int64_t>{2, 1, 2, 3}));
    EXPECT_FLOAT_EQ(set2.images[0][0][0][1].item<float>(), 51.0f / 255.0f);
  }
}

TEST(Idx, RejectsBadMagicTruncationAndMismatch) {
  const auto dir = temp_dir();
  const auto bad = dir / "bad_magic";
  write_bytes(bad, {1, 2, 8, 1, 0, 0, 0, 1, 5}, false);
  EXPECT_EQ(error_of([&] { read_idx_ubyte(bad.string()); }),
            "read_idx_ubyte: " + bad.string() +
                ": bad magic, expected an idx file starting with two zero bytes, got 1 2");
  const auto type = dir / "float_type";
  write_bytes(type, {0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0}, false);
  EXPECT_EQ(error_of([&] { read_idx_ubyte(type.string()); }),
            "read_idx_ubyte: " + type.string() + ": expected type code 0x08 (unsigned byte), got 13");
  const auto truncated = dir / "truncated.gz";
  write_bytes(truncated, {0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3}, true);
  EXPECT_EQ(error_of([&] { read_idx_ubyte(truncated.string()); }),
            "read_idx_ubyte: " + truncated.string() + ": truncated, expected 10 bytes of data, got 3");
  const auto labels = dir / "three_labels";
  write_bytes(labels, {0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3}, false);
  const auto images = dir / "one_image";
  write_bytes(images, {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9}, false);
  EXPECT_NE(error_of([&] { load_idx_image_set(images.string(), labels.string()); })
                .find("expected 1 labels"),
            std::string::npos);
  EXPECT_EQ(error_of([&] { read_idx_ubyte((dir / "missing").string()); }),
            "read_idx_ubyte: cannot open " + (dir / "missing").string());
  EXPECT_NE(error_of([&] { load_mnist(dir.string(), Split::kTrain); }).find("neither"),
            std::string::npos);
}

TEST(FashionMnist, TestSplitShapeRangeAndLabels) {
  if (!fs::exists(std::string(kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist not installed";
  }
  const ImageSet test = load_fashion_mnist(Split::kTest);
  EXPECT_EQ(test.images.sizes(), (std::vector<std::int64_t>{10000, 784}));
  EXPECT_EQ(test.images.min().item<float>(), -1.0f);
  EXPECT_EQ(test.images.max().item<float>(), 1.0f);
  // Ten balanced classes; the first t10k label is 9 (ankle boot), the second 2 (pullover).
  EXPECT_TRUE(torch::equal(torch::bincount(test.labels), torch::full({10}, 1000, torch::kInt64)));
  EXPECT_EQ(test.labels[0].item<std::int64_t>(), 9);
  EXPECT_EQ(test.labels[1].item<std::int64_t>(), 2);
}

}  // namespace
}  // namespace topoembed::data
