#!/usr/bin/env bash
# Runs every check and test: format, lint, the Rust suites (protocol, engine ⇄ simulator,
# CLI processes, scenarios), the UI in headless Chromium and the desktop window under Xvfb.
# Every step runs even when an earlier one fails; the last line sums them up.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wxsim-target}"
export CARGO_TERM_COLOR=never
logs=$(mktemp -d)
passed=0
failed=0
broken=()

# step NAME COMMAND...: runs it, adds the tests its output counts (or 1 for a check).
step() {
  local name=$1 log="$logs/$1.log"
  shift
  printf '\n== %s\n' "$name"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local p f
  p=$(grep -Eo '(^|[ ,:])[0-9]+ passed' "$log" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo '[0-9]+ failed' "$log" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
    if [ "$status" -eq 0 ]; then p=1; else f=1; fi
  elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  [ "$status" -eq 0 ] || broken+=("$name")
}

step format cargo fmt --all --check
step lint cargo clippy --workspace --all-targets -- -D warnings
step rust cargo test --workspace
[ -x tests/ui/run.sh ] && step ui tests/ui/run.sh
[ -x tests/desktop/run.sh ] && step desktop tests/desktop/run.sh

echo
[ ${#broken[@]} -eq 0 ] || echo "failing steps: ${broken[*]}"
echo "$passed passed, $failed failed"
[ ${#broken[@]} -eq 0 ]
