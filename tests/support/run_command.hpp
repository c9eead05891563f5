#pragma once
// run_command(program, args, scratch_dir[, stdin_file]): runs `program args` through the shell and
// returns its exit status, stdout and stderr, for the tests that run the built topoembed binary.
// The output goes through two files in scratch_dir (removed afterwards) rather than a pipe, so a
// chatty command cannot block on a full pipe. args are passed to the shell as given: quote paths
// with shell_quote. Included as "../support/run_command.hpp".

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "files.hpp"

namespace topoembed::test_support {

struct CommandOutcome {
  int code = -1;  // the exit status; -1 when the command did not exit normally (a signal)
  std::string out;
  std::string err;
};

// s in single quotes for /bin/sh, its own single quotes escaped.
inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline CommandOutcome run_command(const std::string& program, const std::string& args,
                                  const std::filesystem::path& scratch_dir, const std::string& stdin_file = "") {
  const auto out = scratch_dir / "stdout.txt";
  const auto err = scratch_dir / "stderr.txt";
  std::string command = shell_quote(program) + " " + args + " > " + shell_quote(out.string()) + " 2> " +
                        shell_quote(err.string());
  if (!stdin_file.empty()) command += " < " + shell_quote(stdin_file);
  const int status = std::system(command.c_str());
  CommandOutcome r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

}  // namespace topoembed::test_support
