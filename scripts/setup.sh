#!/usr/bin/env bash
# Installs what wxsim needs on Debian/Ubuntu when it is missing: system packages for the
# Tauri window and the tests, the UI's npm packages, and the UI build. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libwebkit2gtk-4.1-dev build-essential libssl-dev libayatana-appindicator3-dev
  librsvg2-dev libxdo-dev pkg-config xvfb xauth webkit2gtk-driver chromium imagemagick curl xdotool wrk fonts-wqy-microhei)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null; then
  echo "setup: Node.js 20+ and npm are needed for the UI; install them first" >&2
  exit 1
fi

if [ -f ui/package.json ]; then
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    echo "setup: installing the UI's npm packages"
    npm --prefix ui ci --no-audit --no-fund --loglevel=error
  fi
  if [ ! -f ui/dist/index.html ] || [ -n "$(find ui/src ui/index.html ui/package.json -newer ui/dist/index.html -print -quit 2>/dev/null)" ]; then
    echo "setup: building the UI"
    npm --prefix ui run build --silent
  fi
fi
