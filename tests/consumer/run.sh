#!/bin/sh
# Consumer test: installs a topoembed build tree into a temporary prefix, then configures, builds
# and runs tests/consumer against it with find_package(topoembed).
#   run.sh <topoembed build dir> [<consumer source dir>]
set -eu
build_dir=${1:?usage: run.sh <topoembed build dir> [<consumer source dir>]}
source_dir=${2:-$(cd "$(dirname "$0")" && pwd)}
work=$(mktemp -d "${TMPDIR:-/tmp}/topoembed-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >"$work/install.log" 2>&1 || {
  cat "$work/install.log" >&2
  echo "error: install of $build_dir failed" >&2
  exit 1
}
cmake -S "$source_dir" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix"
cmake --build "$work/build" -j2
"$work/build/consumer"
