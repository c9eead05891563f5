#!/usr/bin/env bash
# Training speed for the thread splits of docs/benchmarks.md ("Training speed"): one epoch of the
# Fashion-MNIST TopoAE (--epochs 1) and a whole Spheres TopoAE run (100 epochs) per setting.
#   default N       `--threads N`, OPENBLAS_NUM_THREADS unset: the split of diff::default_thread_split
#   torch T blas B  `OPENBLAS_NUM_THREADS=B --threads T`: LibTorch T threads, OpenBLAS B (with the
#                   variable set, --threads is LibTorch's count alone; diff/compute_threads.hpp)
# Prints one line per run: samples/s (median of log.jsonl), training seconds, the whole command's
# wall / user / system seconds (GNU time) and the load average before and after. Run it on a quiet
# machine; every run is one process after another.
# Usage: bench/train_threads.sh BUILD_DIR [fmnist|spheres|both]   (env: SETTINGS, REPEAT, WORK)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: bench/train_threads.sh BUILD_DIR [fmnist|spheres|both]}
which=${2:-both}
bin=$build/bin/topoembed
settings=${SETTINGS:-"default:1 default:2 1:1 1:2 2:1 2:2"}   # default:N or T:B
repeat=${REPEAT:-1}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
[[ -x $bin ]] || { echo "error: $bin not found; build the topoembed target in $build first" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "error: /usr/bin/time (GNU time) not found" >&2; exit 1; }
case $which in
  fmnist) presets=("topoae-fmnist:1") ;;
  spheres) presets=("topoae-spheres:100") ;;
  both) presets=("topoae-spheres:100" "topoae-fmnist:1") ;;
  *) echo "error: expected fmnist, spheres or both, got '$which'" >&2; exit 1 ;;
esac
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(git -C "$root" rev-parse --short HEAD) on $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
for pe in "${presets[@]}"; do
  preset=${pe%%:*}; epochs=${pe##*:}
  for s in $settings; do
    a=${s%%:*}; b=${s##*:}
    if [[ $a == default ]]; then
      threads=$b; envp=(env -u OPENBLAS_NUM_THREADS); label="--threads $b"
    else
      threads=$a; envp=(env OPENBLAS_NUM_THREADS="$b"); label="OPENBLAS_NUM_THREADS=$b --threads $a"
    fi
    for ((r = 1; r <= repeat; r++)); do
      run=$work/$preset-$a-$b-$r
      rm -rf "$run"
      load0=$(cut -d' ' -f1 /proc/loadavg)
      "${envp[@]}" /usr/bin/time -f "%e %U %S" -o "$run.time" "$bin" train --preset "$preset" --epochs "$epochs" \
        --threads "$threads" --no-report --quiet --run-dir "$run" > "$run.out" 2>&1 \
        || { echo "error: $preset ($label) failed, see $run.out" >&2; exit 1; }
      load1=$(cut -d' ' -f1 /proc/loadavg)
      /usr/bin/python3 - "$run" "$preset" "$label" "$load0" "$load1" <<'EOF'
import json, sys
run, preset, label, load0, load1 = sys.argv[1:]
log = [json.loads(line) for line in open(run + "/log.jsonl") if line.strip()]
rates = sorted(e["samples_per_second"] for e in log)
wall, user, system = open(run + ".time").read().split()[-3:]
print(f"{preset:15s} {label:36s} samples/s median {rates[len(rates) // 2]:7.0f} (min {rates[0]:.0f}, max {rates[-1]:.0f}), "
      f"{len(log)} epochs, training {sum(e['seconds'] for e in log):6.1f} s; command {wall} s wall, "
      f"{user} s user, {system} s system; load {load0} -> {load1}", flush=True)
EOF
    done
  done
done
