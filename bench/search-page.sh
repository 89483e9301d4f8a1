#!/usr/bin/env bash
# The HTML search page (results and facet counts) over the web benchmark's
# registry, for a few queries from narrow to broad, answered by two builds
# in alternation (same registry, same machine, same minute).
#
#   bash bench/search-page.sh OLD_BINARY [N_RECORDS] [ROUNDS]
#
# Both servers run with the answer cache off (pages are kept too, whatever
# parameters they ignore, such as the distinct `r=` each request still
# carries for older builds): through the variables, which every build
# reads under its own name and ignores under the others'
# (ARCHIPEL_CACHE_SIZE now, ARCHIPEL_CACHE_MIB or ARCHIPEL_CACHE_ENTRIES
# before). Prints, per query, the median time of each build and their
# ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD="$1"; N="${2:-100000}"; ROUNDS="${3:-9}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
work="${BENCH_DIR:-$CARGO_TARGET_DIR/bench-web}"
mkdir -p "$work"
db="$work/registry-$N.db"
cargo build --release -q -p archipel
cargo build --release -q -p archipel-web --example bench_data
new="$CARGO_TARGET_DIR/release/archipel"
[ -f "$db" ] || "$CARGO_TARGET_DIR/release/examples/bench_data" "$db" "$N"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
start() { # BINARY PORT
  ARCHIPEL_LOG=warn ARCHIPEL_CACHE_SIZE=0 ARCHIPEL_CACHE_MIB=0 ARCHIPEL_CACHE_ENTRIES=0 \
    "$1" --db "$db" serve --addr "127.0.0.1:$2" --tiles none \
    > "$work/search-page-$2.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$2/health" >/dev/null 2>&1 && return
    sleep 0.1
  done
}
p_old=$(( 20000 + RANDOM % 10000 )); p_new=$(( p_old + 1 ))
start "$OLD" "$p_old"; start "$new" "$p_new"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| query | matches | old (median) | new (median) | new / old |"
echo "|---|---:|---:|---:|---:|"
for q in "atelier+saint+etienne" "mediatheque" "saint" "numerique" "atelier+saint+etienne&type=actor" \
         "numerique&type=actor" "numerique&actor_kind=association"; do
  total=$(curl -fsS "http://127.0.0.1:$p_new/api/v1/search?q=${q%%&*}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
  : > "$work/old.t"; : > "$work/new.t"
  for i in $(seq 1 "$ROUNDS"); do
    curl -fsS -o /dev/null -w '%{time_total}\n' \
      "http://127.0.0.1:$p_old/search?q=$q&r=$i$RANDOM" >> "$work/old.t"
    curl -fsS -o /dev/null -w '%{time_total}\n' \
      "http://127.0.0.1:$p_new/search?q=$q&r=$i$RANDOM" >> "$work/new.t"
  done
  o=$(median < "$work/old.t"); n=$(median < "$work/new.t")
  echo "| \`$q\` | $total | $(awk -v x="$o" 'BEGIN{printf "%.1f ms", x*1000}') | $(awk -v x="$n" 'BEGIN{printf "%.1f ms", x*1000}') | $(awk -v a="$o" -v b="$n" 'BEGIN{printf "%.2f", b/a}') |"
done
