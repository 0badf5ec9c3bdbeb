#!/usr/bin/env bash
# Desktop performance (issue 7 targets, decision 24): a release build with the
# UI embedded, 1000 simulated trucks each reporting about once a second, on a
# virtual display. Prints launch to the first live row, PSS summed over the
# app's processes (the app, WebKitWebProcess, WebKitNetworkProcess;
# /proc/<pid>/smaps_rollup) sampled every SAMPLE_S seconds with its trend (the
# slope of the per-minute lows from minute 2, robust to the garbage collector's
# sawtooth, and the last minute's low against the second's), the UI's
# requestAnimationFrame drift (p99, max), its late frames and own main-thread
# work, and the points/s and truck updates/s the UI actually received, from
# window.__fcPerf.
#
#   bench/desktop.sh                  DURATION=600 s (the issue's 10 minutes)
#   DURATION=120 bench/desktop.sh     a shorter run
#   TRUCKS=1000 SAMPLE_S=5            the defaults
#   SPEEDUP=45 DEMO_START=03:55       the defaults: the demo's FUELCOPILOT_DEMO_SPEEDUP (a
#                                     moving truck reports every 30-60 s simulated, so 45 is
#                                     ~1 Hz per truck) and FUELCOPILOT_DEMO_START (just before
#                                     the first departures; docs/IPC.md)
#   BENCH_PROFILE=debug               the debug build instead (not the target's conditions)
#
# Runs through scripts/e2e.sh (same drivers, display and keyring setup), so it
# needs nothing else; figures and the samples go to $E2E_ARTIFACTS
# (desktop-bench.json). Numbers depend on the machine's load: the load average
# is printed with them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DURATION="${DURATION:-600}" SAMPLE_S="${SAMPLE_S:-5}" TRUCKS="${TRUCKS:-1000}"
export E2E_RUNNER="$ROOT/bench/desktop.mjs"
profile=(--release)
[ "${BENCH_PROFILE:-release}" = debug ] && profile=()
exec "$ROOT/scripts/e2e.sh" "${profile[@]}" "$@"
