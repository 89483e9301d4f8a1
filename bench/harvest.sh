#!/usr/bin/env bash
# Times `archipel harvest LIST` on 200 generated repositories of mixed
# sizes (bench/gen-harvest.py: 1 to 1,000 commits, 1 to 40 authors,
# publiccode.yml from the conformance cases, one in twenty invalid):
# a first harvest into an empty registry (repositories per minute), then a
# second one with nothing changed (every HEAD as it was: nothing read),
# and the ratio first / second, both measured in this run.
#
# Usage: bench/harvest.sh [N] [DIR]
#   BIN=path/to/archipel to time another build (default: a release build).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
dir=${2:-target/bench/harvest-$n}
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p archipel
  BIN=target/release/archipel
fi
python3 bench/gen-harvest.py "$dir" "$n"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/bench.db"
now() { date +%s.%N; }
t0=$(now)
"$BIN" --db "$db" harvest "$dir/LIST" --json > "$work/first.json"
t1=$(now)
"$BIN" --db "$db" harvest "$dir/LIST" --json > "$work/second.json"
t2=$(now)
python3 - "$work/first.json" "$work/second.json" "$t0" "$t1" "$t2" "$n" <<'PY'
import json, sys
first, second = (json.load(open(p)) for p in sys.argv[1:3])
t0, t1, t2 = map(float, sys.argv[3:6])
n = int(sys.argv[6])
a, b = t1 - t0, t2 - t1
read_again = sum(1 for r in second["repositories"] if r["read"])
print(json.dumps({
    "repositories": n,
    "cores": __import__("os").cpu_count(),
    "first": {"seconds": round(a, 2), "per_minute": round(n / a * 60, 1),
              **{k: first[k] for k in ("created", "updated", "unchanged", "invalid", "failed")}},
    "second": {"seconds": round(b, 3), "unchanged": second["unchanged"], "read_again": read_again},
    "ratio_first_over_second": round(a / b, 1),
}, indent=1))
PY
