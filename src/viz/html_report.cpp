// HTML report: sections of paragraphs, images (linked or inlined) and metric tables.
#include "topoembed/viz/html_report.hpp"

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "detail/files.hpp"

namespace topoembed::viz {

namespace fs = std::filesystem;

namespace {

std::string escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

constexpr const char* kStyle =
    "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;color:#222}"
    "h1{border-bottom:2px solid #1f77b4}h2{margin-top:1.6em;border-bottom:1px solid #ccc}"
    "figure{display:inline-block;margin:0.5em 1em 0.5em 0;vertical-align:top}"
    "figure img{max-width:100%;border:1px solid #ddd}figcaption{font-size:0.9em;color:#555}"
    "table{border-collapse:collapse;margin:0.6em 0}td,th{border:1px solid #ccc;padding:0.25em 0.8em}"
    "td.value{text-align:right;font-family:'DejaVu Sans Mono',monospace}caption{text-align:left;color:#555}";

}  // namespace

HtmlReport::HtmlReport(std::string title, ImageEmbedding embedding) : title_(std::move(title)), embedding_(embedding) {}

HtmlReport::Section& HtmlReport::current() {
  if (sections_.empty()) sections_.push_back({});
  return sections_.back();
}

HtmlReport& HtmlReport::section(const std::string& heading) {
  if (heading.empty()) throw std::invalid_argument("HtmlReport::section: empty heading");
  sections_.push_back({heading, {}});
  return *this;
}

HtmlReport& HtmlReport::text(const std::string& paragraph) {
  current().blocks.push_back({Block::Kind::kText, paragraph, "", {}});
  return *this;
}

HtmlReport& HtmlReport::image(const std::string& png_path, const std::string& caption) {
  if (png_path.empty()) throw std::invalid_argument("HtmlReport::image: empty image path");
  current().blocks.push_back({Block::Kind::kImage, png_path, caption, {}});
  return *this;
}

HtmlReport& HtmlReport::metrics_table(const std::vector<std::pair<std::string, std::string>>& rows,
                                      const std::string& caption) {
  if (rows.empty()) throw std::invalid_argument("HtmlReport::metrics_table: no rows");
  current().blocks.push_back({Block::Kind::kTable, caption, "", rows});
  return *this;
}

HtmlReport& HtmlReport::metrics_table(const std::vector<std::pair<std::string, double>>& rows,
                                      const std::string& caption) {
  std::vector<std::pair<std::string, std::string>> text_rows;
  for (const auto& [key, value] : rows) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", value);
    text_rows.emplace_back(key, buf);
  }
  return metrics_table(text_rows, caption);
}

std::string HtmlReport::render(const std::string& report_path) const {
  const std::string op = "HtmlReport";
  const fs::path report_dir = fs::absolute(fs::path(report_path)).parent_path();
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << escape(title_)
       << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<h1>" << escape(title_) << "</h1>\n";
  for (const auto& s : sections_) {
    html << "<section>\n";
    if (!s.heading.empty()) html << "<h2>" << escape(s.heading) << "</h2>\n";
    for (const auto& b : s.blocks) {
      switch (b.kind) {
        case Block::Kind::kText:
          html << "<p>" << escape(b.text) << "</p>\n";
          break;
        case Block::Kind::kImage: {
          std::error_code ec;
          if (!fs::is_regular_file(b.text, ec)) {
            throw std::runtime_error(op + ": image '" + b.text + "' does not exist");
          }
          std::string src;
          if (embedding_ == ImageEmbedding::kBase64) {
            src = "data:image/png;base64," + detail::base64_encode(detail::read_file_bytes(b.text, op));
          } else {
            src = fs::absolute(fs::path(b.text)).lexically_normal().lexically_relative(report_dir.lexically_normal())
                      .generic_string();
          }
          html << "<figure><img src=\"" << escape(src) << "\" alt=\"" << escape(b.caption) << "\">";
          if (!b.caption.empty()) html << "<figcaption>" << escape(b.caption) << "</figcaption>";
          html << "</figure>\n";
          break;
        }
        case Block::Kind::kTable:
          html << "<table>\n";
          if (!b.text.empty()) html << "<caption>" << escape(b.text) << "</caption>\n";
          for (const auto& [key, value] : b.rows) {
            html << "<tr><th>" << escape(key) << "</th><td class=\"value\">" << escape(value) << "</td></tr>\n";
          }
          html << "</table>\n";
          break;
      }
    }
    html << "</section>\n";
  }
  html << "</body>\n</html>\n";
  return html.str();
}

void HtmlReport::write(const std::string& path) const {
  if (path.empty()) throw std::invalid_argument("HtmlReport::write: empty output path");
  detail::write_text_atomically(path, render(path), "HtmlReport::write");
}

}  // namespace topoembed::viz
