#!/usr/bin/env bash
# `make dist`: the installable desktop app, a release build bundled by Tauri's bundler:
# the .deb (always) and the .AppImage (when the AppImage tools can be had).
#
# The UI is built first and embedded in the binary (`frontendDist` ../ui/dist, the
# `custom-protocol` feature), so the installed app reads nothing from this checkout.
# The Tauri CLI is the `@tauri-apps/cli` npm package (a dev dependency of ui/).
#
# The AppImage bundler runs linuxdeploy (with its GTK plugin) and an AppRun, which it keeps
# in ${XDG_CACHE_HOME:-~/.cache}/tauri and downloads from GitHub when they are missing.
# No registry ships them (no Debian package either), so on a machine without internet the
# AppImage cannot be made: this script says so and still exits 0 with the .deb. On a
# machine with internet the same `make dist` downloads them once and makes the AppImage;
# or copy that tools folder from such a machine to this one.
#
# Prints where each bundle is, and its size. Windows (msi, nsis) and macOS (app, dmg)
# bundles are configured in src-tauri/tauri.conf.json: build them on those systems with
# `npm --prefix ui exec -- tauri build` from the checkout's root, after the UI build.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wxsim-target}"
SECONDS=0

scripts/setup.sh
echo "dist: building the UI (embedded in the app)"
npm --prefix ui run build --silent

tauri=(ui/node_modules/.bin/tauri)
bundle_dir="$CARGO_TARGET_DIR/release/bundle"

echo "dist: release build and the .deb (slow: a release build of the whole app)"
rm -rf "$bundle_dir/deb" "$bundle_dir/appimage"
CI=true "${tauri[@]}" build --bundles deb

tools="${XDG_CACHE_HOME:-$HOME/.cache}/tauri"
echo "dist: the .AppImage (its tools are kept in $tools)"
appimage_log=$(mktemp)
if CI=true "${tauri[@]}" bundle --bundles appimage >"$appimage_log" 2>&1; then
  appimage_made=1
else
  appimage_made=""
fi

echo
echo "dist: done in ${SECONDS}s"
for f in "$bundle_dir"/deb/*.deb "$bundle_dir"/appimage/*.AppImage; do
  [ -f "$f" ] && printf '%-9s %s (%s)\n' "${f##*.}" "$f" "$(du -h "$f" | cut -f1)"
done
if [ -z "$appimage_made" ]; then
  tail -n 5 "$appimage_log" | sed 's/^/  appimage: /'
  cat <<EOF

dist: no .AppImage: Tauri's AppImage bundler needs linuxdeploy, its GTK plugin and an AppRun
  in $tools, and downloads them from GitHub when missing; this machine cannot reach GitHub,
  and no package registry ships them. The .deb above is complete.
  On a machine with internet, run \`make dist\` there (it downloads them once), or copy its
  $tools folder here (linuxdeploy-x86_64.AppImage, linuxdeploy-plugin-gtk.sh,
  linuxdeploy-plugin-gstreamer.sh, AppRun-x86_64) and run \`make dist\` again.
EOF
fi
rm -f "$appimage_log"
