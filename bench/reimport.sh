#!/usr/bin/env bash
# Re-import benchmark (issue 14, history): a registry holding N generated
# médiation rows, then a second file of the same N places with other
# values (another seed): every place and actor is updated, and since
# migration 0007 each update keeps the state it replaces in `version`.
# Times the second import only, alternating this build and BEFORE.
# usage: BEFORE=/path/to/an/earlier/archipel bench/reimport.sh [ROWS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rows=${1:-100000}
runs=${2:-5}
out="$root/bench/out/reimport"
mkdir -p "$out"
cargo build --release -q -p archipel
bin="$root/target/release/archipel"
first="$out/first-$rows.csv"
second="$out/second-$rows.csv"
[ -f "$first" ] || python3 bench/gen-mediation.py "$rows" > "$first"
[ -f "$second" ] || python3 bench/gen-mediation.py "$rows" 2 > "$second"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
one() { # BIN DB TIMES
  rm -f "$2" "$2-wal" "$2-shm"
  "$1" --db "$2" import mediation "$first" > /dev/null
  /usr/bin/time -f "%e %U %S %M" -a -o "$3" "$1" --db "$2" import mediation "$second" > /dev/null
}
: > "$out/after.txt"; : > "$out/before.txt"
for _ in $(seq "$runs"); do
  [ -z "${BEFORE:-}" ] || one "$BEFORE" "$out/before.db" "$out/before.txt"
  one "$bin" "$out/after.db" "$out/after.txt"
done
col() { awk -v c="$2" '{print $c}' "$1" | median; }
cpu() { awk '{print $2 + $3}' "$1" | median; }
echo "rows: $rows, runs: $runs (alternating), machine load: $(cut -d' ' -f1-3 /proc/loadavg)"
versions=$(sqlite3 "$out/after.db" "SELECT count(*) FROM version" 2>/dev/null || echo "?")
printf 'this build, second import: wall %.3f s, cpu %.3f s, file %.1f MiB, version rows %s\n' \
  "$(col "$out/after.txt" 1)" "$(cpu "$out/after.txt")" "$(echo "$(stat -c %s "$out/after.db")/1048576" | bc -l)" "$versions"
if [ -n "${BEFORE:-}" ]; then
  printf 'earlier build (%s), second import: wall %.3f s, cpu %.3f s, file %.1f MiB; ratio after/before %.2f\n' \
    "$BEFORE" "$(col "$out/before.txt" 1)" "$(cpu "$out/before.txt")" \
    "$(echo "$(stat -c %s "$out/before.db")/1048576" | bc -l)" \
    "$(echo "$(col "$out/after.txt" 1)/$(col "$out/before.txt" 1)" | bc -l)"
fi
