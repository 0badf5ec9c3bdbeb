// window.__fcPerf (docs/IPC.md): a requestAnimationFrame drift probe (frame gap
// minus 16.7 ms) and a `longtask` observer where the webview has one. Drifts go
// into 1 ms buckets, so memory stays constant however long the app runs.

export interface PerfSnapshot {
  launched_ms: number;
  first_row_ms: number | null;
  frames: number;
  drift_p99_ms: number;
  drift_max_ms: number;
  long_tasks: number;
  long_task_max_ms: number;
}

export interface PerfProbe {
  snapshot(): PerfSnapshot;
}

declare global {
  interface Window {
    __fcPerf?: PerfProbe;
  }
}

const FRAME_MS = 1000 / 60;
const BUCKETS = 2001; // 0..2000 ms, the last one holds everything longer

class Probe implements PerfProbe {
  /** Epoch ms of the page's time origin: launch-to-first-row = launched_ms + first_row_ms - process start. */
  private launched = performance.timeOrigin;
  private firstRow: number | null = null;
  private frames = 0;
  private buckets = new Uint32Array(BUCKETS);
  private driftMax = 0;
  private longTasks = 0;
  private longTaskMax = 0;
  private last: number | null = null;

  start(): void {
    if (typeof requestAnimationFrame !== "function") return;
    const tick = (now: number) => {
      if (this.last !== null) {
        const drift = Math.max(0, now - this.last - FRAME_MS);
        this.buckets[Math.min(BUCKETS - 1, Math.floor(drift))]! += 1;
        if (drift > this.driftMax) this.driftMax = drift;
        this.frames += 1;
      }
      this.last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    try {
      if (
        typeof PerformanceObserver === "function" &&
        PerformanceObserver.supportedEntryTypes?.includes("longtask")
      ) {
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            this.longTasks += 1;
            if (entry.duration > this.longTaskMax) this.longTaskMax = entry.duration;
          }
        }).observe({ type: "longtask", buffered: true });
      }
    } catch {
      // No long-task timing in this webview (WebKitGTK has none): drift still measures.
    }
  }

  markFirstRow(): void {
    if (this.firstRow === null) this.firstRow = performance.now();
  }

  snapshot(): PerfSnapshot {
    return {
      launched_ms: this.launched,
      first_row_ms: this.firstRow,
      frames: this.frames,
      drift_p99_ms: this.percentile(0.99),
      drift_max_ms: this.driftMax,
      long_tasks: this.longTasks,
      long_task_max_ms: this.longTaskMax,
    };
  }

  private percentile(q: number): number {
    if (this.frames === 0) return 0;
    const rank = Math.ceil(q * this.frames);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return i + 1; // the bucket's upper edge: never under-reports
    }
    return this.driftMax;
  }
}

let probe: Probe | null = null;

/** Installs the probe once (idempotent); called before the first render. */
export function installPerfProbe(): PerfProbe {
  if (!probe) {
    probe = new Probe();
    probe.start();
    window.__fcPerf = probe;
  }
  return probe;
}

export function markFirstRow(): void {
  probe?.markFirstRow();
}
