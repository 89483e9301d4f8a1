#!/usr/bin/env bash
# Every kind of page under load: `archipel serve` over the web benchmark's
# registry (150,311 records for N=100000), 64 keep-alive clients (wrk), each
# line against the same server, with a static file served by that server
# from --static-dir (/files/, a copy of Leaflet's stylesheet) as the
# baseline of the same run; an embedded asset and a static file as large
# as the map data are shown beside it.
#
#   bash bench/pages.sh [N_RECORDS] [SECONDS] [CONNECTIONS]
#
# BEFORE=/path/to/an/earlier/archipel measures that build too, on its own
# server over the same registry, each line run against one build then the
# other. NO_EXPORTS=1 leaves out the exports.
#
# Lines marked "distinct" draw a new URL for every request (a random record
# among 50,000, a random search), so that most requests are answered by
# the store rather than by the answer cache. Other lines repeat one URL:
# its first request is timed alone ("first": what the page costs when
# nothing is kept, as after an import), then wrk runs. Prints a Markdown
# table: first request, req/s, p50/p99 latency, errors (non-2xx and socket
# errors), and req/s as a percentage of the baseline; then each server's
# peak memory (VmHWM) after the pages and after the exports, and the
# machine's load average before and after.
# Targets: every page >= 20 % of the baseline's req/s, p99 < 50 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"; SECS="${2:-10}"; CONC="${3:-64}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
work="${BENCH_DIR:-$CARGO_TARGET_DIR/bench-web}"
mkdir -p "$work"
db="$work/registry-$N.db"
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

cargo build --release -q -p archipel
cargo build --release -q -p archipel-web --example bench_data
bin="$CARGO_TARGET_DIR/release"
[ -f "$db" ] || "$bin/examples/bench_data" "$db" "$N"

mkdir -p "$work/files"
cp crates/web/assets/vendor/leaflet/leaflet.css "$work/files/leaflet.css"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
start() { # NAME BINARY PORT
  ARCHIPEL_LOG=warn "$2" --db "$db" serve --addr "127.0.0.1:$3" --tiles none \
    --static-dir "$work/files" \
    > "$work/pages-$1.log" 2>&1 &
  pids+=($!)
  eval "pid_$1=$!"
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$3/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  # The search index is built at start: wait for it.
  curl -fsS "http://127.0.0.1:$3/api/v1/search?q=mediatheque" >/dev/null
}
builds=(now)
port_now=$(( 20000 + RANDOM % 20000 ))
start now "$bin/archipel" "$port_now"
# A static file as large as the map data, for the line beside it.
curl -fsS -o "$work/files/places.geojson" "http://127.0.0.1:$port_now/api/v1/places.geojson?lang=fr"
# And the largest export's bytes, for the exports (written by the command,
# so that the server's first download of it is timed as it comes).
[ -n "${NO_EXPORTS:-}" ] || "$bin/archipel" --db "$db" export json -o "$work/files/archipel.json"
if [ -n "${BEFORE:-}" ]; then
  builds=(before now)
  port_before=$(( port_now + 1 ))
  start before "$BEFORE" "$port_before"
fi

# Lua scripts drawing a URL per request (fixed seed: runs compare).
lua() { # FILE PATH-EXPRESSION
  cat > "$work/$1.lua" <<EOF
math.randomseed(12345)
local kinds = {"mediatheque", "fablab", "tiers+lieu", "association", "centre+social", "cooperative", "mairie", "espace+public"}
request = function()
  return wrk.format("GET", $2)
end
EOF
}
lua actor '"/actors/actor:bench:a" .. math.random(0, 49999)'
lua place '"/places/place:bench:p" .. math.random(0, 49999)'
lua search_q '"/search?q=" .. kinds[math.random(1, #kinds)] .. "+" .. math.random(0, 49999)'
lua api_q '"/api/v1/search?q=" .. kinds[math.random(1, #kinds)] .. "+" .. math.random(0, 49999)'
lua list_page '"/actors?page=" .. math.random(1, 1000)'

# name|path|script (empty: the same URL every time)|group
lines=(
  "static file /files/leaflet.css (baseline)|/files/leaflet.css||pages"
  "embedded asset /assets/vendor/leaflet/leaflet.css (same bytes)|/assets/vendor/leaflet/leaflet.css||pages"
  "static file /files/places.geojson (as large as the map data)|/files/places.geojson||pages"
  "home /|/||pages"
  "map /map|/map||pages"
  "embedded map /embed/map|/embed/map||pages"
  "map data /api/v1/places.geojson (10,000 features)|/api/v1/places.geojson?lang=fr||pages"
  "list /actors|/actors||pages"
  "list /places?sort=-updated|/places?sort=-updated||pages"
  "list /actors?kind=library|/actors?kind=library||pages"
  "list /actors?page=N, distinct (1,000 pages)|/|list_page|pages"
  "search without query /search|/search||pages"
  "search without query /search?type=actor|/search?type=actor||pages"
  "search /search?q=mediatheque+saint+etienne|/search?q=mediatheque+saint+etienne||pages"
  "search /search?q=KIND+NUMBER, distinct|/|search_q|pages"
  "API search /api/v1/search?q=KIND+NUMBER, distinct|/|api_q|pages"
  "record /actors/ID, distinct (50,000)|/|actor|pages"
  "record /places/ID, distinct (50,000)|/|place|pages"
  "record /commons/commons:bench:c7 (250 relations)|/commons/commons:bench:c7||pages"
  "record /territories/territory:bench:dep-3|/territories/territory:bench:dep-3||pages"
  "static file /files/archipel.json (the bytes of the JSON export)|/files/archipel.json||exports"
  "export /api/v1/exports/actors.csv|/api/v1/exports/actors.csv||exports"
  "export /api/v1/exports/archipel.json|/api/v1/exports/archipel.json||exports"
)

