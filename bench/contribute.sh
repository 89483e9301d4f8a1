#!/usr/bin/env bash
# Reads while the registry is written through the web: issue 14's target.
#
#   bash bench/contribute.sh [N_RECORDS] [SECONDS] [ROUNDS] [RATE]
#
# One `archipel serve` over the web benchmark's registry (N records, made
# by crates/web/examples/bench_data.rs) with a moderator and 20
# contributors. Each round measures page reads alone, then the same reads
# while proposals and moderation decisions arrive at RATE a second
# (bench/contribute-writes.py: a contributor proposes a commons, the
# moderator accepts it, in turn), for SECONDS each. Reads are two lines:
# an actor's page and an API search (4 connections each,
# crates/web/examples/loadgen.rs). Prints every run and, per line, the
# medians' ratios: throughput with writes / alone (target >= 0.80) and
# p99 with writes / alone (target <= 1.25).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"; SECS="${2:-10}"; ROUNDS="${3:-3}"; RATE="${4:-20}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
work="${BENCH_DIR:-$CARGO_TARGET_DIR/bench-contribute}"
mkdir -p "$work"
cargo build --release -q -p archipel
cargo build --release -q -p archipel-web --example bench_data --example loadgen
bin="$CARGO_TARGET_DIR/release"
base_db="$CARGO_TARGET_DIR/bench-web/registry-$N.db"
if [ ! -f "$base_db" ]; then
  mkdir -p "$(dirname "$base_db")"
  "$bin/examples/bench_data" "$base_db" "$N"
fi
# A fresh copy each run: proposals accumulate.
db="$work/registry.db"
rm -f "$db" "$db-wal" "$db-shm"
cp "$base_db" "$db"
password="une phrase de passe pour le banc d'essai"
echo "$password" | "$bin/archipel" --db "$db" user add moderateur@bench.invalid --role moderator >/dev/null
contributors=()
for i in $(seq 1 20); do
  echo "$password" | "$bin/archipel" --db "$db" user add "contrib$i@bench.invalid" --role contributor >/dev/null
  contributors+=("contrib$i@bench.invalid")
done
port=$(( 20000 + RANDOM % 20000 ))
addr="127.0.0.1:$port"
ARCHIPEL_LOG=warn "$bin/archipel" --db "$db" serve --addr "$addr" --tiles none > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fsS "http://$addr/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://$addr/health" >/dev/null

declare -A urls=(
  [page]="http://$addr/actors/actor:bench:a4242"
  [search]="http://$addr/api/v1/search?q=mediatheque+saint+etienne"
)
reads() { "$bin/examples/loadgen" "${urls[$1]}" 10000000 4 "$SECS"; }
field() { echo "$1" | sed -E "s/.*\"$2\": ?([0-9.]+).*/\1/"; }
declare -A rps p99
echo "registry: $N records; $ROUNDS rounds of ${SECS}s per line; writes at $RATE/s"
echo
echo "| round | line | with writes | req/s | p99 ms | writes done | write p99 ms |"
echo "| ---: | --- | --- | ---: | ---: | ---: | ---: |"
for r in $(seq 1 "$ROUNDS"); do
  for line in page search; do
    alone=$(reads "$line")
    rps[$line,alone]+="$(field "$alone" rps) "; p99[$line,alone]+="$(field "$alone" p99_ms) "
    echo "| $r | $line | no | $(field "$alone" rps) | $(field "$alone" p99_ms) | | |"
    rm -f "$work/ready"
    READY="$work/ready" python3 bench/contribute-writes.py "$addr" "$RATE" "$(( SECS + 1 ))" \
      "$password" moderateur@bench.invalid "${contributors[@]}" > "$work/writes.json" &
    writer=$!
    # The writer signs its accounts in first (argon2id): read once it
    # writes.
    while [ ! -f "$work/ready" ]; do sleep 0.1; done
    with=$(reads "$line")
    wait $writer
    w=$(cat "$work/writes.json")
    done_=$(( $(field "$w" proposals) + $(field "$w" decisions) ))
    rps[$line,with]+="$(field "$with" rps) "; p99[$line,with]+="$(field "$with" p99_ms) "
    echo "| $r | $line | yes | $(field "$with" rps) | $(field "$with" p99_ms) | $done_ ($(field "$w" errors) errors) | $(field "$w" p99_ms) |"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
echo "| line | req/s alone | req/s with writes | ratio (>= 0.80) | p99 alone | p99 with writes | ratio (<= 1.25) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for line in page search; do
  ra=$(echo "${rps[$line,alone]}" | median); rw=$(echo "${rps[$line,with]}" | median)
  pa=$(echo "${p99[$line,alone]}" | median); pw=$(echo "${p99[$line,with]}" | median)
  echo "| $line | $ra | $rw | $(awk "BEGIN {printf \"%.2f\", $rw/$ra}") | $pa | $pw | $(awk "BEGIN {printf \"%.2f\", $pw/$pa}") |"
done
