#pragma once
// Subcommands of the topoembed tool. Each cmd_<name>.cpp defines one add_<name>_command, which
// declares the subcommand's options on the parent app (parsing only) and returns how to run it.

#include <functional>

#include <CLI/CLI.hpp>

namespace topoembed::app {

struct Command {
  CLI::App* subcommand = nullptr;  // owned by the parent app; true after parse when it was given
  std::function<void()> run;       // runs with the parsed options; throws on failure
};

using AddCommand = Command (*)(CLI::App& parent);

// topoembed ph FILE ...: Vietoris–Rips persistence of a point cloud or distance matrix.
Command add_ph_command(CLI::App& parent);

#ifdef TOPOEMBED_WITH_TORCH
// topoembed train / embed / eval / report (topoembed::train; docs/training.md).
Command add_train_command(CLI::App& parent);
Command add_embed_command(CLI::App& parent);
Command add_eval_command(CLI::App& parent);
Command add_report_command(CLI::App& parent);
// topoembed nerve RUN_DIR: the fuzzy Čech nerve of an atlas run (cmd_nerve.cpp).
Command add_nerve_command(CLI::App& parent);
// topoembed data export: a data set's split as .npy/.csv (cmd_data.cpp).
Command add_data_command(CLI::App& parent);
// topoembed dimsweep: atlas autoencoders for d = 1..D_max, losses against d (cmd_dimsweep.cpp).
Command add_dimsweep_command(CLI::App& parent);
#endif

}  // namespace topoembed::app
