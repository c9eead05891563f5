#!/usr/bin/env bash
# Finished runs of experiments/spheres_table.sh or experiments/fmnist_table.sh scored with the
# model after the LAST epoch (model.pt) instead of the best-validation model (best_model.pt) that
# `topoembed train` scores. The paper's code evaluates the model at the end of training (the last
# epoch, or `patience` epochs after the best one when early stopping fired), so this is its
# protocol on the same runs: no retraining. A run directory holding only model.pt is embedded by
# `topoembed embed` and scored by `topoembed eval --dataset DATASET` (the test split); the result,
# plus "epochs_run", "best_epoch" (from trainer_state.json), "model": "last" and the run's
# "train_seconds" and "epochs" (from the best-model result file), goes to
# experiments/results/DATASET/<method>-last/seed<S>.json (no data MSE: eval sees latents only).
#
# Usage: experiments/last_model.sh spheres|fmnist BUILD_DIR RUNS_DIR
#   RUNS_DIR: that of the table script (spheres: RUNS_DIR/<method>/seed<S>;
#   fmnist: RUNS_DIR/<method>-seed<S>).   SEEDS="1 2 3 4 5"   METHODS="topoae-tuned" (spheres),
#   "topoae" (fmnist). A seed whose run has not finished is skipped with a message.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: last_model.sh spheres|fmnist BUILD_DIR RUNS_DIR"
dataset=${1:?$usage}
build=${2:?$usage}
runs=${3:?$usage}
case $dataset in
  spheres) default_methods=topoae-tuned ;;
  fmnist) default_methods=topoae ;;
  *) echo "error: data set must be spheres or fmnist, got '$dataset'" >&2; exit 1 ;;
esac
bin=$build/bin/topoembed
seeds=${SEEDS:-"1 2 3 4 5"}
methods=${METHODS:-$default_methods}
results=$root/experiments/results/$dataset
[[ -x $bin ]] || { echo "error: '$bin' is not an executable (build the topoembed target first)" >&2; exit 1; }
command -v jq > /dev/null || { echo "error: jq is needed" >&2; exit 1; }

test_x=$runs/${dataset}_test.npy
if [[ ! -f $test_x ]]; then
  "$bin" data export --dataset "$dataset" --split test --output "$runs/${dataset}_test.tmp.npy" > /dev/null
  mv "$runs/${dataset}_test.tmp.npy" "$test_x"
fi

for m in $methods; do
  for seed in $seeds; do
    if [[ $dataset == spheres ]]; then dir=$runs/$m/seed$seed; else dir=$runs/$m-seed$seed; fi
    best=$results/$m/seed$seed.json
    target=$results/$m-last/seed$seed.json
    if [[ ! -f $dir/model.pt || ! -f $dir/trainer_state.json || ! -f $dir/metrics.json ]]; then
      echo "$m seed $seed: $dir is not a finished run (model.pt, trainer_state.json, metrics.json); skipped" >&2
      continue
    fi
    rm -rf "$dir/last"
    mkdir -p "$dir/last" "$(dirname "$target")"
    cp "$dir/model.pt" "$dir/last/model.pt"
    "$bin" embed --run-dir "$dir/last" --input "$test_x" --output "$dir/last/latents.csv" > /dev/null
    nice -n 10 "$bin" eval --latents "$dir/last/latents.csv" --dataset "$dataset" --output "$dir/last/metrics.json" > /dev/null
    extra='{}'
    [[ -f $best ]] && extra=$(jq -c '{train_seconds, epochs} | with_entries(select(.value != null))' "$best")
    jq --slurpfile t "$dir/trainer_state.json" --argjson x "$extra" \
      '. + {epochs_run: $t[0].epoch, best_epoch: $t[0].best_epoch, model: "last"} + $x' \
      "$dir/last/metrics.json" > "$target.tmp"
    mv "$target.tmp" "$target"
    jq -r --arg m "$m" --arg seed "$seed" \
      '"\($m) seed \($seed), last epoch \(.epochs_run) (best \(.best_epoch)): KL_0.01 \(.["kl_0.01"]) KL_0.1 \(.["kl_0.1"]) l-Cont \(.continuity_mean)"' \
      "$target"
  done
done
