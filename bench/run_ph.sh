#!/usr/bin/env bash
# Builds the bench preset and runs the persistence-core benchmarks of docs/benchmarks.md:
# Google Benchmark (H0 vs distance matrix, batch throughput) and the end-to-end comparison with
# Debian's ripser binary. Usage: bench/run_ph.sh [repetitions]   (from the project root)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
scripts/bootstrap
cmake --preset bench-core >/dev/null
cmake --build --preset bench-core -j "$(nproc)" --target ph_bench topoembed
echo "## $(date -u +%Y-%m-%dT%H:%MZ) on $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
build/bench-core/bin/ph_bench --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true 2>&1 | grep -E "median|Benchmark|---"
/usr/bin/python3 bench/compare_ripser.py --topoembed build/bench-core/bin/topoembed --repeat "$reps"
