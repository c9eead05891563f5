#pragma once
// Run-directory checks the subcommands share (report, nerve, train --resume): the directory must
// exist, and an atlas run is told from an autoencoder run by its config file.

#include <filesystem>
#include <stdexcept>
#include <string>

namespace topoembed::app {

// Throws std::runtime_error "<command>: run directory '<run_dir>' does not exist" unless run_dir is
// a directory, so that a mistyped path is named as such rather than as a missing file inside it.
inline void require_run_dir(const std::filesystem::path& run_dir, const std::string& command) {
  if (!std::filesystem::is_directory(run_dir))
    throw std::runtime_error(command + ": run directory '" + run_dir.string() + "' does not exist");
}

// An atlas run holds atlas_config.json and no config.json (train --method atlas-ae writes it so);
// an autoencoder run holds config.json.
inline bool is_atlas_run(const std::filesystem::path& run_dir) {
  return std::filesystem::exists(run_dir / "atlas_config.json") && !std::filesystem::exists(run_dir / "config.json");
}

}  // namespace topoembed::app
