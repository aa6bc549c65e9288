#!/usr/bin/env bash
# The suite as a busy machine runs it: a fresh clone of this checkout's HEAD, two processes
# burning a core each beside it, and `scripts/test.sh` N times in a row (default 3). A race
# that a quiet machine hides shows up here. Prints each run's closing line and its time, and
# exits non-zero when any run failed. The clone shares the cargo target dir, so only the
# first run builds.
set -uo pipefail
runs=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
hogs=()
cleanup() {
  for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
git clone -q "$root" "$work/wxsim"
[ -d "$root/../shared" ] && ln -s "$root/../shared" "$work/shared"
for _ in 1 2; do
  python3 -c 'while True: pass' &
  hogs+=($!)
done
failed=0
for run in $(seq 1 "$runs"); do
  started=$SECONDS
  log="$work/run-$run.log"
  if (cd "$work/wxsim" && scripts/test.sh >"$log" 2>&1); then status=ok; else status=FAILED; failed=$((failed + 1)); fi
  echo "stress run $run/$runs: $status in $((SECONDS - started)) s — $(tail -1 "$log")"
  [ "$status" = ok ] || grep -E "failing steps|✖|FAILED|panicked" "$log" | head -20
done
echo "stress: $((runs - failed)) of $runs runs green with two CPU hogs beside them"
[ "$failed" -eq 0 ]
