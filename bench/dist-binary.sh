#!/usr/bin/env bash
# The shipped binary: size, full build time, C debug information and
# shared libraries of each build profile we weighed, built from nothing
# (one target folder per variant under target/bench-dist/, so that every
# build compiles every crate: the times compare).
#
#   release-before  the release profile before issue 13 (line tables for
#                   every crate, dependencies and their C code included)
#   release         today's release profile (line tables for our crates only)
#   dist            today's dist profile (fat LTO, 1 codegen unit, stripped)
#   dist-thin       dist with thin LTO
#   dist-cgu16      dist with 16 codegen units
#   dist-symbols    dist keeping the symbol table (strip = "debuginfo")
#
# Usage: bench/dist-binary.sh [VARIANT…]   (default: all, in that order)
# Prints one line per variant: name, bytes, MB, build seconds, whether C
# compilation units carry debug information, and libssl/libcrypto in ldd.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD/target/bench-dist
mkdir -p "$root"

# The cargo arguments of a variant, in the array `args`.
set_args() {
  case "$1" in
    release-before) args=(--release --config 'profile.release.package."*".debug="line-tables-only"') ;;
    release) args=(--release) ;;
    dist) args=(--profile dist) ;;
    dist-thin) args=(--profile dist --config 'profile.dist.lto="thin"') ;;
    dist-cgu16) args=(--profile dist --config 'profile.dist.codegen-units=16') ;;
    dist-symbols) args=(--profile dist --config 'profile.dist.strip="debuginfo"') ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}
dir_of() {
  case "$1" in release*) echo release ;; *) echo dist ;; esac
}

variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(release-before release dist dist-thin dist-cgu16 dist-symbols)
printf '%-15s %12s %8s %9s %-16s %s\n' variant bytes MB build_s c_debug_info openssl
for v in "${variants[@]}"; do
  target=$root/$v
  rm -rf "$target"
  set_args "$v"
  start=$(date +%s)
  cargo build --locked -q -p archipel "${args[@]}" --target-dir "$target"
  end=$(date +%s)
  bin=$target/$(dir_of "$v")/archipel
  bytes=$(stat -c %s "$bin")
  # A C compilation unit with debug information names its compiler.
  c_units=$(readelf --debug-dump=info "$bin" 2>/dev/null | grep -c 'DW_AT_producer.*GNU C' || true)
  ssl=$(ldd "$bin" | grep -cE 'libssl|libcrypto' || true)
  printf '%-15s %12d %8.1f %9d %-16s %s\n' "$v" "$bytes" "$(echo "$bytes / 1000000" | bc -l)" \
    $((end - start)) "$c_units units" "$ssl"
done
