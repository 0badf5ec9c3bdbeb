#!/usr/bin/env bash
# Installs what building, running and testing Fuel Copilot needs. Idempotent:
# it installs only what is missing, and reinstalls the UI's npm packages only
# when ui/package-lock.json changed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MIN_NODE_MAJOR=20
MIN_NODE_MINOR=19

# System libraries Tauri (WebKitGTK) links against, plus the tools the tests use.
APT_PACKAGES=(
    libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libayatana-appindicator3-dev
    librsvg2-dev libxdo-dev libssl-dev pkg-config build-essential curl file
    sqlite3 xvfb
)

install_system_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        warn "not a Debian/Ubuntu system: install the equivalents of: ${APT_PACKAGES[*]}"
        warn "(see https://v2.tauri.app/start/prerequisites/ for other distributions)"
        return 0
    fi
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        log "system packages: all present"
        return 0
    fi
    log "installing system packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

check_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        die "Rust is missing. Install it with rustup (https://rustup.rs), then run this again. The workspace needs Rust $(rust_version) or newer."
    fi
    log "rust: $(rustc --version 2>/dev/null || echo unknown)"
}

rust_version() {
    sed -n 's/^rust-version *= *"\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -n 1
}

check_node() {
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        die "Node.js and npm are missing. Install Node.js ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR}+ (e.g. from your distribution or https://nodejs.org), then run this again."
    fi
    local version major minor
    version="$(node --version)"
    version="${version#v}"
    major="${version%%.*}"
    minor="${version#*.}"
    minor="${minor%%.*}"
    if [ "$major" -lt "$MIN_NODE_MAJOR" ] || { [ "$major" -eq "$MIN_NODE_MAJOR" ] && [ "$minor" -lt "$MIN_NODE_MINOR" ]; }; then
        die "Node.js $version is too old: the UI build (Vite 8) needs ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR} or newer."
    fi
    log "node: v$version, npm $(npm --version)"
}

# npm ci wipes and reinstalls node_modules, so run it only when the lock file
# changed since the last successful install (recorded in a stamp file).
install_ui_packages() {
    local ui="$ROOT/ui" stamp="$ROOT/ui/node_modules/.fuelcopilot-lock.sha256" want have=""
    want="$(sha256sum "$ui/package-lock.json" | cut -d' ' -f1)"
    [ -f "$stamp" ] && have="$(cat "$stamp")"
    if [ "$want" = "$have" ] && [ -x "$ui/node_modules/.bin/vite" ]; then
        log "ui packages: up to date"
        return 0
    fi
    log "installing ui packages (npm ci)"
    (cd "$ui" && npm ci --no-audit --no-fund --loglevel=error)
    printf '%s\n' "$want" >"$stamp"
}

install_system_packages
check_rust
check_node
install_ui_packages
log "setup complete"
