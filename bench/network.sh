#!/usr/bin/env bash
# Network benchmark (issue 18): a generated territory of N actors, places
# and commons (default 100,000) with M relations (default 500,000).
#   archipel network --json, cold (a new process reading the registry file),
#   RUNS times (default 3), median wall and CPU time;
#   networkx computing the same figures on the same graph, in the same run
#   (same sampled sources for betweenness): bench/network-nx.py;
#   the sampled betweenness' error against the exact one on a 10,000-node
#   graph (same generator, 50,000 relations).
# The generator is testdata/network/make.py --bench (deterministic).
# usage: bench/network.sh [N] [M] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
n=${1:-100000}
m=${2:-500000}
runs=${3:-3}
out="$root/bench/out/network"
mkdir -p "$out"
if ! python3 -c 'import networkx' 2>/dev/null; then
  echo "networkx is not installed (pip install networkx): this benchmark needs it" >&2
  exit 1
fi
cargo build --release -q -p archipel
bin="${CARGO_TARGET_DIR:-$root/target}/release/archipel"
scope=territory:nettest:epci:1

registry() { # N M -> path of a registry holding that generated territory
  local db="$out/net-$1-$2.db" json="$out/net-$1-$2.json"
  if [ ! -f "$db" ]; then
    [ -f "$json" ] || python3 testdata/network/make.py --bench "$1" "$2" "$json"
    "$bin" --db "$db" import json "$json" --max-size 1024 > /dev/null
  fi
  echo "$db"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

db=$(registry "$n" "$m")
: > "$out/times.txt"
for _ in $(seq "$runs"); do
  /usr/bin/time -f "%e %U %S %M" -a -o "$out/times.txt" \
    "$bin" --db "$db" network --territory "$scope" --json > "$out/ours.json"
done
wall=$(awk '{print $1}' "$out/times.txt" | median)
cpu=$(awk '{print $2 + $3}' "$out/times.txt" | median)
rss=$(awk '{print $4}' "$out/times.txt" | median)
python3 bench/network-nx.py "$out/ours.json" > "$out/networkx.json"
nxs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["networkx_total_s"])' "$out/networkx.json")
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "graph: $n nodes requested, $m relations"
printf 'archipel network --json (cold, every figure, JSON written): wall %.2f s, cpu %.2f s, peak RSS %.0f MiB (median of %s)\n' \
  "$wall" "$cpu" "$(echo "$rss/1024" | bc -l)" "$runs"
printf 'networkx, the same figures on the same graph (graph already built): %.2f s\n' "$nxs"
printf 'ratio networkx / archipel (wall): %.1fx\n' "$(echo "$nxs/$wall" | bc -l)"
cat "$out/networkx.json"

# The sampled betweenness against the exact one, 10,000 nodes.
small=$(registry 10000 50000)
"$bin" --db "$small" network --territory "$scope" --json --exact-up-to 20000 > "$out/exact-10k.json"
"$bin" --db "$small" network --territory "$scope" --json > "$out/sampled-10k.json"
python3 bench/network-nx.py --error "$out/exact-10k.json" "$out/sampled-10k.json"
