// CSV / NPY round trips, numpy.load on our files, and the error messages on bad files.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "../support/expect_error.hpp"
#include "topoembed/data/point_cloud_io.hpp"

namespace topoembed::data {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  const fs::path dir = fs::path(TOPOEMBED_BINARY_DIR) / "test_tmp" / "data_io";
  fs::create_directories(dir);
  return dir;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

using topoembed::test_support::error_of;

bool have_numpy() {
  return std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") == 0;
}

TEST(Npy, RoundTripsEveryDtype) {
  const auto dir = temp_dir();
  torch::manual_seed(3);
  const torch::Tensor tensors[] = {
      torch::randn({7, 3}, torch::kFloat32), torch::randn({5, 2}, torch::kFloat64),
      torch::randint(-100, 100, {4, 6}, torch::kInt64), torch::randint(0, 9, {11}, torch::kInt32),
      torch::randint(0, 255, {2, 3, 4}, torch::kUInt8), torch::randn({3}) > 0};
  int i = 0;
  for (const auto& t : tensors) {
    const auto path = (dir / ("t" + std::to_string(i++) + ".npy")).string();
    write_npy(path, t);
    const torch::Tensor back = read_npy(path);
    EXPECT_EQ(back.scalar_type(), t.scalar_type());
    EXPECT_TRUE(torch::equal(back, t)) << path;
    EXPECT_FALSE(fs::exists(path + ".tmp"));
  }
}

TEST(Npy, NumpyLoadsOurFilesAndWeReadNumpys) {
  if (!have_numpy()) GTEST_SKIP() << "/usr/bin/python3 with numpy not available";
  const auto dir = temp_dir();
  const torch::Tensor z = torch::tensor({{1.5, -2.25}, {3.0, 1e-300}, {0.1, 7.0}}, torch::kFloat64);
  const auto ours = (dir / "ours.npy").string();
  write_npy(ours, z);
  write_npy((dir / "ours_f4.npy").string(), z.to(torch::kFloat32));
  const auto theirs = (dir / "theirs.npy").string();
  const auto fortran = (dir / "fortran.npy").string();
  const std::string cmd =
      "/usr/bin/python3 -c \"import numpy as np; a = np.load('" + ours + "');"
      "assert a.dtype == np.float64 and a.shape == (3, 2) and a[1, 1] == 1e-300 and a[2, 0] == 0.1;"
      "b = np.load('" + (dir / "ours_f4.npy").string() + "'); assert b.dtype == np.float32;"
      "np.save('" + theirs + "', np.arange(12, dtype=np.int64).reshape(3, 4));"
      "np.save('" + fortran + "', np.asfortranarray(np.arange(6.0).reshape(2, 3)))\"";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_TRUE(torch::equal(read_npy(theirs), torch::arange(12, torch::kInt64).reshape({3, 4})));
  EXPECT_TRUE(torch::equal(read_npy(fortran), torch::arange(6, torch::kFloat64).reshape({2, 3})));
}

TEST(Npy, RejectsBadFiles) {
  const auto dir = temp_dir();
  write_text(dir / "bad.npy", "not numpy at all");
  EXPECT_EQ(error_of([&] { read_npy((dir / "bad.npy").string()); }),
            "read_npy: " + (dir / "bad.npy").string() + ": bad magic, expected \\x93NUMPY");
  const auto good = (dir / "good.npy").string();
  write_npy(good, torch::ones({100}, torch::kFloat64));
  fs::resize_file(good, fs::file_size(good) - 8);
  EXPECT_EQ(error_of([&] { read_npy(good); }),
            "read_npy: " + good + ": truncated, expected 800 bytes of data, got 792");
  EXPECT_EQ(error_of([&] { write_npy(good, torch::ones({2}, torch::kFloat16)); }),
            "write_npy: unsupported dtype Half, expected float32, float64, int64, int32, uint8 or bool");
  EXPECT_NE(error_of([&] { read_npy((dir / "missing.npy").string()); }).find("cannot open"),
            std::string::npos);
}

TEST(Csv, RoundTripsWithHeaderAndLatents) {
  const auto dir = temp_dir();
  const torch::Tensor v = torch::randn({6, 3}, torch::kFloat64);
  const auto path = (dir / "v.csv").string();
  CsvWriteOptions options;
  options.header = {"a", "b", "c"};
  write_csv(path, v, options);
  const CsvTable back = read_csv(path);
  EXPECT_EQ(back.header, options.header);
  EXPECT_TRUE(torch::equal(back.values, v));  // 17 significant digits round-trip exactly

  const torch::Tensor z = torch::randn({4, 2}, torch::kFloat32);
  const torch::Tensor labels = torch::tensor({0, 3, 10, 1}, torch::kInt64);
  const auto latents = (dir / "latents.csv").string();
  write_latents_csv(latents, z, labels);
  const CsvTable table = read_csv(latents);
  EXPECT_EQ(table.header, (std::vector<std::string>{"0", "1", "labels"}));
  EXPECT_TRUE(torch::equal(table.values.slice(1, 0, 2).to(torch::kFloat32), z));
  EXPECT_TRUE(torch::equal(table.values.select(1, 2).to(torch::kInt64), labels));
}

TEST(Csv, ReadsHeaderlessFilesAndPointClouds) {
  const auto dir = temp_dir();
  write_text(dir / "p.csv", "1,2\n3.5, -4e2\n\n5,6\n");
  const CsvTable t = read_csv((dir / "p.csv").string());
  EXPECT_TRUE(t.header.empty());
  EXPECT_TRUE(torch::equal(t.values, torch::tensor({{1.0, 2.0}, {3.5, -400.0}, {5.0, 6.0}},
                                                   torch::kFloat64)));
  write_npy((dir / "p.npy").string(), t.values.to(torch::kFloat32));
  EXPECT_TRUE(torch::equal(read_point_cloud((dir / "p.npy").string()), t.values));
  EXPECT_TRUE(torch::equal(read_point_cloud((dir / "p.csv").string()), t.values));
}

TEST(Csv, ErrorsNameFileAndLine) {
  const auto dir = temp_dir();
  const auto ragged = (dir / "ragged.csv").string();
  write_text(ragged, "x,y\n1,2\n3,4,5\n");
  EXPECT_EQ(error_of([&] { read_csv(ragged); }),
            "read_csv: " + ragged + " line 3 has 3 values, expected 2");
  const auto word = (dir / "word.csv").string();
  write_text(word, "1,2\n3,abc\n");
  EXPECT_EQ(error_of([&] { read_csv(word); }),
            "read_csv: " + word + " line 2 column 2: expected a number, got 'abc'");
  const auto empty = (dir / "empty.csv").string();
  write_text(empty, "a,b\n");
  EXPECT_EQ(error_of([&] { read_csv(empty); }), "read_csv: " + empty + " has no data rows");
  const auto nan = (dir / "nan.csv").string();
  write_text(nan, "1,nan\n");
  EXPECT_EQ(error_of([&] { read_point_cloud(nan); }),
            "read_point_cloud: " + nan + ": contains NaN or infinite values");
  EXPECT_EQ(error_of([&] { read_point_cloud("cloud.xyz"); }),
            "read_point_cloud: cloud.xyz: expected a .csv, .txt or .npy file");
  EXPECT_EQ(error_of([&] { write_csv((dir / "h.csv").string(), torch::ones({2, 2}),
                                     CsvWriteOptions{',', {"only one"}}); }),
            "write_csv: 1 header names for 2 columns");
}

}  // namespace
}  // namespace topoembed::data
