#!/usr/bin/env bash
# Runs wxsim on its embedded default (the built-in webchat simulator): the desktop window
# when there is a display and the desktop crate is present, else `wxsim serve` for a browser.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wxsim-target}"
if [ -d src-tauri ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec cargo run -p wxsim-desktop -- "$@"
fi
echo "run: no display here; starting the headless console — open the 'open' address below in a browser"
exec cargo run -p wxsim -- serve "$@"
