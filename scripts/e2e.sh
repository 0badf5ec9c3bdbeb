#!/usr/bin/env bash
# The end-to-end test: builds the desktop app with the UI embedded, then drives
# the real window over WebDriver (tauri-driver + WebKitWebDriver) on a virtual
# display, inside a private D-Bus session with an unlocked gnome-keyring (the
# Secret Service the app keeps the feed token in; decision 21).
#
#   scripts/e2e.sh                 build, then run every flow
#   scripts/e2e.sh --no-build      run against the last build
#   E2E_ONLY=launch,fleet-live scripts/e2e.sh   run some flows
#
# Screenshots of every page (and, on failure, the screenshot and page source
# of the failing step) go to $E2E_ARTIFACTS (default: a new temp dir, printed
# at the end). Works headless, as root, under CI=true: no display is needed.
# Honours CARGO_TARGET_DIR. Installs what it needs (idempotent):
# webkit2gtk-driver, xvfb, xauth, gnome-keyring, dbus from apt, and
# tauri-driver into $FC_TOOLS_DIR (default /var/cache/fuelcopilot/tools).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build=1
profile=debug
while [ "$#" -gt 0 ]; do
    case "$1" in
    --no-build) build=0 ;;
    --release) profile=release ;;
    -h | --help)
        sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown option: $1 (try --help)" ;;
    esac
    shift
done

TAURI_DRIVER_VERSION=2.1.0
FC_TOOLS_DIR="${FC_TOOLS_DIR:-/var/cache/fuelcopilot/tools}"
export FC_TAURI_DRIVER="$FC_TOOLS_DIR/bin/tauri-driver"

