#!/usr/bin/env bash
# Series benchmark (issue 18): a 20-point yearly series of a territory's
# figures (`stats --territory X --series yearly --from 2007 --to 2026`),
# which reads the registry once (`Store::timeline`), against the same 20
# figures asked one day at a time (20 runs of `--at`, each reading the
# registry), and against one run of today's figures (`stats --territory`,
# SQL) as the baseline, in the same run:
#  - on the demonstration territory (the Métropole, 960000008);
#  - on a generated registry of about 100,000 records: ROWS médiation
#    places (gen-mediation.py, with their ROWS/2 operators) imported, then
#    imported again from another seed (every place and actor updated: one
#    `version` row each). The two changes are dated 2019-03-01 and
#    2023-05-01 (their `batch.started_at` rewritten with sqlite3 after the
#    imports) so that the series has a past. Territory: Brest (29019),
#    an eighth of the places.
# usage: bench/series.sh [ROWS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rows=${1:-66667}
runs=${2:-3}
out="$root/bench/out/series"
mkdir -p "$out"
cargo build --release -q --locked -p archipel
bin="${CARGO_TARGET_DIR:-$root/target}/release/archipel"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
secs() { # COMMAND… → wall seconds
  local s e
  s=$(date +%s.%N)
  "$@" > /dev/null
  e=$(date +%s.%N)
  echo "$e - $s" | bc -l
}
days() { for y in $(seq 2007 2026); do echo "$y-12-31"; done; }
one_by_one() { # DB CODE
  for d in $(days); do "$bin" --db "$1" stats --territory "$2" --at "$d" --json > /dev/null; done
}
measure() { # NAME DB CODE
  local today=() series=() each=()
  for _ in $(seq "$runs"); do
    today+=("$(secs "$bin" --db "$2" stats --territory "$3" --json)")
    series+=("$(secs "$bin" --db "$2" stats --territory "$3" --series yearly --from 2007 --to 2026 --json)")
    each+=("$(secs one_by_one "$2" "$3")")
  done
  local t s e
  t=$(printf '%s\n' "${today[@]}" | median)
  s=$(printf '%s\n' "${series[@]}" | median)
  e=$(printf '%s\n' "${each[@]}" | median)
  printf '%s: today %.3f s; series of 20 %.3f s (%.1f× today); 20 × --at %.3f s (%.1f× today); series / 20 × --at = %.2f\n' \
    "$1" "$t" "$s" "$(echo "$s/$t" | bc -l)" "$e" "$(echo "$e/$t" | bc -l)" "$(echo "$s/$e" | bc -l)"
}

demo="$out/demo.db"
rm -f "$demo" "$demo-wal" "$demo-shm"
"$bin" --db "$demo" demo > /dev/null

gen="$out/gen-$rows.db"
if [ ! -f "$gen" ]; then
  first="$out/first-$rows.csv"
  second="$out/second-$rows.csv"
  python3 bench/gen-mediation.py "$rows" > "$first"
  python3 bench/gen-mediation.py "$rows" 2 > "$second"
  "$bin" --db "$gen.tmp" import mediation "$first" > /dev/null
  "$bin" --db "$gen.tmp" import mediation "$second" > /dev/null
  sqlite3 "$gen.tmp" "UPDATE batch SET started_at = '2019-03-01T09:00:00Z' WHERE rowid = 1;
    UPDATE batch SET started_at = '2023-05-01T09:00:00Z' WHERE rowid = 2;
    UPDATE entity SET created_at = '2019-03-01T09:00:00Z';
    PRAGMA wal_checkpoint(TRUNCATE);"
  mv "$gen.tmp" "$gen"
fi
records=$(sqlite3 "$gen" "SELECT count(*) FROM entity")
versions=$(sqlite3 "$gen" "SELECT count(*) FROM version")

echo "runs: $runs (medians), machine load: $(cut -d' ' -f1-3 /proc/loadavg)"
measure "demo (Métropole)" "$demo" 960000008
echo "generated registry: $records records, $versions version rows"
measure "generated (Brest)" "$gen" 29019
