#!/usr/bin/env bash
# The Spheres runs of experiments/spheres_table.sh scored with the model after the LAST epoch
# (model.pt) instead of the best-validation model (best_model.pt) that `topoembed train` scores.
# The paper's code evaluates the model at the end of training (the last epoch, or `patience`
# epochs after the best one when early stopping fired), so this is its protocol on the same runs:
# no retraining. A run directory holding only model.pt is embedded by `topoembed embed` and scored
# by `topoembed eval --dataset spheres` (the test split); the result, plus "epochs_run" (from
# trainer_state.json), "model": "last" and the run's "train_seconds", goes to
# experiments/results/spheres/<method>-last/seed<S>.json (no data MSE: eval sees latents only).
#
# Usage: experiments/spheres_last_model.sh BUILD_DIR RUNS_DIR     (RUNS_DIR of spheres_table.sh)
#   SEEDS="1 2 3 4 5"   METHODS="topoae-tuned"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: spheres_last_model.sh BUILD_DIR RUNS_DIR}
runs=${2:?usage: spheres_last_model.sh BUILD_DIR RUNS_DIR}
bin=$build/bin/topoembed
seeds=${SEEDS:-"1 2 3 4 5"}
methods=${METHODS:-"topoae-tuned"}
results=$root/experiments/results/spheres
[[ -x $bin ]] || { echo "error: '$bin' is not an executable (build the topoembed target first)" >&2; exit 1; }
command -v jq > /dev/null || { echo "error: jq is needed" >&2; exit 1; }

test_x=$runs/spheres_test.npy
if [[ ! -f $test_x ]]; then
  "$bin" data export --dataset spheres --split test --output "$runs/spheres_test.tmp.npy" > /dev/null
  mv "$runs/spheres_test.tmp.npy" "$test_x"
fi

for m in $methods; do
  for seed in $seeds; do
    dir=$runs/$m/seed$seed
    best=$results/$m/seed$seed.json
    target=$results/$m-last/seed$seed.json
    [[ -f $dir/model.pt && -f $dir/trainer_state.json && -f $dir/metrics.json ]] \
      || { echo "error: $dir is not a finished run (model.pt, trainer_state.json, metrics.json)" >&2; exit 1; }
    rm -rf "$dir/last"
    mkdir -p "$dir/last" "$(dirname "$target")"
    cp "$dir/model.pt" "$dir/last/model.pt"
    "$bin" embed --run-dir "$dir/last" --input "$test_x" --output "$dir/last/latents.csv" > /dev/null
    nice -n 10 "$bin" eval --latents "$dir/last/latents.csv" --dataset spheres --output "$dir/last/metrics.json" > /dev/null
    seconds=null
    [[ -f $best ]] && seconds=$(jq '.train_seconds // null' "$best")
    jq --slurpfile t "$dir/trainer_state.json" --argjson s "$seconds" \
      '. + {epochs_run: $t[0].epoch, best_epoch: $t[0].best_epoch, model: "last", train_seconds: $s}' \
      "$dir/last/metrics.json" > "$target.tmp"
    mv "$target.tmp" "$target"
    jq -r --arg m "$m" --arg seed "$seed" \
      '"\($m) seed \($seed), last epoch \(.epochs_run) (best \(.best_epoch)): KL_0.01 \(.["kl_0.01"]) KL_0.1 \(.["kl_0.1"]) l-Cont \(.continuity_mean)"' \
      "$target"
  done
done
