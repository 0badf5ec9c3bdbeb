#!/usr/bin/env bash
# Theft model benchmark: trains on simulator seeds 1001-1003 (hard, 50 trucks x 14 days),
# evaluates rule-only against rule+ML on seeds 1-5 it never saw, then measures training
# on >= 1M telemetry points and scoring throughput. Prints every figure.
#   bench/ml.sh [--train 1001-1003] [--eval 1-5] [--profile hard] [--trucks 50] [--days 14]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/fuelcopilot/dev-target}"
cargo build --release -q -p fc-ml --example ml_bench
exec "$CARGO_TARGET_DIR/release/examples/ml_bench" "$@"
