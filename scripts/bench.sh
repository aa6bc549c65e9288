#!/usr/bin/env bash
# `make bench`: every benchmark of docs/BENCHMARKS.md on this machine, each figure next to
# a baseline measured in the same run (so other load on the machine affects both), then the
# table, judged against its targets, printed and written to docs/BENCHMARKS.md.
# Release builds; installs what it needs when missing (wrk, PyGObject + WebKit2GTK typelib).
#
# `--slow` (`make bench-slow`): the same benchmarks on a slower machine, roughly: every
# measured process (the app's and each baseline's; not wrk or the flood that load them) is
# pinned to one core (`taskset -c 1`) beside a busy loop pinned to the same core, and the
# table goes to docs/BENCHMARKS-slow.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wxsim-target}"
bench_dir=crates/bench/scripts
SECONDS=0

slow=""
out=docs/BENCHMARKS.md
for arg in "$@"; do
  case "$arg" in
    --slow) slow=1 out=docs/BENCHMARKS-slow.md ;;
    *) echo "usage: scripts/bench.sh [--slow]" >&2; exit 2 ;;
  esac
done
# Prefix of every measured process: nothing, or one core.
pin=()
[ -n "$slow" ] && pin=(taskset -c 1)

scripts/setup.sh
extra=()
for p in wrk python3-gi gir1.2-webkit2-4.1 gir1.2-gtk-3.0 xvfb xauth; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || extra+=("$p")
done
if [ ${#extra[@]} -gt 0 ]; then
  echo "bench: installing ${extra[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${extra[@]}" >/dev/null
fi

echo "bench: release builds"
cargo build --release -q -p wxsim -p wxsim-bench
cargo build --release -q -p wxsim-desktop --features custom-protocol
bin="$CARGO_TARGET_DIR/release"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
if [ -n "$slow" ]; then
  "${pin[@]}" python3 -c 'while True: pass' &
  pids+=($!)
  echo "bench: slow machine: measured processes on core 1, beside a busy loop there"
fi
results="$work/results.jsonl"
record() { "$bin/wxsim-bench" record --results "$results" "$@"; }

# Starts a server in the background; sets $addr to the address it prints on `listener`.
start_server() {
  local log="$work/server-$#-$RANDOM.log"
  "$@" >"$log" 2>&1 &
  pids+=($!)
  server=$!
  for _ in $(seq 200); do
    addr=$(sed -n 's/^listener //p' "$log")
    [ -n "$addr" ] && return 0
    sleep 0.05
  done
  echo "bench: $1 did not start:" >&2
  cat "$log" >&2
  exit 1
}
stop_server() { kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }

# wrk against $addr; sets rps p50 p99 errors.
load() {
  local line
  line=$(SESSIONS=100 DELAY_MS="$1" wrk -t2 -c"$2" -d"$3" -s "$bench_dir/intake.lua" "$addr" | grep '^RESULT')
  read -r _ rps p50 p99 errors <<<"$line"
}

echo "== callback intake (wrk, unique bodies, 100 chatting sessions)"
start_server "${pin[@]}" "$bin/wxsim-bench" echo
load 0 32 10s; bare_rps=$rps bare_p50=$p50 bare_p99=$p99
load 10 11 10s; bare_rate=$rps bare_fixed_p50=$p50 bare_fixed_p99=$p99
stop_server
start_server "${pin[@]}" "$bin/wxsim-bench" intake --data-dir "$work/intake"
load 0 32 10s; eng_rps=$rps eng_p50=$p50 eng_p99=$p99 eng_errors=$errors
load 10 11 10s; eng_rate=$rps eng_fixed_p50=$p50 eng_fixed_p99=$p99 eng_fixed_errors=$errors
stop_server
echo "intake errors: $eng_errors (saturated), $eng_fixed_errors (fixed rate)"
baseline="bare axum handler, same JSON, nothing stored"
record --what "callback intake" --measure "/ari/msg requests/s (wrk, 32 connections)" \
  --figure "$eng_rps" --baseline "$bare_rps" --baseline-is "$baseline" --target "ratio>=0.5"
record --what "callback intake" --measure "p50 ms, saturated" \
  --figure "$eng_p50" --baseline "$bare_p50" --baseline-is "$baseline" --target "-"
record --what "callback intake" --measure "p99 ms, saturated (the same 10 s as requests/s)" \
  --figure "$eng_p99" --baseline "$bare_p99" --baseline-is "$baseline" --target "<=25"
record --what "callback intake" --measure "p50 ms at ~$(printf %.0f "$eng_rate")/s (fixed rate)" \
  --figure "$eng_fixed_p50" --baseline "$bare_fixed_p50" --baseline-is "$baseline at ~$(printf %.0f "$bare_rate")/s" --target "-"
record --what "callback intake" --measure "p99 ms at ~$(printf %.0f "$eng_rate")/s (fixed rate)" \
  --figure "$eng_fixed_p99" --baseline "$bare_fixed_p99" --baseline-is "$baseline at ~$(printf %.0f "$bare_rate")/s" --target "<=5"

echo "== whole conversations (wxsim load, 1000 customers)"
"${pin[@]}" "$bin/wxsim-bench" conversations --wxsim "$bin/wxsim" --customers 1000 --messages 10 --results "$results"

echo "== history search (1,000,000 messages)"
seeded=$("${pin[@]}" "$bin/wxsim-bench" seed --data-dir "$work/big" --messages 1000000)
echo "$seeded"
seed_rate=$(sed -n 's/.*(\([0-9]*\) messages\/s).*/\1/p' <<<"$seeded")
record --what "seeding" --measure "messages/s written (1,000,000, FTS indexed)" \
  --figure "$seed_rate" --target "-"
"${pin[@]}" "$bin/wxsim-bench" search --data-dir "$work/big" --baseline-dir "$work/small" --results "$results"
rm -rf "$work/big" "$work/small"

echo "== export (100,000 messages)"
"${pin[@]}" "$bin/wxsim-bench" export --work-dir "$work/export" --results "$results"
rm -rf "$work/export"

echo "== proxy (wxsim proxy between a client and its upstream, 2000 exchanges each way)"
"${pin[@]}" "$bin/wxsim-bench" proxy --work-dir "$work/proxy" --results "$results"
rm -rf "$work/proxy"

echo "== transcript (10,000 messages, headless Chromium)"
big_id=$("$bin/wxsim-bench" seed --data-dir "$work/ui" --messages 10000 --conversations 1 | sed -n 's/^conversations \([0-9]*\)\.\..*/\1/p')
empty_id=$("$bin/wxsim-bench" seed --data-dir "$work/ui" --messages 0 --conversations 1 | sed -n 's/^conversations \([0-9]*\)\.\..*/\1/p')
"${pin[@]}" "$bin/wxsim" serve --listen 127.0.0.1:0 --api-listen 127.0.0.1:0 --data-dir "$work/ui" \
  --token bench --ui-dir "$root/ui/dist" >"$work/serve.log" 2>&1 &
pids+=($!)
server=$!
for _ in $(seq 200); do
  api=$(sed -n 's/^api *//p' "$work/serve.log")
  [ -n "$api" ] && break
  sleep 0.05
done
line=$("${pin[@]}" node "$bench_dir/transcript.mjs" "$api" bench "$big_id" "$empty_id" | tee /dev/stderr | grep '^RESULT')
stop_server
read -r _ big_ms empty_ms bubbles scroll_p95 scroll_max <<<"$line"
record --what "transcript" --measure "first paint ms, 10,000 messages" \
  --figure "$big_ms" --baseline "$empty_ms" --baseline-is "an empty conversation's first paint" --target "<=300"
record --what "transcript" --measure "message elements in the DOM (10,000 messages)" \
  --figure "$bubbles" --target "<=500"
record --what "transcript" --measure "p95 frame ms while scrolling" \
  --figure "$scroll_p95" --target "<=50"

echo "== desktop start and footprint (Xvfb)"
"$bin/wxsim-bench" seed --data-dir "$work/desktop" --messages 0 --conversations 100 --chatting --prefix bench- >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
line=$(BENCH_PIN="${pin[*]}" xvfb-run -a -s "-screen 0 1280x800x24" /usr/bin/python3 "$bench_dir/desktop.py" \
  "$bin/wxsim-desktop" "$work/desktop" "127.0.0.1:$port" "$bin/wxsim-bench" | tee /dev/stderr | grep '^RESULT')
read -r _ start_app start_static app_idle all_idle static_all app_after all_after static_app <<<"$line"
record --what "start" --measure "s, launch to painted window (median of 3)" \
  --figure "$start_app" --baseline "$start_static" --baseline-is "a static page in the same WebKit" --target "<=2"
record --what "footprint" --measure "app process MB RSS, idle" \
  --figure "$app_idle" --baseline "$static_app" --baseline-is "a static page's own process in the same WebKit (GTK + WebKit UI process)" --target "<=80"
record --what "footprint" --measure "all processes MB RSS (with WebKit's), idle" \
  --figure "$all_idle" --baseline "$static_all" --baseline-is "a static page in the same WebKit, all processes" --target "<=350"
record --what "footprint" --measure "all processes MB RSS after 100,000 received messages" \
  --figure "$all_after" --baseline "$all_idle" --baseline-is "the same app idle, before them" --target "ratio<=1.1"
record --what "footprint" --measure "app process MB RSS after 100,000 received messages" \
  --figure "$app_after" --baseline "$app_idle" --baseline-is "the same app idle, before them" --target "ratio<=1.1"

{
  if [ -n "$slow" ]; then
    echo "# Benchmarks on a slow machine"
    echo
    echo "Measured by \`make bench-slow\` (\`scripts/bench.sh --slow\`), $(date -u +%Y-%m-%d), release builds, loopback:"
    echo "every measured process (the app's and each baseline's) pinned to one core of $(nproc) (\`taskset -c 1\`)"
    echo "beside a busy loop pinned to the same core, so it gets about half a core; wrk, the flood and"
    echo "the busy loop's neighbours run free. Every baseline is measured the same way in the same run."
    echo "The whole run took $((SECONDS / 60)) min $((SECONDS % 60)) s. The full run on all cores is [BENCHMARKS.md](BENCHMARKS.md)."
  else
    echo "# Benchmarks"
    echo
    echo "Measured by \`make bench\` (\`scripts/bench.sh\`) on $(nproc) cores, $(date -u +%Y-%m-%d), release builds, loopback;"
    echo "every baseline is measured in the same run, so other load on the machine weighs on both sides."
    echo "The whole run took $((SECONDS / 60)) min $((SECONDS % 60)) s."
  fi
  echo
} >"$work/preamble.md"
notes=(--notes crates/bench/NOTES.md)
[ -n "$slow" ] && notes=()
"$bin/wxsim-bench" report --results "$results" --out "$out" \
  --preamble "$work/preamble.md" "${notes[@]}"
echo "bench: wrote $out in $((SECONDS / 60)) min $((SECONDS % 60)) s"
