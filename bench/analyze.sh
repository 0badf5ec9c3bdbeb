#!/usr/bin/env bash
# Analysis benchmark (fuel-ledger issue): `fuelcopilot analyze --json` over a
# 5M-row canonical CSV from 1000 trucks (with their trucks.csv, so every level
# goes through the detector and the ledger), end to end, single process.
# Prints rows/s and peak RSS, and in the same run two references on the same
# machine: `wc -l` (reading the bytes) and plain fc-import parsing (the
# `parse_only` example), so the ratio means something on a noisy machine.
# Targets: >= 1,000,000 rows/s; memory proportional to trucks, not rows.
#
# Usage: bench/analyze.sh [ROWS] [TRUCKS]     (defaults 5000000 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-5000000}
trucks=${2:-1000}
out=${BENCH_OUT:-bench-out}
mkdir -p "$out"
csv="$out/canonical-${rows}-${trucks}.csv"
trucks_csv="$out/trucks-${trucks}.csv"

[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: sudo apt-get install time" >&2; exit 1; }

cargo build --release -q -p fc-cli -p fc-core --bin fuelcopilot --example parse_only
target="${CARGO_TARGET_DIR:-target}/release"

if [ ! -s "$csv" ]; then
  echo "generating $csv ..."
  python3 bench/gen_canonical.py --rows "$rows" --trucks "$trucks" --out "$csv"
fi
if [ ! -s "$trucks_csv" ]; then
  python3 - "$trucks" "$trucks_csv" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("truck_id,name,tank_l,fuel_type\n")
    for i in range(n):
        f.write(f"T{i:04d},Truck {i},600,diesel\n")
PY
fi
data_rows=$(( $(wc -l < "$csv") - 1 ))

now() { date +%s.%N; }
# Warm the page cache so that no run pays for the disk.
cat "$csv" > /dev/null

t0=$(now); wc -l "$csv" > /dev/null; t1=$(now)
/usr/bin/time -f "%M" -o "$out/parse_rss.txt" "$target/examples/parse_only" "$csv" > "$out/parse.json"
t2=$(now)
/usr/bin/time -f "%M" -o "$out/analyze_rss.txt" "$target/fuelcopilot" --json analyze "$csv" --trucks "$trucks_csv" > "$out/analyze.json"
t3=$(now)

python3 - "$data_rows" "$t0" "$t1" "$t2" "$t3" "$(tail -1 "$out/parse_rss.txt")" "$(tail -1 "$out/analyze_rss.txt")" "$out/analyze.json" <<'PY'
import json, sys
rows = int(sys.argv[1])
t0, t1, t2, t3 = map(float, sys.argv[2:6])
parse_rss, rss = int(sys.argv[6]) / 1024, int(sys.argv[7]) / 1024
report = json.load(open(sys.argv[8]))
wc_s, parse_s, ours_s = t1 - t0, t2 - t1, t3 - t2
rate = rows / ours_s
print(f"rows in file:            {rows:,}")
print(f"wc -l:                   {rows / wc_s:14,.0f} rows/s  ({wc_s:.2f} s)")
print(f"fc-import parse only:    {rows / parse_s:14,.0f} rows/s  ({parse_s:.2f} s, peak RSS {parse_rss:.1f} MB)")
print(f"fuelcopilot analyze:     {rate:14,.0f} rows/s  ({ours_s:.2f} s, peak RSS {rss:.1f} MB)")
print(f"analyze / parse only:    {parse_s / ours_s:.2f}")
print(f"rate target:             {'met' if rate >= 1_000_000 else 'MISSED'} (>= 1,000,000 rows/s)")
print(f"analysed: {report['rows']:,} rows, {len(report['trucks'])} trucks, {len(report['events'])} alerts, "
      f"{report['rejected_rows']} rejected")
PY
