#!/usr/bin/env bash
# The server's peak memory under a cache-busting load: `archipel serve`
# over the web benchmark's registry (150,311 records for N=100000) is sent
# REQUESTS answers of about 3 MB with a junk parameter (&r=N) each, then
# REQUESTS distinct valid queries of the same size (a box whose east edge
# moves by a hundredth of a degree), 8 at a time; then SLOW (default 100)
# clients ask distinct boxes of 50,000 features, too large to keep, and
# do not read them for 20 s (bench/slow-readers.py).
#
#   bash bench/cache-memory.sh [N_RECORDS] [REQUESTS]
#
# BEFORE=/path/to/an/earlier/archipel measures that build too (on a fresh
# server of its own, after the current one). Prints, per build, the peak
# memory (VmHWM from /proc/PID/status) after start and a first request,
# after the junk parameters, and after the distinct queries, with the
# status codes the server answered.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"; REQ="${2:-200}"; SLOW="${SLOW:-100}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
work="${BENCH_DIR:-$CARGO_TARGET_DIR/bench-web}"
mkdir -p "$work"
db="$work/registry-$N.db"
cargo build --release -q -p archipel
cargo build --release -q -p archipel-web --example bench_data
bin="$CARGO_TARGET_DIR/release"
[ -f "$db" ] || "$bin/examples/bench_data" "$db" "$N"

server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null || true' EXIT
hwm() { awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$1/status"; }
codes() { sort | uniq -c | awk '{printf "%s%s x %s", (NR > 1 ? ", " : ""), $1, $2}'; }

measure() { # NAME BINARY
  local port=$(( 20000 + RANDOM % 20000 )) base
  base="http://127.0.0.1:$port"
  ARCHIPEL_LOG=warn "$2" --db "$db" serve --addr "127.0.0.1:$port" --tiles none \
    > "$work/cache-memory-$1.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do curl -fsS "$base/health" >/dev/null 2>&1 && break; sleep 0.1; done
  local box="-4.5,43,7.5,50.5" limit=10000
  curl -fsS -o /dev/null "$base/api/v1/places.geojson?bbox=$box&limit=$limit"
  local size start junk distinct
  size=$(curl -fsS "$base/api/v1/places.geojson?bbox=$box&limit=$limit" | wc -c)
  start=$(hwm "$server")
  junk=$(seq 1 "$REQ" | xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
    "$base/api/v1/places.geojson?bbox=$box&limit=$limit&r={}" | codes)
  local after_junk; after_junk=$(hwm "$server")
  distinct=$(seq 1 "$REQ" | xargs -P 8 -I{} sh -c \
    "curl -s -o /dev/null -w '%{http_code}\n' '$base/api/v1/places.geojson?bbox=-4.5,43,'\$(awk 'BEGIN{printf \"%.2f\", 7.5 + {} / 100}')',50.5&limit=$limit'" | codes)
  # What the cache holds at the end, as /health says (builds since issue 12).
  local held
  held=$(curl -fsS "$base/health" | sed -nE 's/.*"cache":\{"budget_bytes":[0-9]+,"held_bytes":([0-9]+),"entries":([0-9]+).*/\1 bytes in \2 answers/p')
  local after_distinct; after_distinct=$(hwm "$server")
  # Clients that ask for answers too large to keep and do not read them.
  local slow
  slow=$(python3 bench/slow-readers.py "127.0.0.1:$port" "$SLOW" 20)
  echo "| $1 | $size | $start | $after_junk ($junk) | $after_distinct ($distinct) | ${held:-–} | $(hwm "$server") ($slow) |"
  kill "$server"; wait "$server" 2>/dev/null || true; server=
}

echo "load average (1, 5, 15 min) before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| build | answer bytes | VmHWM after start | after $REQ × &r=N | after $REQ distinct boxes | cache held at the end | after $SLOW clients that do not read |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
measure now "$bin/archipel"
[ -n "${BEFORE:-}" ] && measure before "$BEFORE"
echo
echo "load average (1, 5, 15 min) after: $(cut -d' ' -f1-3 /proc/loadavg)"
