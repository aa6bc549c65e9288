#!/usr/bin/env bash
# Checks the installable desktop app as a sales engineer gets it: builds the bundles
# (`make dist`, a release build: slow, so this runs outside CI and scripts/test.sh), installs
# the .deb into this machine with apt (`apt-get install ./wxsim_….deb`, dependencies
# resolved as on a laptop), checks its menu entry (.desktop: Name, Comment, Categories, Icon,
# Exec, Terminal=false), then starts the entry's Exec command as the desktop menu would:
# no arguments, no WXSIM_* settings, a fresh HOME and XDG dirs, in a private mount
# namespace where this checkout and the cargo target dir are hidden (empty tmpfs), so the
# app can read nothing of the source tree. Under Xvfb it waits for the window to paint,
# checks the app made its default data dir and runs the embedded webchat simulator, saves a
# screenshot of the window to tests/desktop/screenshots/dist-installed.png, checks the
# screenshot is not blank, closes the app and removes the package again.
#
# Usage (as root: it installs a package and mounts): scripts/dist-check.sh [--no-build]
#   --no-build  check the bundle the last `make dist` left instead of building again
# Prints `N passed, M failed` last; exits non-zero when a check failed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wxsim-target}"
SECONDS=0

build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build="" ;;
    *) echo "usage: scripts/dist-check.sh [--no-build]" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "dist-check: run it as root: it installs the .deb with apt and hides the checkout with a mount" >&2
  exit 2
fi

[ -z "$build" ] || make dist
build_s=$SECONDS
deb=$(find "$CARGO_TARGET_DIR/release/bundle/deb" -name '*.deb' 2>/dev/null | head -1)
if [ -z "$deb" ]; then
  echo "dist-check: no .deb in $CARGO_TARGET_DIR/release/bundle/deb: run \`make dist\` (or drop --no-build)" >&2
  exit 1
fi
pkg=$(dpkg-deb -f "$deb" Package)
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
  echo "dist-check: the package $pkg is installed already; this check installs and removes it: \`apt-get purge $pkg\` first" >&2
  exit 2
fi

passed=0 failed=0
check() { # check NAME CONDITION...: runs the condition, counts and prints the outcome
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok    $name"
  else
    failed=$((failed + 1))
    echo "FAIL  $name"
  fi
}

