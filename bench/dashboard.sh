#!/usr/bin/env bash
# Dashboard benchmark (issue 18): a territory's dashboard page
# (/territories/ID/tableau-de-bord) on the generated territory of N
# actors, places and commons (default 100,000) with M relations (default
# 500,000), the registry bench/network.sh uses (testdata/network/make.py
# --bench, deterministic).
#   cold: the first request after the server starts (it computes every
#   figure: the stats, the yearly series from the registry at each year
#   end, the network with all its figures, the drawing), RUNS times (a new
#   server each time), median;
#   cached: the same page asked again, REPEAT times per run, median;
#   baseline, in the same run: the territory's own record page, cached, so
#   that the cached dashboard is given as a ratio to a page that only
#   reads its answer from the cache.
# usage: bench/dashboard.sh [N] [M] [RUNS] [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
n=${1:-100000}
m=${2:-500000}
runs=${3:-3}
repeat=${4:-50}
out="$root/bench/out/network"
mkdir -p "$out"
cargo build --release -q -p archipel
bin="${CARGO_TARGET_DIR:-$root/target}/release/archipel"
scope=territory:nettest:epci:1
db="$out/net-$n-$m.db" json="$out/net-$n-$m.json"
if [ ! -f "$db" ]; then
  [ -f "$json" ] || python3 testdata/network/make.py --bench "$n" "$m" "$json"
  "$bin" --db "$db" import json "$json" --max-size 1024 > /dev/null
fi
port=18390
base="http://127.0.0.1:$port"
page="$base/territories/$scope/tableau-de-bord"
record="$base/territories/$scope"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
timed() { curl -s -o /dev/null -w '%{time_total}\n' "$1"; }

: > "$out/dash-cold.txt"; : > "$out/dash-cached.txt"; : > "$out/dash-base.txt"
for _ in $(seq "$runs"); do
  "$bin" --db "$db" serve --addr "127.0.0.1:$port" --cache-size 256MiB 2> "$out/dash-serve.log" &
  pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "$base/health" && break; sleep 0.1; done
  timed "$page" >> "$out/dash-cold.txt"
  timed "$record" > /dev/null
  for _ in $(seq "$repeat"); do
    timed "$page" >> "$out/dash-cached.txt"
    timed "$record" >> "$out/dash-base.txt"
  done
  curl -s -o "$out/dash-page.html" -w '%{size_download} bytes, status %{http_code}\n' "$page"
  kill "$pid"; wait "$pid" 2> /dev/null || true
done
cold=$(median < "$out/dash-cold.txt")
cached=$(median < "$out/dash-cached.txt")
basel=$(median < "$out/dash-base.txt")
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "graph: $n nodes requested, $m relations"
printf 'dashboard, cold (every figure computed): %.2f s (median of %s)\n' "$cold" "$runs"
printf 'dashboard, cached: %.2f ms (median of %s)\n' "$(echo "$cached*1000" | bc -l)" "$((runs * repeat))"
printf 'territory record page, cached (baseline): %.2f ms\n' "$(echo "$basel*1000" | bc -l)"
printf 'ratio cached dashboard / cached record page: %.2f; cold / cached: %.0fx\n' \
  "$(echo "$cached/$basel" | bc -l)" "$(echo "$cold/$cached" | bc -l)"
