#!/usr/bin/env bash
# Web benchmark: `archipel serve` over a registry of 100,000 places and
# actors, loaded on loopback by a bounded load generator (count and time).
#
#   bash bench/web.sh [N_RECORDS] [REQUESTS] [CONNECTIONS] [SECONDS]
#
# Measures, in one run and against one server: full-text search through
# the API, a bounding-box GeoJSON query of about 5,000 features, an actor
# page, and as the baseline a static file of the same size as the search
# response served by the same server (/files/). Prints a Markdown table.
# Targets: search p99 < 20 ms; search throughput >= 30 % of the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"; REQ="${2:-20000}"; CONC="${3:-8}"; SECS="${4:-15}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
work="${BENCH_DIR:-$CARGO_TARGET_DIR/bench-web}"
mkdir -p "$work/files"
db="$work/registry-$N.db"

cargo build --release -q -p archipel
cargo build --release -q -p archipel-web --example bench_data --example loadgen
bin="$CARGO_TARGET_DIR/release"

if [ ! -f "$db" ]; then
  "$bin/examples/bench_data" "$db" "$N"
fi

# Two servers over the same registry: one as deployed, and one with the
# answer cache off (--cache-size 0) for the "no cache" lines (the API refuses
# parameters it does not take, so a junk &r=N can no longer defeat the
# cache).
port=$(( 20000 + RANDOM % 20000 ))
base="http://127.0.0.1:$port"
nocache="http://127.0.0.1:$(( port + 1 ))"
servers=()
trap 'for s in "${servers[@]}"; do kill "$s" 2>/dev/null || true; wait "$s" 2>/dev/null || true; done' EXIT
for b in "$base" "$nocache"; do
  cache=64MiB; [ "$b" = "$nocache" ] && cache=0
  ARCHIPEL_LOG=warn "$bin/archipel" --db "$db" serve --addr "${b#http://}" --cache-size "$cache" \
    --tiles none --static-dir "$work/files" > "$work/serve-$cache.log" 2>&1 &
  servers+=($!)
  for _ in $(seq 1 100); do
    curl -fsS "$b/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fsS "$b/health" >/dev/null
done

search="$base/api/v1/search?q=mediatheque+saint+etienne"
search_cold="$nocache/api/v1/search?q=mediatheque+saint+etienne"
# The baseline: a static file exactly as large as the search response.
size=$(curl -fsS "$search" | wc -c)
head -c "$size" /dev/zero | tr '\0' 'x' > "$work/files/same-size.json"
# A box in the middle of the generated area holding about 5,000 features.
bbox="0.0,45.5,3.0,47.0"
features=$(curl -fsS "$base/api/v1/places.geojson?bbox=$bbox" | grep -o '"type":"Feature"' | wc -l)
actor="$base/actors/actor:bench:a4242"

run() { "$bin/examples/loadgen" "$1" "$REQ" "$CONC" "$SECS"; }
declare -A out
out[static]=$(run "$base/files/same-size.json")
out[asset]=$(run "$base/assets/app.js")
out[search]=$(run "$search")
out[cold]=$(run "$search_cold")
out[bbox]=$(run "$base/api/v1/places.geojson?bbox=$bbox")
out[bboxcold]=$(run "$nocache/api/v1/places.geojson?bbox=$bbox")
out[actor]=$(run "$actor")
out[broad]=$(run "$nocache/api/v1/search?q=mediatheque")

field() { echo "${out[$1]}" | sed -E "s/.*\"$2\":([0-9.]+).*/\1/"; }
echo
echo "records: $N places and actors (+ relations), CPU: $(nproc) cores, $REQ requests max per line, $CONC connections, ${SECS}s max"
echo "search response: $size bytes; bbox features: $features"
echo
echo "| request | requests | errors | req/s | p50 ms | p90 ms | p99 ms | bytes |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for k in static asset search cold broad bbox bboxcold actor; do
  case $k in
    static) name="static file, same size as search (/files/, baseline)";;
    asset) name="embedded asset /assets/app.js";;
    search) name="/api/v1/search?q=mediatheque+saint+etienne (repeated: answer cache)";;
    cold) name="same search, server with --cache-size 0";;
    broad) name="/api/v1/search?q=mediatheque, --cache-size 0 (broad: 1/8 of records match)";;
    bbox) name="/api/v1/places.geojson?bbox=$bbox ($features features, repeated)";;
    bboxcold) name="same box, --cache-size 0";;
    actor) name="actor page /actors/actor:bench:a4242";;
  esac
  echo "| $name | $(field $k requests) | $(field $k errors) | $(field $k rps) | $(field $k p50_ms) | $(field $k p90_ms) | $(field $k p99_ms) | $(field $k bytes) |"
done
b_rps=$(field static rps)
for k in search cold; do
  s_rps=$(field $k rps); s_p99=$(field $k p99_ms)
  ratio=$(awk -v a="$s_rps" -v b="$b_rps" 'BEGIN { printf "%.0f", 100 * a / b }')
  echo
  echo "$k: search throughput = ${ratio}% of the static baseline (target >= 30%); p99 = ${s_p99} ms (target < 20 ms)"
done
