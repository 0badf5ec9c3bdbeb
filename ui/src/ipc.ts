// The typed face of the Rust commands and events (docs/IPC.md). Components
// call `commands.*` and `events.*`, never `invoke`/`listen` with a string, so
// a renamed command or event breaks the type check in one place.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  AlertDto,
  AnalysisReport,
  AppInfo,
  CoachReportDto,
  DataSourceDto,
  ErrorCode,
  EventQueryDto,
  FileImportReport,
  FleetKpis,
  FleetSettings,
  FleetSnapshot,
  FleetStats,
  ImportProgress,
  ImportRequestDto,
  IpcError,
  Preferences,
  SettingsView,
  StoredEventDto,
  SystemStatus,
  TruckDetail,
  TruckUpdateBatch,
} from "./types";

export const ERROR_CODES: readonly ErrorCode[] = ["invalid_input", "not_found", "unavailable", "internal"];

export function isIpcError(value: unknown): value is IpcError {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.message === "string" &&
    typeof record.code === "string" &&
    (ERROR_CODES as readonly string[]).includes(record.code)
  );
}

/** Every failure reaches the UI in the one `{code, message}` shape, whatever threw. */
export function toIpcError(error: unknown): IpcError {
  if (isIpcError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return { code: "internal", message };
}

/** True inside the Tauri webview (and under `mockIPC`); false in a plain browser tab. */
export function inTauri(): boolean {
  if (typeof window === "undefined") return false;
  const internals = (window as { __TAURI_INTERNALS__?: { invoke?: unknown } }).__TAURI_INTERNALS__;
  return typeof internals?.invoke === "function";
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toIpcError(error);
  }
}

export type Verdict = "confirmed" | "false_alarm";
export type ExportFormat = "csv" | "json" | "html";

export const commands = {
  appInfo: () => call<AppInfo>("app_info"),
  fleetSnapshot: () => call<FleetSnapshot>("fleet_snapshot"),
  fleetKpis: () => call<FleetKpis>("fleet_kpis"),
  truckDetail: (truckId: string, fromMs?: number, toMs?: number) =>
    call<TruckDetail>("truck_detail", { truckId, fromMs: fromMs ?? null, toMs: toMs ?? null }),
  listEvents: (query: EventQueryDto) => call<StoredEventDto[]>("list_events", { query }),
  listAlerts: (openOnly: boolean, afterSeq?: number, limit?: number) =>
    call<AlertDto[]>("list_alerts", { openOnly, afterSeq: afterSeq ?? null, limit: limit ?? null }),
  ackAlert: (seq: number, by: string) => call<null>("ack_alert", { seq, by }),
  recordVerdict: (eventId: string, verdict: Verdict, by: string, note?: string) =>
    call<StoredEventDto>("record_verdict", { eventId, verdict, by, note: note ?? null }),
  clearVerdict: (eventId: string) => call<boolean>("clear_verdict", { eventId }),
  coachReport: () => call<CoachReportDto>("coach_report", {}),
  importFiles: (request: ImportRequestDto) => call<FileImportReport[]>("import_files", { request }),
  analyzeFiles: (request: ImportRequestDto) => call<AnalysisReport>("analyze_files", { request }),
  exportAnalysis: (request: ImportRequestDto, format: ExportFormat, out: string) =>
    call<string>("export_analysis", { request, format, out }),
  getSettings: () => call<SettingsView>("get_settings"),
  saveFleetSettings: (settings: FleetSettings) => call<FleetSettings>("save_fleet_settings", { settings }),
  savePreferences: (preferences: Preferences) => call<Preferences>("save_preferences", { preferences }),
  setDataSource: (source: DataSourceDto, token?: string) =>
    call<SettingsView>("set_data_source", { source, token: token ?? null }),
  systemStatus: () => call<SystemStatus>("system_status"),
};

/** Payload type of each shell event. */
export interface EventPayloads {
  "truck-update": TruckUpdateBatch;
  alert: AlertDto;
  "fleet-stats": FleetStats;
  "import-progress": ImportProgress;
  "data-source-changed": SettingsView;
}
export type EventName = keyof EventPayloads;

async function on<E extends EventName>(name: E, handler: (payload: EventPayloads[E]) => void): Promise<UnlistenFn> {
  try {
    return await listen<EventPayloads[E]>(name, (event) => handler(event.payload));
  } catch (error) {
    throw toIpcError(error);
  }
}

export const events = {
  onTruckUpdate: (handler: (batch: TruckUpdateBatch) => void) => on("truck-update", handler),
  onAlert: (handler: (alert: AlertDto) => void) => on("alert", handler),
  onFleetStats: (handler: (stats: FleetStats) => void) => on("fleet-stats", handler),
  onImportProgress: (handler: (progress: ImportProgress) => void) => on("import-progress", handler),
  onDataSourceChanged: (handler: (view: SettingsView) => void) => on("data-source-changed", handler),
};

/** Native file dialogs (tauri-plugin-dialog); `null` when the user cancels. */
export const dialogs = {
  async openFiles(title: string, multiple: boolean): Promise<string[] | null> {
    const { open } = await import("@tauri-apps/plugin-dialog");
    try {
      const picked = await open({ title, multiple, directory: false });
      if (picked === null) return null;
      return Array.isArray(picked) ? picked : [picked];
    } catch (error) {
      throw toIpcError(error);
    }
  },
  async saveFile(title: string, defaultPath: string): Promise<string | null> {
    const { save } = await import("@tauri-apps/plugin-dialog");
    try {
      return await save({ title, defaultPath });
    } catch (error) {
      throw toIpcError(error);
    }
  },
};
