#!/usr/bin/env bash
# The whole test suite, as the README's second command runs it.
# Installs what the tests need on a fresh machine (Debian, root), then runs
# formatting and lint checks and every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v sqlite3 >/dev/null 2>&1 || need_apt+=(sqlite3)
command -v git >/dev/null 2>&1 || need_apt+=(git)
# The web crate's browser tests drive headless Chromium through chromedriver.
{ command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } \
  || need_apt+=(chromium chromium-driver)
# The argument sheets' PDF test checks, extracts and renders the PDF with poppler.
{ command -v pdftoppm >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1; } \
  || need_apt+=(poppler-utils)
# The sign-in tests run a real OpenID provider (oidc-provider) with Node.js.
{ command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; } \
  || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
elif [ ${#need_apt[@]} -gt 0 ]; then
  # Tests that need these fail rather than pass unchecked: say so up front.
  echo "scripts/test.sh: not root, cannot install ${need_apt[*]};" \
    "the tests that use them will fail: apt-get install ${need_apt[*]}" >&2
fi

# The OpenID provider's packages, exactly as locked (npm's registry).
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix testdata/oidc-provider --no-audit --no-fund --loglevel=error
fi

# A CI run builds once: incremental caches would only take disk space.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi

rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo fmt --all -- --check
# With -D warnings, clippy's incompatible_msrv refuses any standard API
# newer than the workspace's rust-version (the only toolchain checked is
# the current one); the tidy test (crates/testkit/tests/tidy.rs) checks
# that every member inherits that version and no dependency needs more.
cargo clippy --workspace --all-targets --locked -- -D warnings -D clippy::incompatible_msrv
cargo test --workspace --locked
