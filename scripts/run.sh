#!/usr/bin/env bash
# Builds and starts the Fuel Copilot desktop app from a fresh clone.
#
#   scripts/run.sh          build the UI, build the app with the UI embedded, run it
#   scripts/run.sh --dev    hot-reloading development mode (Vite dev server + tauri dev)
#
# Extra arguments after `--` go to the app.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mode=app
app_args=()
while [ "$#" -gt 0 ]; do
    case "$1" in
    --dev) mode=dev ;;
    --) shift; app_args=("$@"); break ;;
    -h | --help)
        sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown option: $1 (try --help)" ;;
    esac
    shift
done

"$ROOT/scripts/setup.sh"

if ! have_display; then
    die "no display: DISPLAY and WAYLAND_DISPLAY are unset, so the desktop window cannot open. Run it in a desktop session, or under a virtual display: xvfb-run -a scripts/run.sh"
fi

cd "$ROOT"
if [ "$mode" = dev ]; then
    log "starting tauri dev (Vite on http://localhost:5173)"
    exec ui/node_modules/.bin/tauri dev -- -- "${app_args[@]}"
fi

log "building the UI"
(cd ui && npm run build)

# custom-protocol makes the binary serve the embedded ui/dist instead of the
# Vite dev server; it is what `tauri build` turns on.
log "building the app"
cargo build --bin fuel-copilot --features tauri/custom-protocol

target_dir="${CARGO_TARGET_DIR:-$ROOT/target}"
log "starting $target_dir/debug/fuel-copilot"
exec "$target_dir/debug/fuel-copilot" "${app_args[@]}"
