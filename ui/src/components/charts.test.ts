import { describe, expect, it } from "vitest";
import { row } from "../test/fixtures";
import { boundsOf, nearest, niceStep, project } from "./FleetMap";
import { linePath } from "./FuelChart";

describe("fleet map geometry", () => {
  it("fits every truck inside the frame, with a margin", () => {
    const rows = [row("A", { lat: 40, lon: -4 }), row("B", { lat: 41, lon: -3 }), row("C", { lat: null, lon: null })];
    const b = boundsOf(rows)!;
    expect(b.minLat).toBeLessThan(40);
    expect(b.maxLat).toBeGreaterThan(41);
    const p = project(b);
    for (const r of rows.slice(0, 2)) {
      expect(p.x(r.lon!)).toBeGreaterThan(0);
      expect(p.x(r.lon!)).toBeLessThan(640);
      expect(p.y(r.lat!)).toBeGreaterThan(0);
      expect(p.y(r.lat!)).toBeLessThan(400);
    }
    // North is up.
    expect(p.y(41)).toBeLessThan(p.y(40));
  });

  it("gives a lone truck a frame and no trucks none", () => {
    const b = boundsOf([row("A", { lat: 10, lon: 10 })])!;
    expect(b.maxLat - b.minLat).toBeGreaterThan(0.019);
    expect(boundsOf([row("A", { lat: null, lon: null })])).toBeNull();
  });

  it("picks round graticule steps", () => {
    expect(niceStep(5)).toBe(1);
    expect(niceStep(0.9)).toBe(0.2);
    expect(niceStep(30)).toBe(5);
  });

  it("finds the dot under the pointer, or none when it is too far", () => {
    const placed = [
      { row: row("A"), x: 100, y: 100 },
      { row: row("B"), x: 108, y: 100 },
    ];
    expect(nearest(placed, 106, 101)?.row.truck_id).toBe("B");
    expect(nearest(placed, 99, 99)?.row.truck_id).toBe("A");
    expect(nearest(placed, 300, 300)).toBeNull();
  });
});

describe("fuel chart lines", () => {
  it("breaks the line at a missing value instead of bridging the gap", () => {
    const s = (ts_ms: number, raw_l: number | null) => ({ ts_ms, raw_l, filtered_l: null, speed_kmh: null, ignition: null });
    const d = linePath([s(0, 10), s(1, 11), s(2, null), s(3, 12)], (x) => x.raw_l, (ms) => ms * 10, (v) => v);
    expect(d).toBe("M0.0 10.0L10.0 11.0M30.0 12.0");
  });
});
