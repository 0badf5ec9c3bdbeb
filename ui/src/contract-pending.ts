// Contract types of docs/IPC.md (and the existing Rust DTOs) that have no
// generated binding in ./bindings yet. Each is written exactly as IPC.md (or
// the Rust type) gives it; once the shell's ts-rs export lands, `types.ts`
// switches to the generated file and the declaration here goes.

export type ErrorCode = "invalid_input" | "not_found" | "unavailable" | "internal";
export type IpcError = { code: ErrorCode; message: string };

export type TruckState = "driving" | "idle" | "working" | "parked" | "offline" | "unknown";

export type FleetRow = {
  truck_id: string;
  name: string;
  driver_id: string | null;
  state: TruckState;
  fuel_l: number | null;
  fuel_pct: number | null;
  tank_l: number | null;
  speed_kmh: number | null;
  lat: number | null;
  lon: number | null;
  last_seen_ms: number | null;
  open_alerts: number;
  version: number;
};
export type FleetSnapshot = { version: number; at_ms: number; data_time_ms: number; trucks: Array<FleetRow> };
export type FleetKpis = {
  day: string;
  trucks: number;
  fuel_used_l: number;
  distance_km: number;
  l_per_100km: number | null;
  idle_pct: number | null;
  open_thefts: number;
  open_alerts: number;
};
export type FuelSample = {
  ts_ms: number;
  raw_l: number | null;
  filtered_l: number | null;
  speed_kmh: number | null;
  ignition: boolean | null;
};
export type SensorHealth = {
  noise_l: number | null;
  noise_measured: boolean;
  stuck: boolean;
  faults: number;
  gaps: number;
  longest_gap_min: number | null;
  quarantined: number;
};
export type TankDto = { capacity_l: number; calibrated: boolean };
export type TruckRow = {
  truck_id: string;
  name: string;
  fuel_type: string | null;
  tanks: Array<TankDto>;
  points: number;
  last_seen: string | null;
};
export type TruckDetail = {
  truck: TruckRow;
  from_ms: number;
  to_ms: number;
  series: Array<FuelSample>;
  events: Array<StoredEventDto>;
  ledger: TruckLedgerDto | null;
  purchases: Array<PurchaseDto>;
  sensor: SensorHealth;
};
export type EventQueryDto = {
  trucks: Array<string>;
  from_ms: number | null;
  to_ms: number | null;
  kinds: Array<string>;
  alerts_only: boolean;
  include_retracted: boolean;
  limit: number | null;
};
export type ImportRequestDto = {
  files: Array<string>;
  mapping: string | null;
  time_zone: string | null;
  date_order: string | null;
  decimal: string | null;
  truck_id: string | null;
};
export type DataSourceDto = { kind: "demo" | "feed"; url: string | null; trucks: number | null };
export type FleetSettings = {
  time_zone: string;
  currency: string;
  fuel_price_per_l: number;
  speed_limit_kmh: number;
  idle_min_s: number;
  alert_threshold: number;
  retention_days: number;
  reconcile_radius_m: number;
  reconcile_window_min: number;
};
export type Preferences = {
  version: number;
  language: string;
  theme: string;
  volume_unit: string;
  distance_unit: string;
  data_source: DataSourceDto;
};
export type SettingsView = {
  fleet: FleetSettings;
  preferences: Preferences;
  data_source: DataSourceDto;
  token_set: boolean;
  secret_store: "keychain" | "file";
  secret_note: string | null;
  database: string;
};
export type CacheStats = { entries: number; hits: number; misses: number; hit_ratio: number | null };
export type LatencyStats = { samples: number; p50_ms: number; p95_ms: number; p99_ms: number; max_ms: number };
export type FeedStatus = {
  connected: boolean;
  connects: number;
  failed_attempts: number;
  heartbeat_timeouts: number;
  malformed: number;
  oversized: number;
  unknown: number;
  gaps: number;
  refusal: string | null;
  cursor: number;
  server_head: number;
};
export type FleetStats = {
  at_ms: number;
  data_time_ms: number;
  trucks: number;
  driving: number;
  idle: number;
  parked: number;
  offline: number;
  points: number;
  stored: number;
  duplicates: number;
  conflicts: number;
  quarantined: number;
  points_per_s: number;
  commits: number;
  commit_retries: number;
  queue_depth: number;
  latency: LatencyStats;
  latency_total: LatencyStats;
  alert_head: number;
  feed: FeedStatus;
};
export type SystemStatus = {
  backend: string;
  database: string;
  live: FleetStats | null;
  cache: CacheStats;
  data_source: DataSourceDto;
};
export type TruckUpdate = {
  truck_id: string;
  version: number;
  ts_ms: number;
  lat: number | null;
  lon: number | null;
  speed_kmh: number | null;
  fuel_l: number | null;
  fuel_pct: number | null;
  ignition: boolean | null;
  driver_id: string | null;
  state: TruckState;
  points: number;
  emitted_ms: number;
};
export type TruckUpdateBatch = { at_ms: number; updates: Array<TruckUpdate> };

