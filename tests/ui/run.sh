#!/usr/bin/env bash
# The UI suite as CI runs it: install the UI's packages if missing, check and build the UI,
# build wxsim (debug), then drive headless Chromium against real `wxsim serve` instances.
# Ends with one line: "N passed, M failed". Exit status is non-zero on any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

[ -d ui/node_modules ] || npm --prefix ui ci --no-audit --no-fund
npm --prefix ui run check
npm --prefix ui run build
# The same build as `cargo test --workspace` (features unified with the tests'), so that
# after the Rust suite this builds nothing.
cargo build --workspace --all-targets
export WXSIM_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/wxsim"

tap="$(mktemp)"
trap 'rm -f "$tap"' EXIT
status=0
node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  tests/ui/ || status=$?

passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -1)
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -1)
cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" | tail -1)
failed=$(( ${failed:-0} + ${cancelled:-0} ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${passed:-0} passed, ${failed} failed"
exit "$status"
