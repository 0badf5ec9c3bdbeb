// The live fleet: the snapshot, then `truck-update` batches. Batches are
// queued and applied at most once per animation frame (several batches for a
// truck fold into its newest update), and only touched trucks get a new row
// object, so memoised table rows and map dots of the others never re-render.
import type { FleetRow, FleetSnapshot, TruckUpdate, TruckUpdateBatch } from "../types";
import { timeTask } from "../perf";
import { nextFrame, type FrameScheduler } from "./frame";

type Listener = () => void;

export class FleetStore {
  private rows = new Map<string, FleetRow>();
  private pending = new Map<string, TruckUpdate>();
  /** Open-alert count changes waiting for the next frame, by truck. */
  private pendingAlerts = new Map<string, number>();
  private scheduled = false;
  private listeners = new Set<Listener>();
  private list: FleetRow[] = [];
  /** Bumps once per applied frame (and per snapshot), so views re-derive once. */
  version = 0;
  /** Frames that applied queued updates. */
  flushes = 0;
  /** Updates received, for the live indicator. */
  received = 0;
  /** Newest data time seen, UTC ms. */
  dataTimeMs = 0;
  /** Wall time of the newest applied update. */
  lastUpdateAt: number | null = null;
  loaded = false;
  /** Bumps when trucks are added or removed (not when one changes). */
  membership = 0;

  constructor(private schedule: FrameScheduler = nextFrame) {}

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Rows in a stable order (insertion); a new array only when something changed. */
  getRows = (): readonly FleetRow[] => this.list;
  getVersion = (): number => this.version;
  getMembership = (): number => this.membership;
  get(truckId: string): FleetRow | undefined {
    return this.rows.get(truckId);
  }

  /** Takes a snapshot; a truck already newer from live updates keeps its row. */
  load(snapshot: FleetSnapshot): void {
    for (const row of snapshot.trucks) {
      const current = this.rows.get(row.truck_id);
      if (!current || current.version <= row.version) this.rows.set(row.truck_id, row);
    }
    this.dataTimeMs = Math.max(this.dataTimeMs, snapshot.data_time_ms);
    this.loaded = true;
    // Names may differ in a new snapshot even with the same trucks.
    this.membership += 1;
    this.commit();
  }

  /** Queues a batch; the view sees it on the next frame. */
  enqueue(batch: TruckUpdateBatch): void {
    for (const update of batch.updates) {
      const queued = this.pending.get(update.truck_id);
      if (!queued || queued.version < update.version) this.pending.set(update.truck_id, update);
    }
    this.received += batch.updates.length;
    this.wake();
  }

  private wake(): void {
    if (!this.scheduled && (this.pending.size > 0 || this.pendingAlerts.size > 0)) {
      this.scheduled = true;
      this.schedule(() => timeTask("live-frame", () => this.flush()));
    }
  }

  /** Applies what is queued (the frame callback; tests may call it directly). */
  flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0 && this.pendingAlerts.size === 0) return;
    let changed = false;
    for (const update of this.pending.values()) {
      const current = this.rows.get(update.truck_id);
      if (current && current.version >= update.version) continue;
      if (!current) this.membership += 1;
      this.rows.set(update.truck_id, applyUpdate(current, update));
      this.dataTimeMs = Math.max(this.dataTimeMs, update.ts_ms);
      changed = true;
    }
    const live = changed;
    this.pending.clear();
    for (const [truckId, delta] of this.pendingAlerts) {
      const current = this.rows.get(truckId);
      if (!current || delta === 0) continue;
      this.rows.set(truckId, { ...current, open_alerts: Math.max(0, current.open_alerts + delta) });
      changed = true;
    }
    this.pendingAlerts.clear();
    this.flushes += 1;
    if (live) this.lastUpdateAt = Date.now();
    if (changed) this.commit();
  }

  /** A new data source: its trucks replace the old ones (call before `load`). */
  reset(): void {
    this.rows.clear();
    this.pending.clear();
    this.pendingAlerts.clear();
    this.membership += 1;
    this.loaded = false;
    this.lastUpdateAt = null;
    this.dataTimeMs = 0;
    this.commit();
  }

  /**
   * A new or acknowledged alert changes a truck's open count (the snapshot has the
   * base). Applied with the next frame, like updates: a burst of alerts re-renders
   * the fleet once, not once per alert.
   */
  adjustAlerts(truckId: string, delta: number): void {
    this.pendingAlerts.set(truckId, (this.pendingAlerts.get(truckId) ?? 0) + delta);
    this.wake();
  }

  private commit(): void {
    this.list = [...this.rows.values()];
    this.version += 1;
    for (const listener of this.listeners) listener();
  }
}

export function applyUpdate(current: FleetRow | undefined, u: TruckUpdate): FleetRow {
  return {
    truck_id: u.truck_id,
    name: current?.name ?? u.truck_id,
    driver_id: u.driver_id ?? current?.driver_id ?? null,
    state: u.state,
    fuel_l: u.fuel_l,
    fuel_pct: u.fuel_pct,
    tank_l: current?.tank_l ?? null,
    speed_kmh: u.speed_kmh,
    lat: u.lat ?? current?.lat ?? null,
    lon: u.lon ?? current?.lon ?? null,
    last_seen_ms: u.ts_ms,
    open_alerts: current?.open_alerts ?? 0,
    version: u.version,
  };
}
