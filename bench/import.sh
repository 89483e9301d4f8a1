#!/usr/bin/env bash
# Import benchmark (issue 2): N generated médiation rows (default 100,000).
#   archipel import mediation   vs   sqlite3 .import of the same CSV into a bare table,
# run alternately RUNS times (default 5); medians of wall-clock and CPU time.
# Then search latency over the resulting registry (cargo bench, store crate).
# usage: bench/import.sh [ROWS] [RUNS]
#   BEFORE=/path/to/an/earlier/archipel  also runs that build, alternately, to
#                                        compare within the same run;
#   NO_SEARCH=1                          skips the search latency part.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rows=${1:-100000}
runs=${2:-5}
out="$root/bench/out/import"
mkdir -p "$out"
cargo build --release -q -p archipel
bin="$root/target/release/archipel"
csv="$out/mediation-$rows.csv"
[ -f "$csv" ] || python3 bench/gen-mediation.py "$rows" > "$csv"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

: > "$out/sqlite.txt"; : > "$out/archipel.txt"; : > "$out/before.txt"
for _ in $(seq "$runs"); do
  if [ -n "${BEFORE:-}" ]; then
    rm -f "$out/before.db" "$out/before.db-wal" "$out/before.db-shm"
    /usr/bin/time -f "%e %U %S %M" -a -o "$out/before.txt" \
      "$BEFORE" --db "$out/before.db" import mediation "$csv" > /dev/null
  fi
  rm -f "$out/bare.db"
  /usr/bin/time -f "%e %U %S %M" -a -o "$out/sqlite.txt" \
    sqlite3 "$out/bare.db" -cmd ".mode csv" ".import $csv lieux"
  rm -f "$out/archipel.db" "$out/archipel.db-wal" "$out/archipel.db-shm"
  /usr/bin/time -f "%e %U %S %M" -a -o "$out/archipel.txt" \
    "$bin" --db "$out/archipel.db" import mediation "$csv" > /dev/null
done
col() { awk -v c="$2" '{print $c}' "$1" | median; }
cpu() { awk '{print $2 + $3}' "$1" | median; }
sw=$(col "$out/sqlite.txt" 1); aw=$(col "$out/archipel.txt" 1)
sc=$(cpu "$out/sqlite.txt"); ac=$(cpu "$out/archipel.txt")
rss=$(col "$out/archipel.txt" 4)
size=$(stat -c %s "$out/archipel.db")
bare=$(stat -c %s "$out/bare.db")
echo "rows: $rows, runs: $runs (alternating), machine load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'sqlite3 .import (bare table):  wall %.3f s, cpu %.3f s, file %.1f MiB\n' "$sw" "$sc" "$(echo "$bare/1048576" | bc -l)"
printf 'archipel import mediation:     wall %.3f s, cpu %.3f s, %.0f rows/s, peak RSS %.1f MiB, file %.1f MiB\n' \
  "$aw" "$ac" "$(echo "$rows/$aw" | bc -l)" "$(echo "$rss/1024" | bc -l)" "$(echo "$size/1048576" | bc -l)"
if [ -n "${BEFORE:-}" ]; then
  bw=$(col "$out/before.txt" 1); bc_=$(cpu "$out/before.txt")
  printf 'earlier build (%s):  wall %.3f s, cpu %.3f s, file %.1f MiB; ratio %.2f\n' \
    "$BEFORE" "$bw" "$bc_" "$(echo "$(stat -c %s "$out/before.db")/1048576" | bc -l)" "$(echo "$sw/$bw" | bc -l)"
fi
printf 'speed ratio (sqlite3 time / archipel time): wall %.2f, cpu %.2f (target: wall >= 0.33)\n' \
  "$(echo "$sw/$aw" | bc -l)" "$(echo "$sc/$ac" | bc -l)"
[ -n "${NO_SEARCH:-}" ] || cargo bench -q -p archipel-store --bench search -- "$out/archipel.db"