work=$(mktemp -d)
app=""
cleanup() {
  [ -z "$app" ] || kill "$app" 2>/dev/null || true
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$pkg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v desktop-file-validate >/dev/null || ! command -v xprop >/dev/null; then
  echo "dist-check: installing desktop-file-utils and x11-utils (validate the menu entry, read the window's class)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends desktop-file-utils x11-utils >/dev/null
fi
echo "dist-check: installing $deb"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log" >&2; echo "dist-check: apt could not install $deb" >&2; exit 1; }

# The menu entry.
entry=$(dpkg -L "$pkg" | grep -E '^/usr/share/applications/.*\.desktop$' | head -1)
field() { sed -n "s/^$1=//p" "$entry" | head -1; }
check "the package installs a menu entry" test -n "$entry"
name=$(field Name) comment=$(field Comment) categories=$(field Categories) icon=$(field Icon)
exec_line=$(field Exec)
echo "      $entry: Name=$name; Comment=$comment; Categories=$categories; Icon=$icon; Exec=$exec_line"
check "Name is wxsim" test "$name" = wxsim
check "Comment says what it is" grep -q "WeChat" <<<"$comment"
check "Categories put it under Development" grep -q "Development;" <<<"$categories"
check "Terminal=false: no terminal needed" test "$(field Terminal)" = false
icon_file=$(dpkg -L "$pkg" | grep -E "^/usr/share/icons/hicolor/.*/apps/$icon\.png$" | head -1)
check "Icon is installed in the hicolor theme ($icon_file)" test -n "$icon_file"
# The command the menu runs: Exec without its field codes (%u, %f, …), found on PATH.
read -r -a command <<<"$(sed 's/ %[a-zA-Z]//g' <<<"$exec_line")"
exe=$(command -v "${command[0]}" || true)
check "Exec is a command the package installed ($exe)" bash -c "dpkg -S '${exe:-${command[0]}}' >/dev/null"
check "desktop-file-validate accepts the entry" desktop-file-validate "$entry"

# A fresh user: only what a desktop session gives a program it starts from the menu.
home="$work/home"
mkdir -p "$home" "$work/runtime"
chmod 700 "$work/runtime"
data="$home/.local/share/$(sed -n 's/.*"identifier": *"\([^"]*\)".*/\1/p' src-tauri/tauri.conf.json)"
mkdir -p tests/desktop/screenshots
shot="$root/tests/desktop/screenshots/dist-installed.png"
rm -f "$shot"

cat >"$work/inside.sh" <<'INSIDE'
# Inside xvfb-run: starts the installed app as the menu would, waits for its window to paint
# (the screen's sampled colours exceed a blank or half-drawn window's, and two samples in a
# row are the same), and screenshots the window.
set -uo pipefail
unshare --mount --propagation private sh -c '
  mount -t tmpfs none "$ROOT" && mount -t tmpfs none "$TARGET" || exit 97
  cd "$HOME_DIR" && exec env -i HOME="$HOME_DIR" USER=wxsim LANG=C.UTF-8 PATH=/usr/local/bin:/usr/bin:/bin \
    DISPLAY="$DISPLAY" XAUTHORITY="$XAUTHORITY" XDG_RUNTIME_DIR="$WORK/runtime" \
    XDG_CONFIG_HOME="$HOME_DIR/.config" XDG_DATA_HOME="$HOME_DIR/.local/share" \
    XDG_CACHE_HOME="$HOME_DIR/.cache" "$@"' app "${COMMAND[@]}" >"$WORK/app.log" 2>&1 &
app=$!
echo "$app" >"$WORK/app.pid"
deadline=$((SECONDS + 90))
last="" window=""
while :; do
  if ! kill -0 "$app" 2>/dev/null; then
    echo "dist-check: the app exited before its window painted; its log:" >&2
    cat "$WORK/app.log" >&2
    exit 1
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "dist-check: no painted window within 90 s" >&2
    exit 1
  fi
  [ -n "$window" ] || window=$(xdotool search --onlyvisible --name '^wxsim$' 2>/dev/null | head -1)
  if [ -n "$window" ]; then
    import -window root "$WORK/screen.png" 2>/dev/null
    colours=$(convert "$WORK/screen.png" -format %k info: 2>/dev/null || echo 0)
    now=$(convert "$WORK/screen.png" rgb:- 2>/dev/null | md5sum)
    if [ "$colours" -gt "$MIN_COLOURS" ] && [ "$now" = "$last" ]; then
      break
    fi
    last=$now
  fi
  sleep 0.5
done
eval "$(xdotool getwindowgeometry --shell "$window")"
convert "$WORK/screen.png" -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" +repage "$SHOT"
echo "window $window ${WIDTH}x${HEIGHT}, $colours colours on screen"
# What the menu and a dock match the window with, and the embedded simulator, asked while
# the app runs.
xprop -id "$window" WM_CLASS >"$WORK/window-class" 2>&1
curl -fsS -m 10 "http://$(cat "$DATA/embedded-webchat.addr")/sim/state" >"$WORK/sim-state.json" 2>&1
INSIDE

echo "dist-check: starting \`${command[*]}\` under Xvfb (fresh HOME, checkout hidden)"
started=$SECONDS
inside=0
ROOT="$root" TARGET="$CARGO_TARGET_DIR" HOME_DIR="$home" DATA="$data" WORK="$work" SHOT="$shot" MIN_COLOURS=24 \
  xvfb-run -a -s "-screen 0 1440x900x24" bash -c \
  'COMMAND=("$@"); source "$WORK/inside.sh"; status=$?
   kill "$(cat "$WORK/app.pid")" 2>/dev/null
   for _ in $(seq 100); do kill -0 "$(cat "$WORK/app.pid")" 2>/dev/null || break; sleep 0.1; done
   exit $status' inside "${command[@]}" || inside=$?
paint_s=$((SECONDS - started))
check "the installed app painted its window with nothing from the checkout" test "$inside" -eq 0
check "the screenshot is saved" test -s "$shot"
if [ -s "$shot" ]; then
  colours=$(convert "$shot" -format %k info:)
  spread=$(convert "$shot" -colorspace Gray -format '%[fx:int(standard_deviation*1000)]' info:)
  echo "      $shot: $(identify -format '%wx%h' "$shot"), $colours colours, grey spread $spread/1000"
  check "the screenshot is not blank (many colours, not one flat tone)" test "$colours" -gt 24 -a "$spread" -gt 20
  # The UI's accent green (logo, primary button; light and dark theme) on a share of the
  # window: the embedded UI loaded, not an error page of the webview.
  accent=$(convert "$shot" -alpha off -fuzz 12% -fill black +opaque '#07c160' -fill white -opaque '#07c160' \
    -format '%[fx:int(mean*10000)]' info:)
  check "the screenshot shows wxsim's UI (its accent green on $accent/10000 of the window)" test "$accent" -ge 20
fi
check "the app made its default data dir ($data)" test -s "$data/wxsim.db"
sed 's/\x1b\[[0-9;]*m//g' "$work/app.log" >"$work/app.txt" # its log, without colours
check "the app started the embedded webchat simulator" grep -q "wxsim started.*embedded=true" "$work/app.txt"
check "the embedded simulator answered /sim/state, calling the app back on loopback" \
  python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["ariBase"].startswith("http://127.0.0.1:")' "$work/sim-state.json"
wm_class=$(field StartupWMClass)
echo "      window $(cat "$work/window-class" 2>/dev/null); entry StartupWMClass=$wm_class"
check "the window's class is the entry's StartupWMClass (docks match them)" grep -q "\"$wm_class\"" "$work/window-class"
check "the app logged no error" bash -c "! grep -E ' ERROR ' '$work/app.txt'"

echo
echo "dist-check: build ${build_s}s, window painted ${paint_s}s after start, ${SECONDS}s in all"
for f in "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb "$CARGO_TARGET_DIR"/release/bundle/appimage/*.AppImage; do
  [ -f "$f" ] && echo "bundle $(du -h "$f" | cut -f1) $f"
done
echo "installed size $(dpkg-deb -f "$deb" Installed-Size) kB; screenshot: $shot"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
