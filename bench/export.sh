#!/usr/bin/env bash
# Export benchmark (issue 12): peak memory and time of `archipel export`
# on a registry of about 150,000 records (100,000 generated médiation rows:
# places, their operators and communes).
#   BEFORE=/path/to/an/earlier/archipel  also runs that build, alternately,
#                                        on its own copy of the registry.
# usage: bench/export.sh [ROWS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rows=${1:-100000}
runs=${2:-5}
out="$root/bench/out/export"
mkdir -p "$out"
cargo build --release -q -p archipel
bin="$root/target/release/archipel"
[ -n "${CARGO_TARGET_DIR:-}" ] && bin="$CARGO_TARGET_DIR/release/archipel"
csv="$root/bench/out/import/mediation-$rows.csv"
mkdir -p "$(dirname "$csv")"
[ -f "$csv" ] || python3 bench/gen-mediation.py "$rows" > "$csv"
rm -f "$out"/registry.db*
"$bin" --db "$out/registry.db" import mediation "$csv" > /dev/null
records=$("$bin" --db "$out/registry.db" stats --json | python3 -c \
  'import json,sys; print(sum(c["count"] for c in json.load(sys.stdin)["entities"]))')
rm -f "$out"/before.db*
cp "$out/registry.db" "$out/before.db"

# Largest anonymous memory (heap, stacks: what does not come from mapping
# the registry file, which SQLite reads through a memory map) of a command
# writing to /dev/null, sampled every 10 ms from /proc.
peak_anon() {
  "$@" > /dev/null & local pid=$! max=0 a
  while kill -0 "$pid" 2>/dev/null; do
    a=$(awk '/^RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$a" ] && [ "$a" -gt "$max" ] && max=$a
    sleep 0.01
  done
  wait "$pid"
  echo "$max"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "registry: $records records, $(du -m "$out/registry.db" | cut -f1) MiB; runs: $runs (alternating); load: $(cut -d' ' -f1-3 /proc/loadavg)"
for what in "json" "csv --entity place" "mediation"; do
  tag=${what%% *}
  : > "$out/now-$tag.txt"; : > "$out/before-$tag.txt"
  for _ in $(seq "$runs"); do
    if [ -n "${BEFORE:-}" ]; then
      # shellcheck disable=SC2086
      /usr/bin/time -f "%e %M" -a -o "$out/before-$tag.txt" \
        "$BEFORE" --db "$out/before.db" export $what > "$out/before.$tag"
    fi
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %M" -a -o "$out/now-$tag.txt" \
      "$bin" --db "$out/registry.db" export $what > "$out/now.$tag"
  done
  col() { awk -v c="$2" '{print $c}' "$1" | median; }
  # shellcheck disable=SC2086
  anon=$(peak_anon "$bin" --db "$out/registry.db" export $what)
  printf 'export %-18s now:    %6.2f s, peak RSS %7.1f MiB (anonymous %6.1f MiB), %s bytes\n' "$what" \
    "$(col "$out/now-$tag.txt" 1)" "$(echo "$(col "$out/now-$tag.txt" 2)/1024" | bc -l)" \
    "$(echo "$anon/1024" | bc -l)" "$(stat -c %s "$out/now.$tag")"
  if [ -n "${BEFORE:-}" ]; then
    # shellcheck disable=SC2086
    anon=$(peak_anon "$BEFORE" --db "$out/before.db" export $what)
    printf 'export %-18s before: %6.2f s, peak RSS %7.1f MiB (anonymous %6.1f MiB), same bytes: %s\n' "$what" \
      "$(col "$out/before-$tag.txt" 1)" "$(echo "$(col "$out/before-$tag.txt" 2)/1024" | bc -l)" \
      "$(echo "$anon/1024" | bc -l)" "$(cmp -s "$out/now.$tag" "$out/before.$tag" && echo yes || echo NO)"
  fi
done
