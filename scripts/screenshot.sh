#!/usr/bin/env bash
# Starts the desktop app on a virtual display (Xvfb) and saves a screenshot of
# its first screen. Used for docs/screenshots/ and to check a build by eye.
#
#   scripts/screenshot.sh [OUT.png] [SETTLE_SECONDS]
#
# Builds like scripts/run.sh (UI embedded). Honours CARGO_TARGET_DIR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out="${1:-$ROOT/docs/screenshots/first-launch.png}"
settle="${2:-4}"

"$ROOT/scripts/setup.sh"

# import (ImageMagick) grabs the screen; xwininfo finds the window.
need=()
command -v xwininfo >/dev/null 2>&1 || need+=(x11-utils)
if ! command -v import >/dev/null 2>&1 || ! import -version 2>/dev/null | grep -q ImageMagick; then
    need+=(imagemagick)
fi
if [ "${#need[@]}" -gt 0 ]; then
    log "installing ${need[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

cd "$ROOT"
(cd ui && npm run --silent build)
cargo build --bin fuel-copilot --features tauri/custom-protocol
bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug/fuel-copilot"
mkdir -p "$(dirname "$out")"

# Software rendering: a virtual display has no GPU.
export WEBKIT_DISABLE_DMABUF_RENDERER=1 LIBGL_ALWAYS_SOFTWARE=1
export FC_BIN="$bin" FC_OUT="$out" FC_SETTLE="$settle"
xvfb-run -a -s "-screen 0 1280x860x24" bash -c '
    set -euo pipefail
    "$FC_BIN" >/tmp/fuel-copilot-screenshot.log 2>&1 &
    app=$!
    trap "kill $app 2>/dev/null || true" EXIT
    for _ in $(seq 1 120); do
        xwininfo -root -tree 2>/dev/null | grep -q "\"Fuel Copilot\"" && break
        kill -0 "$app" 2>/dev/null || { cat /tmp/fuel-copilot-screenshot.log >&2; exit 1; }
        sleep 0.5
    done
    # The window maps before the page has rendered and app_info has answered.
    sleep "$FC_SETTLE"
    import -window root "$FC_OUT"
'
log "saved $out"
