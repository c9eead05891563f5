#!/usr/bin/env bash
# Screening sweep for the Spheres TopoAE (issue 4): a few settings on top of the paper's preset
# `topoae-spheres`, each trained for the selection seeds only (default 101 102; never the
# reported seeds 1..5), evaluated on the test split by `topoembed train`. Prints one line per run
# and a summary table (mean over seeds) in Markdown; the log goes into docs/results-spheres-sweep.md
# by hand. Runs already finished in OUT_DIR (metrics.json present) are reused, so the sweep can be
# stopped and continued. Not run in CI (about a minute per run on a quiet machine).
#
# Usage: experiments/spheres_sweep.sh [BUILD_DIR] [OUT_DIR]
#   SEEDS="101 102"  selection seeds        JOBS=1  runs in parallel (each with --threads 1)
#   SETTINGS="paper lam1 ..."  a subset of the settings below (default: all)
#   SUMMARY_ONLY=1  no training, only the summary of the runs already in OUT_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/spheres}
out=${2:-$root/build/spheres/sweep}
bin=$build/bin/topoembed
seeds=${SEEDS:-"101 102"}
jobs=${JOBS:-1}
[[ -x $bin ]] || { echo "error: '$bin' is not an executable (build the topoembed target first)" >&2; exit 1; }
command -v jq > /dev/null || { echo "error: jq is needed for the summary" >&2; exit 1; }

# name | flags added to --preset topoae-spheres
declare -A flags=(
  [paper]=""
  [lam1]="--lambda 1.0"
  [lam2]="--lambda 2.0"
  [lr3x]="--lr 8e-4"
  [lam2-lr3x]="--lambda 2.0 --lr 8e-4"
  [lam4-lr3x]="--lambda 4.0 --lr 8e-4"
  [lam2-lr8x]="--lambda 2.0 --lr 2.2e-3"
  [lam2-lr8x-p25]="--lambda 2.0 --lr 2.2e-3 --patience 25"
  # Session 6: around topoae-spheres-tuned (= lam2-lr8x-p25), one change each.
  [tuned-p40]="--lambda 2.0 --lr 2.2e-3 --patience 40"
  [tuned-e150-p40]="--lambda 2.0 --lr 2.2e-3 --patience 40 --epochs 150"
  [tuned-lr3e-3]="--lambda 2.0 --lr 3e-3 --patience 25"
  [tuned-lr1.6e-3]="--lambda 2.0 --lr 1.6e-3 --patience 25"
  [tuned-b56]="--lambda 2.0 --lr 2.2e-3 --patience 25 --batch-size 56"
  [tuned-lam3]="--lambda 3.0 --lr 2.2e-3 --patience 25"
)
order=(paper lam1 lam2 lr3x lam2-lr3x lam4-lr3x lam2-lr8x lam2-lr8x-p25
  tuned-p40 tuned-e150-p40 tuned-lr3e-3 tuned-lr1.6e-3 tuned-b56 tuned-lam3)
settings=${SETTINGS:-${order[*]}}
for s in $settings; do
  [[ -v flags[$s] ]] || { echo "error: unknown setting '$s', expected one of: ${order[*]}" >&2; exit 1; }
done
mkdir -p "$out"

# One run: trains into $out/<setting>/seed<S> unless it already finished; adds train_seconds.
run_one() {
  local s=$1 seed=$2 dir=$out/$1/seed$2
  [[ -f $dir/metrics.json ]] && return 0
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  local t0 t1
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  if ! nice -n 10 "$bin" train --preset topoae-spheres ${flags[$s]} --seed "$seed" --threads 1 --quiet \
    --no-report --run-dir "$dir" 2> "$dir.stderr"; then
    echo "$s seed $seed: training failed, see $dir.stderr" >&2
    return 1
  fi
  t1=$(date +%s.%N)
  jq --argjson t "$(echo "$t1 - $t0" | bc)" '. + {train_seconds: $t}' "$dir/metrics.json" > "$dir/metrics.tmp"
  mv "$dir/metrics.tmp" "$dir/metrics.json"
  jq -r --arg s "$s" --arg seed "$seed" \
    '"\($s) seed \($seed): KL_0.01 \(.["kl_0.01"]) KL_0.1 \(.["kl_0.1"]) l-Cont \(.continuity_mean) best \(.best_epoch)/\(.epochs_run) \(.train_seconds|floor) s"' \
    "$dir/metrics.json"
}
export -f run_one
export out bin
export flags_serialised
flags_serialised=$(declare -p flags)

tasks=()
for s in $settings; do
  for seed in $seeds; do tasks+=("$s $seed"); done
done
[[ ${SUMMARY_ONLY:-0} == 1 ]] || printf '%s\n' "${tasks[@]}" |
  xargs -P "$jobs" -L 1 bash -c 'eval "$flags_serialised"; run_one "$0" "$1"'

echo
echo "Summary: mean over seeds $seeds (test split, 1,000 points); targets KL_0.1 <= 0.30, KL_0.01 <= 0.085, l-Cont >= 0.82"
echo
echo "| setting | flags | KL_0.01 | KL_0.1 | KL_1 | ℓ-Cont | ℓ-Trust | ℓ-MRRE | data MSE | best epoch / epochs run | s per run |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for s in $settings; do
  files=()
  for seed in $seeds; do [[ -f $out/$s/seed$seed/metrics.json ]] && files+=("$out/$s/seed$seed/metrics.json"); done
  if [[ ${#files[@]} -eq 0 ]]; then
    echo "| $s | ${flags[$s]} | (no finished run) |||||||||"
    continue
  fi
  jq -s -r --arg s "$s" --arg f "${flags[$s]:-(preset)}" '
    def m(k): (map(.[k]) | add / length);
    def r(x; n): (x * pow(10; n) | round) / pow(10; n);
    "| \($s) (\(length) seeds) | \($f) | \(r(m("kl_0.01"); 4)) | \(r(m("kl_0.1"); 4)) | \(r(m("kl_1"); 5)) | \(r(m("continuity_mean"); 4)) | \(r(m("trustworthiness_mean"); 4)) | \(r(m("mrre_mean"); 4)) | \(r(m("data_mse"); 4)) | \(map("\(.best_epoch)/\(.epochs_run)") | join(", ")) | \(m("train_seconds") | floor) |"' \
    "${files[@]}"
done
