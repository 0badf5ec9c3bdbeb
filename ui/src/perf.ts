// window.__fcPerf (docs/IPC.md): a requestAnimationFrame drift probe (frame gap
// minus 16.7 ms) and a `longtask` observer where the webview has one. Drifts go
// into 1 ms buckets, so memory stays constant however long the app runs. Where
// the webview has no long-task timing (WebKitGTK), the probe times the app's
// own main-thread work by name (`timeTask`) and keeps the worst late frames,
// so a long frame can be told apart from the work that caused it. Live
// counters say what load the UI actually received.

/** One kind of the app's own main-thread work. */
export interface TaskStats {
  count: number;
  max_ms: number;
  total_ms: number;
}

/** A late frame: when (ms after page start) and by how much. */
export interface LateFrame {
  at_ms: number;
  drift_ms: number;
}

export interface PerfSnapshot {
  launched_ms: number;
  first_row_ms: number | null;
  frames: number;
  drift_p99_ms: number;
  drift_max_ms: number;
  long_tasks: number;
  long_task_max_ms: number;
  /** The worst late frames (drift > 50 ms), at most LATE_KEPT, worst first. */
  late_frames: LateFrame[];
  /** The app's own main-thread work by name (including the React render it caused). */
  tasks: Record<string, TaskStats>;
  /** `truck-update` batches, truck updates and the points folded into them, received so far. */
  live_batches: number;
  live_updates: number;
  live_points: number;
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
/** Frames later than this are kept (the main-thread budget). */
const LATE_MS = 50;
const LATE_KEPT = 16;

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
  private late: LateFrame[] = [];
  private tasks = new Map<string, TaskStats>();
  private liveBatches = 0;
  private liveUpdates = 0;
  private livePoints = 0;

  start(): void {
    if (typeof requestAnimationFrame !== "function") return;
    const tick = (now: number) => {
      if (this.last !== null) {
        const drift = Math.max(0, now - this.last - FRAME_MS);
        this.buckets[Math.min(BUCKETS - 1, Math.floor(drift))]! += 1;
        if (drift > this.driftMax) this.driftMax = drift;
        if (drift > LATE_MS) this.noteLate(now, drift);
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

  recordTask(label: string, ms: number): void {
    const t = this.tasks.get(label);
    if (t) {
      t.count += 1;
      t.total_ms += ms;
      if (ms > t.max_ms) t.max_ms = ms;
    } else {
      this.tasks.set(label, { count: 1, max_ms: ms, total_ms: ms });
    }
  }

  countLive(updates: number, points: number): void {
    this.liveBatches += 1;
    this.liveUpdates += updates;
    this.livePoints += points;
  }

  private noteLate(now: number, drift: number): void {
    const late = this.late;
    if (late.length >= LATE_KEPT && drift <= late[late.length - 1]!.drift_ms) return;
    late.push({ at_ms: now, drift_ms: drift });
    late.sort((a, b) => b.drift_ms - a.drift_ms);
    if (late.length > LATE_KEPT) late.length = LATE_KEPT;
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
      late_frames: this.late.map((f) => ({ ...f })),
      tasks: Object.fromEntries([...this.tasks].map(([k, v]) => [k, { ...v }])),
      live_batches: this.liveBatches,
      live_updates: this.liveUpdates,
      live_points: this.livePoints,
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

/**
 * Runs `work` and records how long the main thread was busy with it, including
 * the synchronous React render it triggers (an external store's change renders
 * in a microtask queued before ours).
 */
export function timeTask<T>(label: string, work: () => T): T {
  if (!probe) return work();
  const t0 = performance.now();
  try {
    return work();
  } finally {
    const p = probe;
    queueMicrotask(() => p.recordTask(label, performance.now() - t0));
  }
}

/** A `truck-update` batch arrived with this many updates and points. */
export function countLive(updates: number, points: number): void {
  probe?.countLive(updates, points);
}
