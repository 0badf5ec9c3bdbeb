// Test data shaped like the shell's payloads, and a mock backend over
// `mockIPC` that records every command call and lets tests emit events.
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import type { EventPayloads } from "../ipc";
import type {
  AlertDto,
  FleetKpis,
  FleetRow,
  FleetSettings,
  FleetSnapshot,
  Preferences,
  SettingsView,
  StoredEventDto,
  SystemStatus,
  TruckDetail,
  TruckUpdate,
} from "../types";

export function row(id: string, over: Partial<FleetRow> = {}): FleetRow {
  return {
    truck_id: id,
    name: id,
    driver_id: `D-${id}`,
    state: "driving",
    fuel_l: 300,
    fuel_pct: 50,
    tank_l: 600,
    speed_kmh: 80,
    lat: 40.4,
    lon: -3.7,
    last_seen_ms: Date.UTC(2026, 0, 5, 10, 0, 0),
    open_alerts: 0,
    version: 1,
    ...over,
  };
}

export function update(id: string, version: number, over: Partial<TruckUpdate> = {}): TruckUpdate {
  return {
    truck_id: id,
    version,
    ts_ms: Date.UTC(2026, 0, 5, 10, 0, version),
    lat: 40.41,
    lon: -3.71,
    speed_kmh: 60,
    fuel_l: 250,
    fuel_pct: 41.7,
    ignition: true,
    driver_id: `D-${id}`,
    state: "driving",
    points: 1,
    emitted_ms: 0,
    ...over,
  };
}

export function snapshot(rows: FleetRow[]): FleetSnapshot {
  return { version: 1, at_ms: 0, data_time_ms: Date.UTC(2026, 0, 5, 10), trucks: rows };
}

export const KPIS: FleetKpis = {
  day: "2026-01-05",
  trucks: 3,
  fuel_used_l: 1234.5,
  distance_km: 4000,
  l_per_100km: 31.2,
  idle_pct: 12.5,
  open_thefts: 1,
  open_alerts: 2,
};

export const FLEET_SETTINGS: FleetSettings = {
  time_zone: "Europe/Madrid",
  currency: "EUR",
  fuel_price_per_l: 1.6,
  speed_limit_kmh: 90,
  idle_min_s: 120,
  alert_threshold: 0.8,
  retention_days: 180,
  reconcile_radius_m: 500,
  reconcile_window_min: 60,
};

export function prefsRecord(over: Partial<Preferences> = {}): Preferences {
  return {
    version: 2,
    language: "",
    theme: "system",
    volume_unit: "l",
    distance_unit: "km",
    data_source: { kind: "demo", url: null, trucks: 50 },
    ...over,
  };
}

export function settingsView(over: Partial<SettingsView> = {}): SettingsView {
  return {
    fleet: FLEET_SETTINGS,
    preferences: prefsRecord(),
    data_source: { kind: "demo", url: null, trucks: 50 },
    token_set: false,
    secret_store: "file",
    secret_note: "no Secret Service on this session",
    database: "sqlite: /tmp/demo.db",
    ...over,
  };
}

export const STATUS: SystemStatus = {
  backend: "sqlite",
  database: "sqlite: /tmp/demo.db",
  live: null,
  cache: { entries: 12, hits: 950, misses: 50, hit_ratio: 0.95 },
  data_source: { kind: "demo", url: null, trucks: 50 },
};

export function drainEvent(id: string, truck: string, over: Partial<StoredEventDto["event"]> = {}): StoredEventDto {
  return {
    revision: 1,
    verdict: null,
    event: {
      id,
      truck_id: truck,
      kind: "drain",
      status: "final",
      start: "2026-01-05T09:00:00Z",
      end: "2026-01-05T09:20:00Z",
      volume_l: 62.5,
      lat: 40.4,
      lon: -3.7,
      rule_confidence: 0.9,
      confidence: 0.93,
      ml_score: 0.93,
      model_version: "m1",
      alert: true,
      detector_version: "d1",
      explanation: [{ feature: "stationary", value: 1, log_odds: 1.2 }],
      evidence: {
        window_start: "2026-01-05T08:58:00Z",
        window_end: "2026-01-05T09:22:00Z",
        level_before_l: 400,
        level_after_l: 337.5,
        expected_consumption_l: 0.4,
        consumption_source: "ecu_counter",
        threshold_l: 20,
        noise_l: 1.5,
        noise_measured: true,
        unobserved_min: 3,
        moved: false,
        ignition_on: false,
        reason: "stationary_drop",
        margin: 3.1,
        samples: [],
      },
      ...over,
    },
  };
}