# Latency as printed by wrk (12.3us, 4.56ms, 1.2s) in ms.
ms() { awk -v v="$1" 'BEGIN {
  u = v; sub(/[0-9.]+/, "", u); x = v + 0;
  if (u == "us") x /= 1000; else if (u == "s") x *= 1000; else if (u == "m") x *= 60000;
  printf "%.1f", x }'; }
declare -A rps p50 p99 errs cold
run() { # BUILD INDEX
  local build=$1 i=$2 name path script group port out
  IFS='|' read -r name path script group <<< "${lines[$i]}"
  port=$([ "$build" = now ] && echo "$port_now" || echo "$port_before")
  local pid; pid=$(eval echo "\$pid_$build")
  if ! kill -0 "$pid" 2>/dev/null; then
    local status=0; wait "$pid" 2>/dev/null || status=$?
    echo "the $build server (pid $pid) is gone (exit status $status) before: $name" >&2
    tail -5 "$work/pages-$build.log" >&2
    exit 1
  fi
  local args=(-t2 "-c$CONC" "-d${SECS}s" --timeout 30s --latency)
  if [ -n "$script" ]; then
    args+=(-s "$work/$script.lua")
    cold[$build,$i]="–"
  else
    # The first request alone: what a page costs when nothing is kept
    # (after a change of the registry); then wrk, warm.
    cold[$build,$i]=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port$path" \
      | awk '{printf "%.1f", $1 * 1000}')
  fi
  out=$(wrk "${args[@]}" "http://127.0.0.1:$port$path" 2>&1)
  rps[$build,$i]=$(echo "$out" | awk '/^Requests\/sec/ {printf "%.0f", $2}')
  p50[$build,$i]=$(ms "$(echo "$out" | awk '$1 == "50%" {print $2}')")
  p99[$build,$i]=$(ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
  local non2xx sock
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  sock=$(echo "$out" | awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}')
  errs[$build,$i]=$(( ${non2xx:-0} + ${sock:-0} ))
}
hwm() { awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/$1/status"; }

declare -A mem_pages
for i in "${!lines[@]}"; do
  IFS='|' read -r _ _ _ group <<< "${lines[$i]}"
  if [ "$group" = exports ]; then
    [ -n "${NO_EXPORTS:-}" ] && continue
    for b in "${builds[@]}"; do
      [ -n "${mem_pages[$b]:-}" ] || mem_pages[$b]=$(eval hwm "\$pid_$b")
    done
  fi
  for b in "${builds[@]}"; do run "$b" "$i"; done
done

echo
echo "load average (1, 5, 15 min): before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
echo "registry: $(sqlite3 "$db" "SELECT (SELECT count(*) FROM entity) + (SELECT count(*) FROM relation)" 2>/dev/null || echo "?") records" \
  "($N places and actors), $CONC connections, ${SECS} s per line, wrk -t2, $(nproc) cores shared with the server"
echo
head="| page |"; rule="| --- |"
for b in "${builds[@]}"; do
  head+=" $b first ms | $b req/s | $b p50 ms | $b p99 ms | $b errors | $b % of baseline |"
  rule+=" ---: | ---: | ---: | ---: | ---: | ---: |"
done
echo "$head"; echo "$rule"
for i in "${!lines[@]}"; do
  IFS='|' read -r name _ _ group <<< "${lines[$i]}"
  [ "$group" = exports ] && [ -n "${NO_EXPORTS:-}" ] && continue
  row="| $name |"
  for b in "${builds[@]}"; do
    pct=$(awk -v a="${rps[$b,$i]}" -v s="${rps[$b,0]}" 'BEGIN { printf "%.0f %%", 100 * a / s }')
    row+=" ${cold[$b,$i]} | ${rps[$b,$i]} | ${p50[$b,$i]} | ${p99[$b,$i]} | ${errs[$b,$i]} | $pct |"
  done
  echo "$row"
done
echo
for b in "${builds[@]}"; do
  echo "$b: peak memory (VmHWM) after the pages ${mem_pages[$b]:-$(eval hwm "\$pid_$b")}," \
    "after the exports $(eval hwm "\$pid_$b")"
done
