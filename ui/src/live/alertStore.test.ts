import { describe, expect, it } from "vitest";
import { alert } from "../test/fixtures";
import { AlertStore } from "./alertStore";

describe("AlertStore", () => {
  it("keeps newest first whatever the arrival order, and ignores replays", () => {
    const store = new AlertStore();
    let notified = 0;
    store.subscribe(() => (notified += 1));
    expect(store.add([alert(2), alert(1)]).map((a) => a.seq)).toEqual([2, 1]);
    expect(store.add([alert(5)]).map((a) => a.seq)).toEqual([5]);
    expect(store.add([alert(3)]).map((a) => a.seq)).toEqual([3]);
    expect(store.add([alert(5)])).toEqual([]);
    expect(store.getAlerts().map((a) => a.seq)).toEqual([5, 3, 2, 1]);
    expect(notified).toBe(3); // the replay changed nothing
  });

  it("counts open alerts; an acknowledged copy wins, an open copy never undoes it", () => {
    const store = new AlertStore();
    store.add([alert(1), alert(2)]);
    expect(store.openCount()).toBe(2);
    store.markAcked(1, "me", "2026-01-05T10:00:00Z");
    store.add([alert(1)]);
    expect(store.get(1)?.acked_by).toBe("me");
    store.add([alert(2, { acked_by: "other", acked_at: "2026-01-05T10:01:00Z" })]);
    expect(store.openCount()).toBe(0);
  });

  it("keeps the newest alerts only, and still counts the open ones it let go", () => {
    const store = new AlertStore(3);
    store.add([alert(1), alert(2, { acked_by: "x", acked_at: "2026-01-05T10:00:00Z" })]);
    for (const seq of [3, 4, 5]) store.add([alert(seq)]);
    expect(store.getAlerts().map((a) => a.seq)).toEqual([5, 4, 3]);
    expect(store.get(1)).toBeUndefined();
    // 1, 3, 4 and 5 are open; 1 was let go but is still open in the outbox.
    expect(store.openCount()).toBe(4);
    // A replay of one that was let go is not new.
    expect(store.add([alert(1)])).toEqual([]);
    expect(store.openCount()).toBe(4);
    store.markAcked(4, "me", "2026-01-05T10:01:00Z");
    expect(store.openCount()).toBe(3);
    expect(store.add([alert(6)]).map((a) => a.seq)).toEqual([6]);
    expect(store.getAlerts().map((a) => a.seq)).toEqual([6, 5, 4]);
  });
});
