#!/usr/bin/env bash
# Import benchmark (issue 2): 100,000 generated médiation rows.
#   archipel import mediation  vs  sqlite3 .import of the same CSV into a bare table
# then search latency over the resulting registry.
# usage: bench/import.sh [ROWS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
runs=${2:-3}
out=bench/out/import
mkdir -p "$out"
cargo build --release -q -p archipel
bin=target/release/archipel
csv="$out/mediation-$rows.csv"
[ -f "$csv" ] || python3 bench/gen-mediation.py "$rows" > "$csv"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
now() { date +%s.%N; }

sq=(); ar=(); rss=()
for i in $(seq "$runs"); do
  rm -f "$out/bare.db"
  t0=$(now)
  sqlite3 "$out/bare.db" -cmd ".mode csv" ".import $csv lieux"
  t1=$(now)
  sq+=("$(echo "$t1 - $t0" | bc -l)")

  rm -f "$out/archipel.db" "$out/archipel.db-wal" "$out/archipel.db-shm"
  t0=$(now)
  /usr/bin/time -f "%M" -o "$out/rss.txt" "$bin" --db "$out/archipel.db" import mediation "$csv" > /dev/null
  t1=$(now)
  ar+=("$(echo "$t1 - $t0" | bc -l)")
  rss+=("$(cat "$out/rss.txt")")
done
sqm=$(printf '%s\n' "${sq[@]}" | median)
arm=$(printf '%s\n' "${ar[@]}" | median)
rssm=$(printf '%s\n' "${rss[@]}" | median)
size=$(stat -c %s "$out/archipel.db")
printf 'rows: %s, runs: %s\n' "$rows" "$runs"
printf 'sqlite3 .import (bare table): median %.3f s\n' "$sqm"
printf 'archipel import mediation:    median %.3f s, %.0f rows/s, peak RSS %.1f MiB, database %.1f MiB\n' \
  "$arm" "$(echo "$rows / $arm" | bc -l)" "$(echo "$rssm / 1024" | bc -l)" "$(echo "$size / 1048576" | bc -l)"
printf 'speed ratio archipel/sqlite3: %.2f (target >= 0.33)\n' "$(echo "$sqm / $arm" | bc -l)"
cargo bench -q -p archipel-store --bench search -- "$out/archipel.db"
