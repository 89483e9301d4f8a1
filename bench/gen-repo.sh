#!/usr/bin/env bash
# Generates the synthetic benchmark repository (bare) with git fast-import.
# Usage: bench/gen-repo.sh DIR [COMMITS] [AUTHORS]
# Deterministic: the same arguments give the same commit ids.
set -euo pipefail
dir=${1:?usage: gen-repo.sh DIR [COMMITS] [AUTHORS]}
commits=${2:-300000}
authors=${3:-2000}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$dir"
git init -q --bare -b main "$dir"
python3 "$here/gen-repo.py" --commits "$commits" --authors "$authors" \
  | git -C "$dir" fast-import --quiet --done
git -C "$dir" symbolic-ref HEAD refs/heads/main
