#!/usr/bin/env bash
# The Spheres rows of the results table (issue 4): TopoAE with the paper's preset, TopoAE with the
# tuned preset (docs/results-spheres-sweep.md says how it was chosen) and the plain AE, seeds 1..5,
# one LibTorch thread each. Each run's metrics.json (as `topoembed train` writes it, plus
# "train_seconds": wall time of the whole train command) is copied to
# experiments/results/spheres/<method>/seed<S>.json; experiments/make_results.py turns those into
# docs/results.md. Finished seeds are kept (delete the JSON file to re-run one). Not run in CI
# (about a minute per run on a quiet machine, 15 runs).
#
# Usage: experiments/spheres_table.sh [BUILD_DIR] [RUNS_DIR]
#   SEEDS="1 2 3 4 5"   METHODS="topoae topoae-tuned ae"   JOBS=1 (runs in parallel)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/spheres}
runs=${2:-$build/spheres-table-runs}
bin=$build/bin/topoembed
seeds=${SEEDS:-"1 2 3 4 5"}
methods=${METHODS:-"topoae topoae-tuned ae"}
jobs=${JOBS:-1}
results=$root/experiments/results/spheres
[[ -x $bin ]] || { echo "error: '$bin' is not an executable (build the topoembed target first)" >&2; exit 1; }
command -v jq > /dev/null || { echo "error: jq is needed to add train_seconds" >&2; exit 1; }

preset_of() {
  case $1 in
    topoae) echo topoae-spheres ;;
    topoae-tuned) echo topoae-spheres-tuned ;;
    ae) echo ae-spheres ;;
    *) echo "error: unknown method '$1', expected topoae, topoae-tuned or ae" >&2; return 1 ;;
  esac
}
for m in $methods; do preset_of "$m" > /dev/null; done

run_one() {
  local method=$1 seed=$2 preset dir target t0 t1
  preset=$(preset_of "$method")
  dir=$runs/$method/seed$seed
  target=$results/$method/seed$seed.json
  if [[ -f $target ]]; then
    echo "$method seed $seed: kept $target"
    return 0
  fi
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")" "$(dirname "$target")"
  t0=$(date +%s.%N)
  if ! nice -n 10 "$bin" train --preset "$preset" --seed "$seed" --threads 1 --quiet --run-dir "$dir" 2> "$dir.stderr"; then
    echo "$method seed $seed: training failed, see $dir.stderr" >&2
    return 1
  fi
  t1=$(date +%s.%N)
  jq --argjson t "$(echo "$t1 - $t0" | bc)" '. + {train_seconds: $t}' "$dir/metrics.json" > "$target.tmp"
  mv "$target.tmp" "$target"
  jq -r --arg m "$method" --arg seed "$seed" \
    '"\($m) seed \($seed): KL_0.01 \(.["kl_0.01"]) KL_0.1 \(.["kl_0.1"]) l-Cont \(.continuity_mean) best epoch \(.best_epoch)/\(.epochs_run), \(.train_seconds|floor) s"' \
    "$target"
}
export -f run_one preset_of
export runs bin results

for m in $methods; do
  for seed in $seeds; do echo "$m $seed"; done
done | xargs -P "$jobs" -L 1 bash -c 'run_one "$0" "$1"'

echo
echo "mean over seeds $seeds (targets for TopoAE: KL_0.1 <= 0.30, KL_0.01 <= 0.085, l-Cont >= 0.82):"
for m in $methods; do
  files=()
  for seed in $seeds; do files+=("$results/$m/seed$seed.json"); done
  jq -s -r --arg m "$m" '
    def m(k): (map(.[k]) | add / length);
    "\($m): KL_0.01 \(m("kl_0.01")) KL_0.1 \(m("kl_0.1")) l-Cont \(m("continuity_mean")) l-Trust \(m("trustworthiness_mean")) data MSE \(m("data_mse")) train \(m("train_seconds")) s"' \
    "${files[@]}"
done
