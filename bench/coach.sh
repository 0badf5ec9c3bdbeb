#!/usr/bin/env bash
# Coaching benchmark (decision 20): rollups built at >= 1M points/s from a 1 Hz
# series (with plain iteration over the same points as the reference, same run),
# and scorecards for 1000 drivers x 30 days from stored rollups in < 5 s (with
# the in-memory scoring and a plain sum of the rollups as references).
#
# Usage: bench/coach.sh [DAYS] [DRIVERS]     (defaults 30 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
days=${1:-30}
drivers=${2:-1000}
cargo build --release -q -p fc-core --example bench_coach
target="${CARGO_TARGET_DIR:-target}/release"
"$target/examples/bench_coach" "$days" "$drivers"
