// topoembed ph FILE: Vietoris–Rips persistence of a point cloud or a distance matrix, written as
// Ripser-like text, CSV or JSON, with the critical (birth and death) edge of every pair.
//
// Output formats (values in the units of the input; edges are point pairs (u, v), u > v,
// 0-based as the points or rows of FILE):
// - text: Ripser's layout ("persistence intervals in dim k:" then " [birth,death)" lines, with
//   " [birth, )" for an essential class, numbers with 6 significant digits), each interval
//   followed by its critical edges: "  birth (u,v)  death (u,v)", "-" where there is none.
//   Header lines describe the input, the threshold, and the coefficients when not Z/2. Every
//   dimension 0..--dim gets a heading (Ripser omits dimensions above n - 2).
// - csv: header "dim,birth,death,birth_u,birth_v,death_u,death_v", one pair a row; an essential
//   death is "inf", a missing edge is -1,-1; numbers in the shortest form that reads back exactly.
// - json: {"num_points", "threshold", "max_dim", "modulus", "metric", "input_format", "pairs":
//   [{"dim", "birth", "death", "birth_edge": [u, v] | null, "death_edge": [u, v] | null}]};
//   JSON has no infinity, so an essential death is null (and so is an infinite threshold);
//   "metric" is null for distance-matrix inputs.
// Pairs are ordered by dimension, then death, then birth. --output writes the file atomically.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "topoembed/ph/atomic_file.hpp"
#include "topoembed/ph/io.hpp"
#include "topoembed/ph/rips_persistence.hpp"

