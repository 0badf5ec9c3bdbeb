import { describe, expect, it } from "vitest";
import { installPerfProbe, markFirstRow } from "./perf";

describe("window.__fcPerf", () => {
  it("is installed once with the documented snapshot fields", () => {
    const probe = installPerfProbe();
    expect(installPerfProbe()).toBe(probe);
    expect(window.__fcPerf).toBe(probe);
    const before = probe.snapshot();
    expect(Object.keys(before).sort()).toEqual(
      ["drift_max_ms", "drift_p99_ms", "first_row_ms", "frames", "launched_ms", "long_task_max_ms", "long_tasks"].sort(),
    );
    expect(before.first_row_ms).toBeNull();
    markFirstRow();
    const first = probe.snapshot().first_row_ms;
    expect(first).toBeTypeOf("number");
    markFirstRow();
    expect(probe.snapshot().first_row_ms).toBe(first); // the first row only
  });
});