# command -> Debian package that provides it.
e2e_system_packages() {
    local missing=() pair cmd pkg
    for pair in WebKitWebDriver:webkit2gtk-driver xvfb-run:xvfb xauth:xauth \
        gnome-keyring-daemon:gnome-keyring dbus-run-session:dbus dbus-send:dbus; do
        cmd="${pair%%:*}" pkg="${pair#*:}"
        if ! command -v "$cmd" >/dev/null 2>&1; then
            case " ${missing[*]:-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
        fi
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    command -v apt-get >/dev/null 2>&1 ||
        die "missing ${missing[*]} and this is not a Debian/Ubuntu system: install WebKitWebDriver, Xvfb, xauth, gnome-keyring and dbus"
    log "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

e2e_tauri_driver() {
    if [ -x "$FC_TAURI_DRIVER" ] && "$FC_TAURI_DRIVER" --help >/dev/null 2>&1; then
        return 0
    fi
    log "installing tauri-driver $TAURI_DRIVER_VERSION into $FC_TOOLS_DIR"
    mkdir -p "$FC_TOOLS_DIR"
    cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --root "$FC_TOOLS_DIR"
}

# Builds ui/dist and the app with the custom protocol on, so the window serves
# the embedded production assets, not the Vite dev server.
e2e_build() {
    "$ROOT/scripts/setup.sh"
    # Rebuilding identical assets still changes their mtime, which makes cargo
    # rebuild and relink the app: build the UI only when a source is newer.
    local stale
    stale="$(cd "$ROOT" && find ui/src ui/public ui/index.html ui/vite.config.ts ui/package-lock.json \
        locales -newer ui/dist/index.html -print -quit 2>/dev/null || echo missing)"
    if [ ! -f "$ROOT/ui/dist/index.html" ] || [ -n "$stale" ]; then
        log "ui: production build"
        (cd "$ROOT/ui" && npm run --silent build)
    else
        log "ui: ui/dist is up to date"
    fi
    log "building fuel-copilot ($profile, UI embedded)"
    local flags=()
    [ "$profile" = release ] && flags+=(--release)
    (cd "$ROOT" && cargo build --bin fuel-copilot --features tauri/custom-protocol "${flags[@]}")
    # The target dir may be shared: another build of the package (without the
    # custom protocol) relinks the same path, so the test runs a private copy.
    mkdir -p "$(dirname "$E2E_APP_COPY")"
    # Copy then rename: a copy that is running (another run) is never written into.
    cp -f "$target/$profile/fuel-copilot" "$E2E_APP_COPY.tmp.$$"
    mv -f "$E2E_APP_COPY.tmp.$$" "$E2E_APP_COPY"
}

target="${CARGO_TARGET_DIR:-$ROOT/target}"
E2E_APP_COPY="$target/e2e/$profile/fuel-copilot"

e2e_system_packages
e2e_tauri_driver
[ "$build" -eq 1 ] && e2e_build

export FC_APP="${FC_APP:-$E2E_APP_COPY}"
[ -x "$FC_APP" ] || die "no app binary at $FC_APP (run without --no-build)"
# The binary embeds ui/dist at compile time: it must be newer than the build
# it should carry (the launch flow then checks the page's script is that build's).
[ "$FC_APP" -nt "$ROOT/ui/dist/index.html" ] ||
    die "$FC_APP is older than ui/dist: rebuild (run without --no-build)"

export E2E_ARTIFACTS="${E2E_ARTIFACTS:-$(mktemp -d "${TMPDIR:-/tmp}/fc-e2e-XXXXXX")}"
mkdir -p "$E2E_ARTIFACTS"
# A private home for everything the session writes (keyring, WebKit caches and
# storage), so runs are hermetic and never touch the user's own.
E2E_HOME="$(mktemp -d "${TMPDIR:-/tmp}/fc-e2e-home-XXXXXX")"
trap 'rm -rf "$E2E_HOME"' EXIT
mkdir -p "$E2E_HOME/runtime" && chmod 700 "$E2E_HOME/runtime"
export HOME="$E2E_HOME" XDG_RUNTIME_DIR="$E2E_HOME/runtime" XDG_DATA_HOME="$E2E_HOME/data" \
    XDG_CONFIG_HOME="$E2E_HOME/config" XDG_CACHE_HOME="$E2E_HOME/cache"
# A virtual display has no GPU: software rendering, no DMA-BUF renderer.
export WEBKIT_DISABLE_DMABUF_RENDERER=1 LIBGL_ALWAYS_SOFTWARE=1
export E2E_NODE="$(command -v node)"
export E2E_RUNNER="${E2E_RUNNER:-$ROOT/tests/e2e/run.mjs}"

log "running $(basename "$E2E_RUNNER") (artefacts: $E2E_ARTIFACTS)"
set +e
dbus-run-session -- bash -c '
    set -euo pipefail
    # A throwaway login keyring, created and unlocked in the private home (an
    # empty password creates no login collection, so it has one). The daemon
    # exits with this D-Bus session.
    printf "e2e" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    for _ in $(seq 1 50); do
        if dbus-send --session --print-reply --dest=org.freedesktop.secrets \
            /org/freedesktop/secrets/aliases/default org.freedesktop.DBus.Properties.Get \
            string:org.freedesktop.Secret.Collection string:Locked 2>/dev/null | grep -q "boolean false"; then
            break
        fi
        sleep 0.1
    done
    dbus-send --session --print-reply --dest=org.freedesktop.secrets \
        /org/freedesktop/secrets/aliases/default org.freedesktop.DBus.Properties.Get \
        string:org.freedesktop.Secret.Collection string:Locked 2>/dev/null | grep -q "boolean false" ||
        { echo "error: gnome-keyring did not unlock the Secret Service default collection" >&2; exit 1; }
    exec xvfb-run -a -s "-screen 0 1280x860x24" "$E2E_NODE" "$E2E_RUNNER"
' 2>&1 | tee "$E2E_ARTIFACTS/run.log"
rc="${PIPESTATUS[0]}"
set -e
log "artefacts: $E2E_ARTIFACTS"
exit "$rc"
