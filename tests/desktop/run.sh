#!/usr/bin/env bash
# The desktop end-to-end test: the real Tauri window (debug build with the UI embedded) under
# Xvfb, driven through tauri-driver and WebKitWebDriver by a plain `node --test` file.
# Prints `N passed, M failed` last; exits non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wxsim-target}"

scripts/setup.sh
if ! command -v tauri-driver >/dev/null; then
  echo "desktop: installing tauri-driver"
  cargo install tauri-driver --locked --version ^2
fi
if ! command -v xdotool >/dev/null; then
  echo "desktop: installing xdotool (answers the native save dialog)"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends xdotool >/dev/null
fi
cargo build --workspace --all-targets  # the test build: nothing new after `cargo test --workspace`
export WXSIM_DESKTOP_BIN="$CARGO_TARGET_DIR/debug/wxsim-desktop"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export WXSIM_DATA_DIR="$work/data" WXSIM_LISTEN=127.0.0.1:0
# The webview's own storage (localStorage: theme, language, presenter mode, zoom) starts fresh
# each run, not as an earlier run on this machine left it.
export XDG_DATA_HOME="$work/xdg"
export RUST_LOG="${RUST_LOG:-warn}"
mkdir -p tests/desktop/screenshots

# Everything that needs the display runs inside one xvfb-run: the driver and the tests.
cat >"$work/inside.sh" <<'INSIDE'
set -uo pipefail
port=4444
tauri-driver --port "$port" --native-driver /usr/bin/WebKitWebDriver >"$WORK/driver.log" 2>&1 &
driver=$!
deadline=$((SECONDS + 30))
until curl -fsS "http://127.0.0.1:$port/status" >/dev/null 2>&1; do
  if [ $SECONDS -ge $deadline ] || ! kill -0 "$driver" 2>/dev/null; then
    echo "desktop: tauri-driver did not come up on port $port" >&2
    cat "$WORK/driver.log" >&2
    kill "$driver" 2>/dev/null
    exit 1
  fi
  sleep 0.2
done
WEBDRIVER_URL="http://127.0.0.1:$port" timeout 300 node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$WORK/results.tap" \
  tests/desktop/desktop.test.mjs
status=$?
kill "$driver" 2>/dev/null
wait "$driver" 2>/dev/null
exit $status
INSIDE
status=0
WORK="$work" xvfb-run -a -s "-screen 0 1400x900x24" bash "$work/inside.sh" || status=$?

passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$work/results.tap" 2>/dev/null | tail -1)
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$work/results.tap" 2>/dev/null | tail -1)
passed=${passed:-0}
failed=${failed:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
  echo "desktop: the run failed before its tests finished (exit $status)"
fi
todo=$(sed -n 's/^# todo \([0-9]*\)$/\1/p' "$work/results.tap" 2>/dev/null | tail -1)
[ "${todo:-0}" -eq 0 ] || echo "desktop: ${todo} todo (known gaps, marked # TODO above)"
echo "screenshots: $root/tests/desktop/screenshots/"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
