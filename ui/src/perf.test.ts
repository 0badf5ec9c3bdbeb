import { describe, expect, it } from "vitest";
import { countLive, installPerfProbe, markFirstRow, timeTask } from "./perf";

describe("window.__fcPerf", () => {
  it("is installed once with the documented snapshot fields", () => {
    const probe = installPerfProbe();
    expect(installPerfProbe()).toBe(probe);
    expect(window.__fcPerf).toBe(probe);
    const before = probe.snapshot();
    expect(Object.keys(before).sort()).toEqual(
      [
        "drift_max_ms",
        "drift_p99_ms",
        "first_row_ms",
        "frames",
        "launched_ms",
        "long_task_max_ms",
        "long_tasks",
        "late_frames",
        "tasks",
        "live_batches",
        "live_updates",
        "live_points",
      ].sort(),
    );
    expect(before.first_row_ms).toBeNull();
    markFirstRow();
    const first = probe.snapshot().first_row_ms;
    expect(first).toBeTypeOf("number");
    markFirstRow();
    expect(probe.snapshot().first_row_ms).toBe(first); // the first row only
  });

  it("counts live load and times named work, including the microtasks it queued", async () => {
    const probe = installPerfProbe();
    const before = probe.snapshot();
    countLive(3, 7);
    countLive(2, 2);
    const after = probe.snapshot();
    expect(after.live_batches - before.live_batches).toBe(2);
    expect(after.live_updates - before.live_updates).toBe(5);
    expect(after.live_points - before.live_points).toBe(9);

    let renderedAt = 0;
    const result = timeTask("test-work", () => {
      // Stands for React's render of a store change: a microtask queued by the work.
      queueMicrotask(() => {
        const until = performance.now() + 5;
        while (performance.now() < until) {
          // busy
        }
        renderedAt = performance.now();
      });
      return 42;
    });
    expect(result).toBe(42);
    await Promise.resolve();
    await Promise.resolve();
    const task = probe.snapshot().tasks["test-work"];
    expect(renderedAt).toBeGreaterThan(0);
    expect(task?.count).toBe(1);
    expect(task!.max_ms).toBeGreaterThanOrEqual(5);
    expect(() => timeTask("test-throw", () => {
      throw new Error("boom");
    })).toThrow("boom");
  });
});
