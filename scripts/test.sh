#!/usr/bin/env bash
# Runs every check and test: format, lint, the Rust suites (protocol, engine ⇄ simulator,
# CLI processes), the UI in headless Chromium and the desktop window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wxsim-target}"
export CARGO_TERM_COLOR=never

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all --check

step "lint"
cargo clippy --workspace --all-targets -- -D warnings

step "rust tests"
cargo test --workspace 2>&1 | tee /tmp/wxsim-cargo-test.log
rust_passed=$(grep -Eo '[0-9]+ passed' /tmp/wxsim-cargo-test.log | awk '{s+=$1} END {print s+0}')
rust_failed=$(grep -Eo '[0-9]+ failed' /tmp/wxsim-cargo-test.log | awk '{s+=$1} END {print s+0}')

ui_passed=0; ui_failed=0
if [ -x tests/ui/run.sh ]; then
  step "UI in headless Chromium"
  tests/ui/run.sh 2>&1 | tee /tmp/wxsim-ui-test.log
  ui_passed=$(grep -Eo '^[0-9]+ passed' /tmp/wxsim-ui-test.log | tail -1 | awk '{print $1+0}')
  ui_failed=$(grep -Eo '[0-9]+ failed' /tmp/wxsim-ui-test.log | tail -1 | awk '{print $1+0}')
fi

desktop_passed=0; desktop_failed=0
if [ -x tests/desktop/run.sh ]; then
  step "desktop window under Xvfb"
  tests/desktop/run.sh 2>&1 | tee /tmp/wxsim-desktop-test.log
  desktop_passed=$(grep -Eo '^[0-9]+ passed' /tmp/wxsim-desktop-test.log | tail -1 | awk '{print $1+0}')
  desktop_failed=$(grep -Eo '[0-9]+ failed' /tmp/wxsim-desktop-test.log | tail -1 | awk '{print $1+0}')
fi

passed=$((rust_passed + ${ui_passed:-0} + ${desktop_passed:-0}))
failed=$((rust_failed + ${ui_failed:-0} + ${desktop_failed:-0}))
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
