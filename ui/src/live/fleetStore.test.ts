import { describe, expect, it } from "vitest";
import { manualFrames, row, snapshot, update } from "../test/fixtures";
import { FleetStore } from "./fleetStore";

describe("FleetStore", () => {
  it("applies queued batches once per frame, newest update per truck", () => {
    const frames = manualFrames();
    const store = new FleetStore(frames.schedule);
    store.load(snapshot([row("A"), row("B"), row("C")]));
    let notified = 0;
    store.subscribe(() => (notified += 1));
    const before = store.getRows();

    store.enqueue({ at_ms: 1, updates: [update("A", 2, { fuel_l: 200 })] });
    store.enqueue({ at_ms: 2, updates: [update("A", 3, { fuel_l: 190 }), update("B", 2, { fuel_l: 100 })] });
    expect(store.getRows()).toBe(before); // nothing applied before the frame
    expect(frames.run()).toBe(1); // two batches, one frame

    expect(notified).toBe(1);
    expect(store.flushes).toBe(1);
    expect(store.get("A")).toMatchObject({ fuel_l: 190, version: 3 });
    expect(store.get("B")).toMatchObject({ fuel_l: 100, version: 2 });
    // The untouched truck keeps its row object, so its memoised row skips rendering.
    expect(store.getRows().find((r) => r.truck_id === "C")).toBe(before.find((r) => r.truck_id === "C"));
    expect(store.getRows().find((r) => r.truck_id === "A")).not.toBe(before.find((r) => r.truck_id === "A"));
  });

  it("ignores updates older than the row it has, and a snapshot older than live updates", () => {
    const frames = manualFrames();
    const store = new FleetStore(frames.schedule);
    store.load(snapshot([row("A", { version: 5, fuel_l: 300 })]));
    store.enqueue({ at_ms: 1, updates: [update("A", 4, { fuel_l: 1 })] });
    frames.run();
    expect(store.get("A")?.fuel_l).toBe(300);

    store.enqueue({ at_ms: 2, updates: [update("A", 6, { fuel_l: 280 })] });
    frames.run();
    store.load(snapshot([row("A", { version: 5, fuel_l: 300 })]));
    expect(store.get("A")).toMatchObject({ version: 6, fuel_l: 280 });
  });

  it("adds a truck first seen live, keeping profile fields it cannot know as null", () => {
    const frames = manualFrames();
    const store = new FleetStore(frames.schedule);
    store.enqueue({ at_ms: 1, updates: [update("NEW", 1)] });
    frames.run();
    expect(store.get("NEW")).toMatchObject({ name: "NEW", tank_l: null, open_alerts: 0, state: "driving" });
  });

  it("keeps the open-alert count from going negative", () => {
    const frames = manualFrames();
    const store = new FleetStore(frames.schedule);
    store.load(snapshot([row("A", { open_alerts: 1 })]));
    store.adjustAlerts("A", -1);
    store.adjustAlerts("A", -1);
    frames.run();
    expect(store.get("A")?.open_alerts).toBe(0);
    store.adjustAlerts("A", 2);
    frames.run();
    expect(store.get("A")?.open_alerts).toBe(2);
  });

  it("applies a burst of alert counts with the next frame, in one commit", () => {
    const frames = manualFrames();
    const store = new FleetStore(frames.schedule);
    store.load(snapshot([row("A"), row("B"), row("C")]));
    let notified = 0;
    store.subscribe(() => (notified += 1));
    const c = store.get("C");
    for (let i = 0; i < 20; i++) store.adjustAlerts(i % 2 === 0 ? "A" : "B", 1);
    store.enqueue({ at_ms: 1, updates: [update("A", 2, { fuel_l: 10 })] });
    expect(store.get("A")?.open_alerts).toBe(0); // not before the frame
    expect(frames.run()).toBe(1);
    expect(notified).toBe(1);
    expect(store.get("A")).toMatchObject({ open_alerts: 10, fuel_l: 10, version: 2 });
    expect(store.get("B")?.open_alerts).toBe(10);
    expect(store.get("C")).toBe(c);
    // An alert for a truck the store does not know is dropped, and commits nothing.
    store.adjustAlerts("NOPE", 1);
    frames.run();
    expect(notified).toBe(1);
    expect(store.get("NOPE")).toBeUndefined();
  });
});
