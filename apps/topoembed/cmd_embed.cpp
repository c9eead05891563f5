// topoembed embed: latents of new points under a trained run's model.
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include "topoembed/train/workflows.hpp"

namespace topoembed::app {

namespace {

struct EmbedFlags {
  std::string run_dir;
  std::string input;
  std::string output;
};

}  // namespace

Command add_embed_command(CLI::App& parent) {
  auto f = std::make_shared<EmbedFlags>();
  CLI::App* sub = parent.add_subcommand("embed", "Embed points with a trained run's model (best validation epoch)");
  sub->add_option("--run-dir", f->run_dir, "Run directory of `topoembed train`")->required();
  sub->add_option("--input", f->input,
                  "Points (.csv or .npy) in the model's input space, i.e. preprocessed as the training "
                  "data (a CSV column named label/labels is ignored)")
      ->required();
  sub->add_option("--output", f->output, "Latents to write (.csv with columns z0..z{d-1}, or .npy), atomically")
      ->required();
  return {sub, [f] {
            const auto n = train::embed_file(f->run_dir, f->input, f->output);
            std::cout << "embedded " << n << " points into " << f->output << "\n";
          }};
}

}  // namespace topoembed::app
