#pragma once
// A self-contained HTML report: sections of text, PNG images and metric tables.

#include <string>
#include <utility>
#include <vector>

namespace topoembed::viz {

enum class ImageEmbedding {
  kRelativeLink,  // <img src="plots/latent.png">, relative to the report's folder
  kBase64,        // the PNG inlined as a data: URI (the report is one file)
};

class HtmlReport {
 public:
  explicit HtmlReport(std::string title, ImageEmbedding embedding = ImageEmbedding::kRelativeLink);

  // Starts a new section; later text, images and tables belong to it.
  HtmlReport& section(const std::string& heading);
  HtmlReport& text(const std::string& paragraph);
  HtmlReport& image(const std::string& png_path, const std::string& caption = "");
  HtmlReport& metrics_table(const std::vector<std::pair<std::string, std::string>>& rows,
                            const std::string& caption = "");
  // Numbers written with 6 significant digits.
  HtmlReport& metrics_table(const std::vector<std::pair<std::string, double>>& rows,
                            const std::string& caption = "");

  // The HTML for a report stored at report_path (which fixes relative image links). Throws
  // std::runtime_error naming a missing or unreadable image.
  std::string render(const std::string& report_path) const;
  // Writes render(path) to path atomically (temporary file, then rename).
  void write(const std::string& path) const;

 private:
  struct Block {
    enum class Kind { kText, kImage, kTable } kind;
    std::string text;     // paragraph, image path or table caption
    std::string caption;  // image caption
    std::vector<std::pair<std::string, std::string>> rows;
  };
  struct Section {
    std::string heading;
    std::vector<Block> blocks;
  };
  Section& current();

  std::string title_;
  ImageEmbedding embedding_;
  std::vector<Section> sections_;
};

}  // namespace topoembed::viz
