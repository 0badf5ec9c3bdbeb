#!/usr/bin/env bash
# The whole test suite: UI type check and unit tests, the UI production build
# (the desktop crate embeds ui/dist at compile time), every Rust test in the
# workspace, then the end-to-end test of the real app window (scripts/e2e.sh:
# Xvfb, WebDriver, no display needed), whose per-flow summary closes the output.
# FC_SKIP_E2E=1 leaves the end-to-end test out (it is never skipped under CI).
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

if [ -n "${FC_SKIP_E2E:-}" ] && [ -z "${CI:-}" ]; then
    warn "FC_SKIP_E2E is set: the end-to-end test (scripts/e2e.sh) did not run"
else
    log "e2e: the desktop app over WebDriver (scripts/e2e.sh)"
    "$ROOT/scripts/e2e.sh"
fi
