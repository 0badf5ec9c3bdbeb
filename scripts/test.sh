#!/usr/bin/env bash
# The whole test suite: UI type check and unit tests, the UI production build
# (the desktop crate embeds ui/dist at compile time), then every Rust test in
# the workspace. The Rust run comes last so its summary closes the output.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$ROOT/scripts/setup.sh"

cd "$ROOT/ui"
log "ui: type check"
npm run --silent typecheck
log "ui: unit tests (vitest)"
npx vitest run --reporter=default
log "ui: production build"
npm run --silent build

cd "$ROOT"
if cargo nextest --version >/dev/null 2>&1; then
    log "rust: cargo nextest run --workspace"
    cargo nextest run --workspace --no-fail-fast
else
    log "rust: cargo test --workspace (install cargo-nextest for a faster run)"
    cargo test --workspace --no-fail-fast
fi
