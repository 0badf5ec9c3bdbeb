#!/usr/bin/env bash
# Live load benchmark, loopback only, bounded: a `fuelcopilot serve-feed` gateway in its
# own process simulates TRUCKS trucks (clean profile, so that every (truck, ts) is
# distinct) and delivers TRUCKS x PER_TRUCK points per second for SECONDS; the client
# side (crates/fc-live/examples/live_bench.rs) follows it through the real feed client,
# ingest pipeline and embedded store, and prints throughput, feed-to-first-truck-update
# latency percentiles, lost and doubled points (the store checked against the
# gateway's count and key digest) and RSS samples.
#
# Usage: bench/live.sh [TRUCKS=10000] [SECONDS=300] [PER_TRUCK_PER_S=1]
set -euo pipefail
TRUCKS=${1:-10000}
SECONDS_RUN=${2:-300}
PER=${3:-1}
RATE=$(python3 -c "print(${TRUCKS} * ${PER})")
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/fuelcopilot/dev-target}
cd "$(dirname "$0")/.."
# SKIP_BUILD=1 reuses the last release build (a shared target dir may be busy).
if [ -z "${SKIP_BUILD:-}" ]; then
    cargo build --release -q -p fc-cli
    cargo build --release -q -p fc-live --example live_bench
fi
TMP=$(mktemp -d)
# Copies: a shared target dir may be rebuilt from another checkout meanwhile, which
# replaces release/fuelcopilot; the newest per-checkout artifact in deps/ that has
# `serve-feed` is this build's.
cp "$CARGO_TARGET_DIR/release/examples/live_bench" "$TMP/"
for f in $(ls -t "$CARGO_TARGET_DIR"/release/deps/fuelcopilot-* | grep -v '\.d$'); do
    if "$f" serve-feed --help >/dev/null 2>&1; then cp "$f" "$TMP/fuelcopilot"; break; fi
done
[ -x "$TMP/fuelcopilot" ] || { echo "no fuelcopilot build with serve-feed found" >&2; exit 1; }
BIN="$TMP"
export FUELCOPILOT_DATA_DIR="$TMP"
GW_PID=
cleanup() {
    if [ -n "$GW_PID" ]; then kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
TOKEN=bench-$RANDOM$RANDOM
echo "gateway: $TRUCKS simulated trucks, $RATE points/s for $SECONDS_RUN s"
"$BIN/fuelcopilot" --json serve-feed --listen 127.0.0.1:0 --token "$TOKEN" \
    --sim-trucks "$TRUCKS" --sim-days 14 --profile clean --rate "$RATE" \
    --duration "$SECONDS_RUN" --summary "$TMP/summary.json" >"$TMP/feed.out" 2>"$TMP/feed.err" &
GW_PID=$!
for _ in $(seq 1 600); do
    [ -s "$TMP/feed.out" ] && break
    if ! kill -0 "$GW_PID" 2>/dev/null; then cat "$TMP/feed.err" >&2; exit 1; fi
    sleep 0.1
done
URL=$(head -1 "$TMP/feed.out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
echo "gateway at $URL (pid $GW_PID)"
# Bounded: the stream ends after SECONDS_RUN; the client then has ten minutes at most to catch up.
timeout $((SECONDS_RUN + 600)) "$BIN/live_bench" "$URL" "$TOKEN" "$TMP/bench.db" "$TMP/summary.json"
GW_RSS=$(ps -o rss= -p "$GW_PID" 2>/dev/null | awk '{printf "%.1f", $1/1024}')
echo "  gateway RSS at the end ${GW_RSS:-?} MiB"
# The load generator shares the cores with the client: its CPU is part of the picture.
GW_CPU=$(awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz}' "/proc/$GW_PID/stat" 2>/dev/null || true)
echo "  gateway CPU          ${GW_CPU:-?} s (simulator, encoding, sending) over ${SECONDS_RUN} s of feed"
echo "  uptime: $(uptime)"
