// HTML report: sections, tables, escaping, relative and base64 images, atomic write and errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "../support/expect_error.hpp"
#include "topoembed/viz/html_report.hpp"
#include "topoembed/viz/scatter_plot.hpp"

namespace viz = topoembed::viz;
namespace fs = std::filesystem;

namespace {

fs::path report_dir() {
  const fs::path dir = fs::path(TOPOEMBED_BINARY_DIR) / "test_output" / "viz_report";
  fs::create_directories(dir / "plots");
  return dir;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

using topoembed::test_support::error_of;

}  // namespace

TEST(HtmlReport, SectionsTablesAndLinkedImages) {
  const auto dir = report_dir();
  const auto png = (dir / "plots" / "latent.png").string();
  viz::scatter_plot({0, 1, 2}, {0, 1, 0}, {0, 1, 2}, png);

  viz::HtmlReport report("Spheres <TopoAE>");
  report.text("Run of 2 epochs & more.")
      .section("Metrics")
      .metrics_table(std::vector<std::pair<std::string, double>>{{"KL_0.1", 0.123456789}, {"RMSE", 12.5}}, "test set")
      .section("Latent space")
      .image(png, "latent by label")
      .metrics_table(std::vector<std::pair<std::string, std::string>>{{"method", "topoae"}});
  const auto path = dir / "report.html";
  report.write(path.string());
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
  const auto html = slurp(path);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<title>Spheres &lt;TopoAE&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("<p>Run of 2 epochs &amp; more.</p>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Metrics</h2>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Latent space</h2>"), std::string::npos);
  EXPECT_LT(html.find("<h2>Metrics</h2>"), html.find("<h2>Latent space</h2>"));
  EXPECT_NE(html.find("<caption>test set</caption>"), std::string::npos);
  EXPECT_NE(html.find("<tr><th>KL_0.1</th><td class=\"value\">0.123457</td></tr>"), std::string::npos);
  EXPECT_NE(html.find("<tr><th>RMSE</th><td class=\"value\">12.5</td></tr>"), std::string::npos);
  EXPECT_NE(html.find("<tr><th>method</th><td class=\"value\">topoae</td></tr>"), std::string::npos);
  EXPECT_NE(html.find("<img src=\"plots/latent.png\" alt=\"latent by label\">"), std::string::npos);
  EXPECT_NE(html.find("<figcaption>latent by label</figcaption>"), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

TEST(HtmlReport, Base64ImagesMakeOneFile) {
  const auto dir = report_dir();
  // "Ma" encodes to "TWE=" (RFC 4648, with padding); "Man" to "TWFu".
  std::ofstream(dir / "two.bin", std::ios::binary) << "Ma";
  std::ofstream(dir / "three.bin", std::ios::binary) << "Man";
  viz::HtmlReport report("inline", viz::ImageEmbedding::kBase64);
  report.section("Images").image((dir / "two.bin").string()).image((dir / "three.bin").string());
  const auto html = report.render((dir / "inline.html").string());
  EXPECT_NE(html.find("src=\"data:image/png;base64,TWE=\""), std::string::npos);
  EXPECT_NE(html.find("src=\"data:image/png;base64,TWFu\""), std::string::npos);

  const auto png = (dir / "plots" / "inline.png").string();
  viz::scatter_plot({0, 1}, {0, 1}, {}, png);
  viz::HtmlReport real("inline png", viz::ImageEmbedding::kBase64);
  real.image(png);
  // Every PNG starts with the same 8 bytes, "iVBORw0KGgo" in base64.
  EXPECT_NE(real.render((dir / "r.html").string()).find("base64,iVBORw0KGgo"), std::string::npos);
}

TEST(HtmlReport, ClearErrors) {
  const auto dir = report_dir();
  viz::HtmlReport report("errors");
  report.image((dir / "missing.png").string());
  EXPECT_EQ(error_of([&] { report.write((dir / "bad.html").string()); }),
            "HtmlReport: image '" + (dir / "missing.png").string() + "' does not exist");
  EXPECT_FALSE(fs::exists(dir / "bad.html"));
  EXPECT_FALSE(fs::exists(dir / "bad.html.tmp"));

  viz::HtmlReport ok("ok");
  ok.text("x");
  const std::string unwritable = "/nonexistent_topoembed_dir/report.html";
  const auto msg = error_of([&] { ok.write(unwritable); });
  EXPECT_EQ(msg.rfind("HtmlReport::write: cannot write '" + unwritable + "'", 0), 0u) << msg;
  EXPECT_EQ(error_of([&] { ok.metrics_table(std::vector<std::pair<std::string, std::string>>{}); }),
            "HtmlReport::metrics_table: no rows");
  EXPECT_EQ(error_of([&] { ok.section(""); }), "HtmlReport::section: empty heading");
}