export function truckDetail(id: string, events: StoredEventDto[]): TruckDetail {
  const t0 = Date.UTC(2026, 0, 5, 6);
  const series = Array.from({ length: 2000 }, (_, i) => ({
    ts_ms: t0 + i * 9000,
    raw_l: 400 - (i > 400 ? 62 : 0) + Math.sin(i) * 2,
    filtered_l: 400 - (i > 400 ? 62 : 0),
    speed_kmh: 0,
    ignition: false,
  }));
  return {
    truck: { truck_id: id, name: `Truck ${id}`, fuel_type: "diesel", tanks: [{ capacity_l: 600, calibrated: false }], points: 2000, last_seen: null },
    from_ms: t0,
    to_ms: t0 + 2000 * 9000,
    series,
    events,
    ledger: {
      truck_id: id,
      name: `Truck ${id}`,
      has_profile: true,
      points: 2000,
      first: null,
      last: null,
      distance_km: 100,
      distance_source: "odometer",
      fuel_used_l: 30,
      l_per_100km: 30,
      mpg_us: 7.8,
      idle_h: 1.5,
      idle_fuel_l: 4,
      idle_source: "ecu_counter",
      start_level_l: 400,
      end_level_l: 338,
      fills: 0,
      fills_l: 0,
      drains: 1,
      drains_l: 62.5,
      ecu_fuel_used_l: 29,
      ecu_disagreement_l: 1,
      alerts: 1,
      late_dropped: 0,
      duplicates: 0,
    },
    purchases: [],
    sensor: { noise_l: 1.5, noise_measured: true, stuck: false, faults: 0, gaps: 2, longest_gap_min: 14, quarantined: 3 },
  };
}

export function alert(seq: number, over: Partial<AlertDto> = {}): AlertDto {
  return {
    seq,
    at: "2026-01-05T09:20:00Z",
    truck_id: "T1",
    kind: "drain",
    event_id: `ev-${seq}`,
    payload: { volume_l: 62.5, confidence: 0.93 },
    acked_by: null,
    acked_at: null,
    ...over,
  };
}

export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

type Handler = (args: Record<string, unknown>) => unknown;

/** A backend answering every command of docs/IPC.md with the fixtures, overridable per command. */
export function mockBackend(handlers: Record<string, Handler> = {}): Call[] {
  const calls: Call[] = [];
  const defaults: Record<string, Handler> = {
    app_info: () => ({ name: "Fuel Copilot", version: "1.0.0" }),
    fleet_snapshot: () => snapshot([row("T1"), row("T2", { state: "parked", speed_kmh: 0 }), row("T3", { state: "idle" })]),
    fleet_kpis: () => KPIS,
    list_alerts: () => [],
    get_settings: () => settingsView(),
    save_preferences: (a) => a.preferences,
    system_status: () => STATUS,
  };
  mockIPC(
    (cmd, args) => {
      const record = (args ?? {}) as Record<string, unknown>;
      if (!cmd.startsWith("plugin:event")) calls.push({ cmd, args: record });
      const handler = handlers[cmd] ?? defaults[cmd];
      if (!handler) throw { code: "not_found", message: `no mock for ${cmd}` };
      return handler(record);
    },
    { shouldMockEvents: true },
  );
  return calls;
}

export function emitEvent<E extends keyof EventPayloads>(name: E, payload: EventPayloads[E]): Promise<void> {
  return emit(name, payload);
}

/** A frame scheduler the test runs by hand. */
export function manualFrames(): { schedule: (cb: () => void) => void; run: () => number } {
  const queue: Array<() => void> = [];
  return {
    schedule: (cb) => queue.push(cb),
    run: () => {
      const n = queue.length;
      queue.splice(0).forEach((cb) => cb());
      return n;
    },
  };
}
