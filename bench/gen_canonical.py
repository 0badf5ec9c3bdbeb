#!/usr/bin/env python3
"""Writes a canonical telemetry CSV for benchmarks: N rows, T trucks, rows
interleaved by time (as a fleet export is), deterministic for a seed."""
import argparse
import random
from datetime import datetime, timezone

HEADER = ("truck_id,ts,lat,lon,speed_kmh,rpm,fuel_level_pct,fuel_l,fuel_used_l,fuel_rate_lph,"
          "odometer_km,engine_hours,ignition,driver_id,pto,alt_m,ambient_temp_c,fuel_level_pct_2,fuel_l_2")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--trucks", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    start = int(datetime(2024, 3, 1, tzinfo=timezone.utc).timestamp())
    state = [[40.0 + rnd.random(), -3.0 - rnd.random(), 60.0 + rnd.random() * 40, 1000.0 * i, 50000.0 + i, 2000.0 + i]
             for i in range(a.trucks)]
    steps = a.rows // a.trucks
    with open(a.out, "w", newline="") as f:
        f.write(HEADER + "\n")
        buf = []
        for step in range(steps):
            t = start + step * 30
            ts = datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            for i, s in enumerate(state):
                moving = (step // 40 + i) % 3 != 0
                speed = round(60 + rnd.random() * 30, 1) if moving else 0
                s[0] += 0.0002 if moving else 0
                s[1] += 0.0001 if moving else 0
                s[2] = max(5.0, s[2] - (0.02 if moving else 0.001))
                s[3] += 0.12 if moving else 0.01
                s[4] += speed * 30 / 3600
                s[5] += 30 / 3600
                buf.append(
                    f"T{i:04d},{ts},{s[0]:.6f},{s[1]:.6f},{speed},{1400 if moving else 650},"
                    f"{s[2]:.1f},,{s[3]:.2f},{31.5 if moving else 2.4},{s[4]:.3f},{s[5]:.3f},"
                    f"true,D{i % 700:03d},false,{650 + (step % 50)},{12.5},,\n")
            if len(buf) >= 50_000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))


if __name__ == "__main__":
    main()
