#!/usr/bin/env bash
# Atlas autoencoders on circle, sphere, torus (R³), flat torus (R⁴), RP² (R⁴ and R⁶), T³ (R⁶) for 5 seeds
# each: trains with `topoembed train --method atlas-ae`, reads the nerve's Betti numbers with
# `topoembed nerve` (Z/2 and Z/3, normalised −log filtration, most persistent Betti vector) and
# writes the table and the counts to OUT_DIR/table.md (pasted into docs/results-atlas.md). Not run
# in CI (minutes per run).
# Usage: experiments/atlas_manifolds.sh [BUILD_DIR] [OUT_DIR]
# Environment: EPOCHS, POINTS, SEEDS, CASES (names to run, default all), JOBS (parallel runs;
# default 1: the machine is shared), LOCALITY, SHARPENING, BALANCE, MEMBERSHIP, TEMPERATURE,
# BATCH, MMD_FLOOR (--locality-weight, --sharpening-weight, --balance-weight, --membership,
# --membership-temperature, --batch-size, --mmd-floor given to train; default: train's defaults), REPORT (output
# file), NERVE_ONLY=1 (keep the trained runs in OUT_DIR, only read their nerves again),
# NERVE_SAMPLE=N (`nerve --sample N`: strengths estimated on N fresh points of the data set, with
# memberships by the trained atlas, instead of on the training points), TRAIN_ONLY=1 (train, do not
# read the nerve: read it later with NERVE_ONLY=1).
# Per case: K_<name>, N_<name> override the charts and points of one case (name with - as _,
# e.g. N_flat_torus=2000).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/atlas}
out=${2:-$(mktemp -d)}
mkdir -p "$out"
bin=$build/bin/topoembed
epochs=${EPOCHS:-100}
points=${POINTS:-1000}
seeds=${SEEDS:-"1 2 3 4 5"}
jobs=${JOBS:-1}
report=${REPORT:-$out/table.md}
# name dataset charts dim nerve-dims points expected-Z/2 expected-Z/3
all_cases=(
  "circle circle 4 1 2 $points 1,1,0 1,1,0"
  "sphere sphere 8 2 2 $points 1,0,1 1,0,1"
  "torus torus 24 2 2 $points 1,2,1 1,2,1"
  "flat-torus flat-torus 16 2 2 $points 1,2,1 1,2,1"
  "rp2 rp2 12 2 2 $points 1,1,1 1,0,0"
  "rp2-r6 rp2-r6 12 2 2 $points 1,1,1 1,0,0"
  "t3 t3 24 3 3 $((2 * points)) 1,3,3,1 1,3,3,1"
)
wanted=${CASES:-"circle sphere torus flat-torus rp2 rp2-r6 t3"}
cases=()
for c in "${all_cases[@]}"; do
  read -r name dataset k d dims n want2 want3 <<< "$c"
  var=${name//-/_}
  kvar=K_$var nvar=N_$var
  k=${!kvar:-$k} n=${!nvar:-$n}
  if [[ " $wanted " == *" $name "* ]]; then cases+=("$name $dataset $k $d $dims $n $want2 $want3"); fi
done
locality=()
if [[ -n ${LOCALITY:-} ]]; then locality+=(--locality-weight "$LOCALITY"); fi
if [[ -n ${SHARPENING:-} ]]; then locality+=(--sharpening-weight "$SHARPENING"); fi
if [[ -n ${BALANCE:-} ]]; then locality+=(--balance-weight "$BALANCE"); fi
if [[ -n ${MEMBERSHIP:-} ]]; then locality+=(--membership "$MEMBERSHIP"); fi
if [[ -n ${TEMPERATURE:-} ]]; then locality+=(--membership-temperature "$TEMPERATURE"); fi
if [[ -n ${BATCH:-} ]]; then locality+=(--batch-size "$BATCH"); fi
if [[ -n ${MMD_FLOOR:-} ]]; then locality+=(--mmd-floor "$MMD_FLOOR"); fi

one_run() {  # name dataset k d dims n seed
  local run=$out/$1-$7
  if [[ -z ${NERVE_ONLY:-} ]]; then
    rm -rf "$run"
    local t0
    t0=$(date +%s)
    nice -n 10 "$bin" train --method atlas-ae --dataset "$2" --charts "$3" --dim "$4" --points "$6" \
    --epochs "$epochs" --seed "$7" --threads 1 --run-dir "$run" --quiet "${locality[@]}" > "$run.train.log" 2>&1
    echo "train_seconds $(($(date +%s) - t0))" >> "$run.train.log"
  fi
  if [[ -z ${TRAIN_ONLY:-} ]]; then
    nice -n 10 "$bin" nerve "$run" --dim "$5" "${sample[@]}" > "$run.nerve.log" 2>&1
  fi
}
sample=()
if [[ -n ${NERVE_SAMPLE:-} ]]; then sample+=(--sample "$NERVE_SAMPLE"); fi
export -f one_run
export out bin epochs
pids=()
for c in "${cases[@]}"; do
  read -r name dataset k d dims n _ <<< "$c"
  for seed in $seeds; do
    one_run "$name" "$dataset" "$k" "$d" "$dims" "$n" "$seed" &
    pids+=($!)
    while (( $(jobs -rp | wc -l) >= jobs )); do wait -n || true; done
  done
done
wait || true
if [[ -n ${TRAIN_ONLY:-} ]]; then echo "trained; runs in $out (nerves not read)"; exit 0; fi

betti() { /usr/bin/python3 -c "import json;print(','.join(map(str,json.load(open('$1'))['$2']['betti'])))" 2>/dev/null || echo failed; }
window() { /usr/bin/python3 -c "import json;r=json.load(open('$1'))['reading'];print('%.2f–%.2f' % (r['low'], r['high']))" 2>/dev/null || echo -; }
tmp=$(mktemp)
{
  echo "| data | k | d | points | seed | β over Z/2 | β over Z/3 | read on | expected Z/2 | expected Z/3 | train s |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
} > "$tmp"
declare -A hits
for c in "${cases[@]}"; do
  read -r name dataset k d dims n want2 want3 <<< "$c"
  hits[$name]=0
  for seed in $seeds; do
    run=$out/$name-$seed
    got2=$(betti "$run/nerve.json" z2)
    got3=$(betti "$run/nerve.json" z3)
    secs=$(awk '/^train_seconds/ {print $2}' "$run.train.log" 2>/dev/null || true)
    echo "| $name | $k | $d | $n | $seed | $got2 | $got3 | $(window "$run/nerve.json") | $want2 | $want3 | ${secs:--} |" >> "$tmp"
    if [[ $got2 == "$want2" && $got3 == "$want3" ]]; then hits[$name]=$((hits[$name] + 1)); fi
  done
done
{
  echo
  echo "Seeds with both Betti vectors as expected ($epochs epochs, train flags: ${locality[*]:-defaults}, nerve flags: ${sample[*]:-none}, binary $bin, runs in $out):"
  for c in "${cases[@]}"; do read -r name _ <<< "$c"; echo "- $name: ${hits[$name]} of $(wc -w <<< "$seeds")"; done
} >> "$tmp"
mv "$tmp" "$report"
echo "wrote $report (runs in $out)"