namespace topoembed::app {

namespace {

using Value = double;  // the CLI computes in double; Ripser uses float

struct PhOptions {
  std::string input;
  std::string input_format = "point-cloud";
  std::string metric = "euclidean";
  bool metric_given = false;
  int dim = 1;
  std::optional<double> threshold;
  std::uint32_t modulus = ph::kDefaultModulus;
  int threads = 1;
  std::string format = "text";
  std::string output;  // empty: stdout
  bool no_shortcuts = false;
};

// What the formatters say about the input besides the pairs.
struct RunInfo {
  std::string input_format;
  std::optional<ph::Metric> metric;  // point clouds only
  int point_dim = 0;                 // point clouds only
  ph::index_t num_edges = -1;        // sparse input only
  bool threshold_given = false;
  int max_dim = 0;
  std::uint32_t modulus = 2;
};

// CLI11 validator: an integer >= minimum (CLI11's Range prints its bounds as long doubles).
CLI::Validator integer_at_least(long long minimum) {
  return CLI::Validator(
      [minimum](std::string& s) -> std::string {
        long long v = 0;
        const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (r.ptr != s.data() + s.size() || r.ec != std::errc() || v < minimum) {
          return "expected an integer >= " + std::to_string(minimum) + ", got " + s;
        }
        return std::string();
      },
      "INT>=" + std::to_string(minimum));
}

bool is_prime(std::uint64_t p) {
  if (p < 2) return false;
  for (std::uint64_t d = 2; d * d <= p; ++d)
    if (p % d == 0) return false;
  return true;
}

std::string shortest(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

std::string edge_text(const ph::Edge& e) {
  if (!e.valid()) return "-";
  return "(" + std::to_string(e.u) + "," + std::to_string(e.v) + ")";
}

std::string format_text(const ph::RipsResult<Value>& result, const RunInfo& info) {
  std::ostringstream out;  // default 6 significant digits, as Ripser prints
  const auto n = result.num_points;
  if (info.metric) {
    out << "point cloud with " << n << " points in dimension " << info.point_dim << ", "
        << ph::metric_name(*info.metric) << " metric\n";
  } else if (info.num_edges >= 0) {
    out << "sparse distance matrix with " << n << " points and " << info.num_edges << "/" << n * (n - 1) / 2
        << " entries\n";
  } else {
    out << (info.input_format == "lower-distance" ? "lower-distance matrix" : "distance matrix") << " with " << n
        << " points\n";
  }
  if (info.threshold_given) {
    out << "using threshold " << result.threshold << "\n";
  } else if (info.num_edges >= 0) {
    out << "using every entry (no threshold)\n";
  } else {
    out << "using threshold at enclosing radius " << result.threshold << "\n";
  }
  if (info.modulus != 2) out << "coefficients in Z/" << info.modulus << "\n";
  std::size_t k = 0;
  for (int dim = 0; dim <= info.max_dim; ++dim) {
    out << "persistence intervals in dim " << dim << ":\n";
    for (; k < result.pairs.size() && result.pairs[k].dim == dim; ++k) {
      const auto& p = result.pairs[k];
      out << " [" << p.birth << ",";
      if (p.essential()) {
        out << " )";
      } else {
        out << p.death << ")";
      }
      out << "  birth " << edge_text(p.birth_edge) << "  death " << edge_text(p.death_edge) << "\n";
    }
  }
  return out.str();
}

std::string format_csv(const ph::RipsResult<Value>& result) {
  std::string out = "dim,birth,death,birth_u,birth_v,death_u,death_v\n";
  for (const auto& p : result.pairs) {
    out += std::to_string(p.dim) + "," + shortest(p.birth) + "," + (p.essential() ? "inf" : shortest(p.death)) + ",";
    out += std::to_string(p.birth_edge.u) + "," + std::to_string(p.birth_edge.v) + ",";
    out += std::to_string(p.death_edge.u) + "," + std::to_string(p.death_edge.v) + "\n";
  }
  return out;
}

std::string format_json(const ph::RipsResult<Value>& result, const RunInfo& info) {
  using Json = nlohmann::ordered_json;
  auto number_or_null = [](double v) { return std::isinf(v) ? Json(nullptr) : Json(v); };
  auto edge_or_null = [](const ph::Edge& e) { return e.valid() ? Json::array({e.u, e.v}) : Json(nullptr); };
  const Json header{{"num_points", result.num_points},
                    {"threshold", number_or_null(result.threshold)},
                    {"max_dim", info.max_dim},
                    {"modulus", info.modulus},
                    {"metric", info.metric ? Json(ph::metric_name(*info.metric)) : Json(nullptr)},
                    {"input_format", info.input_format}};
  // Written by hand around nlohmann's values so that each pair takes one line.
  std::string out = "{\n";
  for (const auto& item : header.items()) out += "  " + Json(item.key()).dump() + ": " + item.value().dump() + ",\n";
  out += "  \"pairs\": [";
  for (std::size_t k = 0; k < result.pairs.size(); ++k) {
    const auto& p = result.pairs[k];
    const Json pair{{"dim", p.dim},
                    {"birth", p.birth},
                    {"death", number_or_null(p.death)},
                    {"birth_edge", edge_or_null(p.birth_edge)},
                    {"death_edge", edge_or_null(p.death_edge)}};
    out += (k == 0 ? "\n    " : ",\n    ") + pair.dump();
  }
  out += result.pairs.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

// Calls `read(source, options)` with standard input for FILE "-", else with the path.
template <class Read>
auto read_input(const std::string& file, ph::ReadOptions options, Read read) {
  if (file == "-") {
    options.source = "<stdin>";
    return read(std::cin, options);
  }
  return read(std::filesystem::path(file), options);
}

void run_ph(const PhOptions& opts) {
  ph::RipsOptions rips;
  rips.max_dim = opts.dim;
  rips.threshold = opts.threshold;
  rips.modulus = opts.modulus;
  rips.threads = opts.threads;
  rips.shortcuts = !opts.no_shortcuts;
  ph::validate(rips, 0);  // option errors before reading a possibly large file

  if (opts.metric_given && opts.input_format != "point-cloud") {
    throw std::invalid_argument("--metric applies to --input-format point-cloud only, not " + opts.input_format);
  }
  RunInfo info;
  info.input_format = opts.input_format;
  info.threshold_given = opts.threshold.has_value();
  info.max_dim = opts.dim;
  info.modulus = opts.modulus;

  ph::ReadOptions read;
  read.max_dim = opts.dim;  // reject point counts that overflow the simplex index
  ph::RipsResult<Value> result;
  if (opts.input_format == "point-cloud") {
    const auto cloud = read_input(opts.input, read, [](auto&& source, const ph::ReadOptions& r) {
      return ph::read_point_cloud<Value>(source, r);
    });
    info.metric = ph::parse_metric(opts.metric);
    info.point_dim = cloud.dim;
    result = ph::rips_persistence(cloud, *info.metric, rips);
  } else if (opts.input_format == "lower-distance") {
    const auto dm = read_input(opts.input, read, [](auto&& source, const ph::ReadOptions& r) {
      return ph::read_lower_distance<Value>(source, r);
    });
    result = ph::rips_persistence(dm, rips);
  } else if (opts.input_format == "distance-matrix") {
    const auto dm = read_input(opts.input, read, [](auto&& source, const ph::ReadOptions& r) {
      return ph::read_distance_matrix<Value>(source, r);
    });
    result = ph::rips_persistence(dm, rips);
  } else if (opts.input_format == "sparse") {
    const auto sm = read_input(opts.input, read, [](auto&& source, const ph::ReadOptions& r) {
      return ph::read_sparse<Value>(source, r);
    });
    info.num_edges = sm.num_edges();
    result = ph::rips_persistence(sm, rips);
  } else {
    throw std::invalid_argument("unknown --input-format " + opts.input_format);  // CLI11 checks it first
  }

  std::string text;
  if (opts.format == "text") {
    text = format_text(result, info);
  } else if (opts.format == "csv") {
    text = format_csv(result);
  } else if (opts.format == "json") {
    text = format_json(result, info);
  } else {
    throw std::invalid_argument("unknown --format " + opts.format);  // CLI11 checks it first
  }

  if (opts.output.empty()) {
    std::cout << text << std::flush;
    if (!std::cout) throw std::runtime_error("writing to standard output failed");
  } else {
    ph::write_file_atomically(opts.output, text);
  }
}

}  // namespace

Command add_ph_command(CLI::App& parent) {
  auto opts = std::make_shared<PhOptions>();
  CLI::App* sub = parent.add_subcommand(
      "ph", "Vietoris-Rips persistent homology of a point cloud or distance matrix, with critical edges");

  sub->add_option("FILE", opts->input, "Input file ('-' for standard input)")->required();
  sub->add_option("--input-format", opts->input_format,
                  "point-cloud: one point a line; lower-distance: strict lower triangle as Ripser reads "
                  "it; distance-matrix: full square matrix; sparse: 'i j d' triplets")
      ->check(CLI::IsMember({"point-cloud", "lower-distance", "distance-matrix", "sparse"}))
      ->capture_default_str();
  sub->add_option("--metric", opts->metric, "Metric of a point cloud")
      ->check(CLI::IsMember({"euclidean", "manhattan", "chebyshev"}))
      ->capture_default_str();
  sub->add_option("--dim", opts->dim, "Compute homology in dimensions 0..K")
      ->check(integer_at_least(0))
      ->capture_default_str();
  sub->add_option("--threshold", opts->threshold,
                  "Largest edge length of the Rips complex (default: the enclosing radius for dense "
                  "input, every entry for sparse input)")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            double t = 0;
            try {
              std::size_t used = 0;
              t = std::stod(s, &used);
              if (used != s.size()) throw std::invalid_argument(s);
            } catch (const std::exception&) {
              return "expected a number >= 0, got '" + s + "'";
            }
            if (std::isnan(t) || t < 0) return "expected a number >= 0, got " + s;
            return std::string();
          },
          "T>=0"));
  sub->add_option("--modulus", opts->modulus, "Coefficients in the prime field Z/P")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            unsigned long long p = 0;
            const auto r = std::from_chars(s.data(), s.data() + s.size(), p);
            if (r.ptr != s.data() + s.size() || r.ec != std::errc() || !is_prime(p) || p > 251) {
              return "expected a prime number below 256, got " + s;
            }
            return std::string();
          },
          "PRIME"))
      ->capture_default_str();
  sub->add_option("--threads", opts->threads, "Threads within the computation")
      ->check(integer_at_least(1))
      ->capture_default_str();
  sub->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"text", "csv", "json"}))
      ->capture_default_str();
  sub->add_option("--output,-o", opts->output,
                  "Write to this file (atomically: complete or not at all) instead of standard output");
  sub->add_flag("--no-shortcuts", opts->no_shortcuts,
                "Turn off apparent and emergent pairs (plain reduction; same diagram, slower)");
  sub->footer(
      "Output: text reads like Ripser's (' [birth,death)', ' [birth, )' for an essential class) and adds\n"
      "the critical edges (u,v) of each pair; csv has the header\n"
      "dim,birth,death,birth_u,birth_v,death_u,death_v with death 'inf' for an essential class and -1 for\n"
      "a missing edge; json holds num_points, threshold, max_dim, modulus, metric and the pairs, with null\n"
      "for an infinite death and a missing edge.\n"
      "Example: topoembed ph data/examples/circle.csv --dim 1 --format csv --output circle.csv");

  Command command;
  command.subcommand = sub;
  command.run = [opts, sub] {
    opts->metric_given = sub->count("--metric") > 0;
    run_ph(*opts);
  };
  return command;
}

}  // namespace topoembed::app