export type ErrorDto = { code: string; message: string; args?: Record<string, string> };
export type ImportNote = { code: string; column?: string; value?: string };
export type FileImportReport = {
  file: string;
  kind: string | null;
  format: string | null;
  rows_read: number;
  stored: number;
  duplicates: number;
  conflicts: number;
  rejected_rows: number;
  rejected_fields: number;
  rejected_by_reason: Record<string, number>;
  unknown_columns: Array<string>;
  notes: Array<ImportNote>;
  time_zone: string;
  error: ErrorDto | null;
  elapsed_ms: number;
};
export type ImportProgress = {
  file: string;
  file_index: number;
  files: number;
  bytes_read: number;
  bytes_total: number;
  rows: number;
};
export type EvidenceSampleDto = { ts: number; raw_l: number; filtered_l: number };
export type EvidenceDto = {
  window_start: string;
  window_end: string;
  level_before_l: number;
  level_after_l: number;
  expected_consumption_l: number;
  consumption_source: string;
  threshold_l: number;
  noise_l: number;
  noise_measured: boolean;
  unobserved_min: number;
  moved: boolean;
  ignition_on: boolean | null;
  reason: string;
  margin: number;
  samples: Array<EvidenceSampleDto>;
};
export type ContributionDto = { feature: string; value: number | null; log_odds: number };
export type EventDto = {
  id: string;
  truck_id: string;
  kind: string;
  status: string;
  start: string;
  end: string;
  volume_l: number;
  lat: number | null;
  lon: number | null;
  rule_confidence: number;
  ml_score?: number;
  confidence: number;
  model_version?: string;
  alert: boolean;
  detector_version: string;
  evidence: EvidenceDto;
  explanation?: Array<ContributionDto>;
};
export type VerdictDto = { verdict: string; by: string; at: string; note: string | null };
export type StoredEventDto = { event: EventDto; revision: number; verdict: VerdictDto | null };
export type AlertDto = {
  seq: number;
  at: string;
  truck_id: string;
  kind: string;
  event_id: string | null;
  payload: Record<string, unknown>;
  acked_by: string | null;
  acked_at: string | null;
};
export type TruckLedgerDto = {
  truck_id: string;
  name: string;
  has_profile: boolean;
  points: number;
  first: string | null;
  last: string | null;
  distance_km: number;
  distance_source: string;
  fuel_used_l: number | null;
  l_per_100km: number | null;
  mpg_us: number | null;
  idle_h: number;
  idle_fuel_l: number;
  idle_source: string;
  start_level_l: number | null;
  end_level_l: number | null;
  fills: number;
  fills_l: number;
  drains: number;
  drains_l: number;
  ecu_fuel_used_l: number | null;
  ecu_disagreement_l: number | null;
  alerts: number;
  late_dropped: number;
  duplicates: number;
};
export type PurchaseDto = {
  truck_id: string;
  ts: string;
  litres: number;
  price_per_l: number;
  station: string | null;
  card_id: string | null;
  status: string;
  fill_id: string | null;
  measured_l: number | null;
  difference_l: number | null;
  distance_m: number | null;
  time_offset_min: number | null;
};
export type AnalysisFileDto = { file: string; kind: string; rows: number; rejected_rows: number; rejected_fields: number };

export type Period = { from_day: string; to_day: string; days: number };
export type Prices = { currency: string; fuel_price_per_l: number };
export type Metrics = {
  days: number;
  distance_km: number;
  fuel_l: number | null;
  l_per_100km: number | null;
  expected_l_per_100km: number | null;
  efficiency_ratio: number | null;
  engine_h: number;
  idle_h: number;
  idle_h_per_day: number;
  idle_l: number;
  idle_cost: number;
  idle_share: number | null;
  over_speed_h: number;
  over_speed_share: number | null;
  over_speed_extra_l: number;
  harsh_accel: number;
  harsh_brake: number;
  harsh_per_100km: number | null;
  rpm_out_share: number | null;
  stops_per_100km: number | null;
  climb_m_per_100km: number | null;
  speed_glitches: number;
  out_of_order: number;
};
export type Part = { name: string; score: number; weight: number };
export type Score = {
  value: number;
  raw: number | null;
  low: number;
  high: number;
  provisional: boolean;
  percentile: number;
  parts: Array<Part>;
};
export type Recommendation = {
  code: string;
  litres_per_week: number;
  money_per_week: number;
  currency: string;
  value: number;
  fleet_best: number;
  unit: string;
  earlier: number | null;
  recent: number | null;
};
export type DriverDto = {
  driver_id: string;
  trucks: Array<string>;
  score: Score;
  metrics: Metrics;
  recommendations: Array<Recommendation>;
};
/** Only the fields the UI reads; weights, model and shrinkage are opaque here. */
export type CoachingDto = {
  period: Period;
  prices: Prices;
  speed_limit_kmh: number;
  fleet_median_score: number | null;
};
export type CoachReportDto = { coaching: CoachingDto; drivers: Array<DriverDto> };
export type AnalysisReport = {
  source: string;
  files: Array<AnalysisFileDto>;
  time_zone: string;
  alert_threshold: number;
  events: Array<EventDto>;
  candidates?: Array<EventDto>;
  sensor_faults: Array<EventDto>;
  trucks: Array<TruckLedgerDto>;
  purchases: Array<PurchaseDto>;
  unpaid_fills: Array<EventDto>;
  rows: number;
  rejected_rows: number;
  rejected_fields: number;
  detector_version: string;
  elapsed_ms: number;
  drivers: Array<DriverDto>;
  coaching: CoachingDto | null;
};
