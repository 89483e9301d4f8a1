#!/usr/bin/env bash
# Instructions executed by each thread of `archipel import mediation`,
# counted by valgrind's callgrind: unlike wall-clock time on a shared
# machine, the count is the same from one run to the next, so a change of
# a few percent shows. Threads: 01 main (the writer), 02 parse, 03 encode,
# 04 free.
# usage: bench/import-instructions.sh [ROWS] [BIN...]
#   ROWS: rows of the generated médiation file (default 20,000; 100,000
#         takes about three minutes per build);
#   BIN:  builds to compare (default: this checkout's release build).
# Needs valgrind (apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-20000}
shift || true
out="$PWD/bench/out/instructions"
mkdir -p "$out"
if [ $# -eq 0 ]; then
  cargo build --release -q -p archipel
  set -- "$PWD/target/release/archipel"
fi
csv="$out/mediation-$rows.csv"
[ -f "$csv" ] || python3 bench/gen-mediation.py "$rows" > "$csv"
for bin in "$@"; do
  run="$out/run"
  rm -rf "$run" && mkdir -p "$run"
  valgrind --tool=callgrind --separate-threads=yes \
    --callgrind-out-file="$run/callgrind.%p" \
    "$bin" --db "$run/registry.db" import mediation "$csv" > /dev/null 2> "$run/valgrind.txt"
  printf '%s (%s rows):' "$bin" "$rows"
  for f in "$run"/callgrind.*-*; do
    printf ' thread %s %s M' "${f##*-}" "$(awk '/^summary:/ {printf "%.0f", $2 / 1e6; exit}' "$f")"
  done
  printf ', total %s M\n' "$(awk '/I *refs:/ {gsub(",", "", $NF); printf "%.0f", $NF / 1e6}' "$run/valgrind.txt")"
done
