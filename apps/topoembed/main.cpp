// topoembed: command-line front end. Parses the command line, then runs the chosen subcommand;
// every failure ends as "error: ..." on stderr and a non-zero exit status.
#include <exception>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace {

// The subcommands, in the order of `topoembed --help`.
std::vector<topoembed::app::AddCommand> command_list() {
  return {
      topoembed::app::add_ph_command,
#ifdef TOPOEMBED_WITH_TORCH
      topoembed::app::add_train_command,
      topoembed::app::add_embed_command,
      topoembed::app::add_eval_command,
      topoembed::app::add_report_command,
      topoembed::app::add_nerve_command,
      topoembed::app::add_data_command,
      topoembed::app::add_dimsweep_command,
#endif
  };
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"topoembed: topology-aware representation learning and persistent homology"};
  app.require_subcommand(1);

  std::vector<topoembed::app::Command> commands;
  try {
    for (const auto add : command_list()) commands.push_back(add(app));
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::cerr << "error: " << e.what() << "\nRun with --help for more information.\n";
    return e.get_exit_code();
  }

  try {
    for (const auto& command : commands) {
      if (command.subcommand->parsed()) command.run();
    }
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  } catch (...) {
    std::cerr << "error: unknown exception\n";
    return 1;
  }
  return 0;
}
