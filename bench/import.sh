#!/usr/bin/env bash
# Import benchmark (foundation issue): a 5M-row canonical CSV from 1000 trucks,
# imported by `fuelcopilot import`, and in the same run by the sqlite3 CLI's
# `.import` into a table with the same columns and the same UNIQUE key
# (decisions.md 27). Prints rows/s for both, the ratio and our peak RSS.
# Targets: >= 50% of the sqlite3 rate, >= 300k rows/s, peak RSS < 150 MB.
#
# Usage: bench/import.sh [ROWS] [TRUCKS]     (defaults 5000000 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-5000000}
trucks=${2:-1000}
out=${BENCH_OUT:-bench-out}
mkdir -p "$out"
csv="$out/canonical-${rows}-${trucks}.csv"

command -v sqlite3 >/dev/null || { echo "sqlite3 is missing: sudo apt-get install sqlite3" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: sudo apt-get install time" >&2; exit 1; }

cargo build --release -q -p fc-cli
bin="${CARGO_TARGET_DIR:-target}/release/fuelcopilot"

if [ ! -s "$csv" ]; then
  echo "generating $csv ..."
  python3 bench/gen_canonical.py --rows "$rows" --trucks "$trucks" --out "$csv"
fi
data_rows=$(( $(wc -l < "$csv") - 1 ))

# Reference: sqlite3 .import into the same shape (same column affinities, same key).
rm -f "$out/ref.db" "$out/ref.db-wal" "$out/ref.db-shm"
sqlite3 "$out/ref.db" <<'SQL'
PRAGMA journal_mode=WAL;
CREATE TABLE telemetry (
  truck_id TEXT NOT NULL, ts TEXT NOT NULL,
  lat REAL, lon REAL, speed_kmh REAL, rpm REAL, fuel_level_pct REAL, fuel_l REAL,
  fuel_used_l REAL, fuel_rate_lph REAL, odometer_km REAL, engine_hours REAL,
  ignition TEXT, driver_id TEXT, pto TEXT, alt_m REAL, ambient_temp_c REAL,
  fuel_level_pct_2 REAL, fuel_l_2 REAL,
  PRIMARY KEY (truck_id, ts)
) WITHOUT ROWID;
SQL
ref_start=$(date +%s.%N)
sqlite3 "$out/ref.db" -cmd "PRAGMA synchronous=NORMAL" ".import --csv --skip 1 $csv telemetry"
ref_end=$(date +%s.%N)
ref_rows=$(sqlite3 "$out/ref.db" "SELECT count(*) FROM telemetry")

# Ours.
rm -f "$out/ours.db" "$out/ours.db-wal" "$out/ours.db-shm"
our_start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$out/rss.txt" "$bin" --db "sqlite://$out/ours.db" --json import "$csv" > "$out/report.json"
our_end=$(date +%s.%N)
rss_kb=$(tail -1 "$out/rss.txt")
our_rows=$(sqlite3 "$out/ours.db" "SELECT count(*) FROM telemetry")

python3 - "$data_rows" "$ref_rows" "$our_rows" "$ref_start" "$ref_end" "$our_start" "$our_end" "$rss_kb" <<'PY'
import sys
rows, ref_rows, our_rows = map(int, sys.argv[1:4])
ref_s = float(sys.argv[5]) - float(sys.argv[4])
our_s = float(sys.argv[7]) - float(sys.argv[6])
rss_mb = int(sys.argv[8]) / 1024
ref_rate, our_rate = rows / ref_s, rows / our_s
print(f"rows in file:        {rows:,}")
print(f"sqlite3 .import:     {ref_rate:12,.0f} rows/s  ({ref_s:.1f} s, {ref_rows:,} rows stored)")
print(f"fuelcopilot import:  {our_rate:12,.0f} rows/s  ({our_s:.1f} s, {our_rows:,} rows stored)")
print(f"ratio ours/sqlite3:  {our_rate / ref_rate:.2f}   (target >= 0.50)")
print(f"rate target:         {'met' if our_rate >= 300_000 else 'MISSED'} (>= 300,000 rows/s)")
print(f"peak RSS:            {rss_mb:.1f} MB  ({'met' if rss_mb < 150 else 'MISSED'}: < 150 MB)")
if our_rows != rows:
    print(f"WARNING: stored {our_rows:,} of {rows:,} rows")
PY
