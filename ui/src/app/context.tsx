import { createContext, useContext, useSyncExternalStore } from "react";
import type { AlertStore } from "../live/alertStore";
import type { FleetStore } from "../live/fleetStore";
import type { Format } from "../lib/format";
import type { Prefs, PrefsChange } from "../prefs";
import type { FleetStats, IpcError } from "../types";

export type PageId = "fleet" | "alerts" | "drivers" | "import" | "settings";
export const PAGES: readonly PageId[] = ["fleet", "alerts", "drivers", "import", "settings"];

export type Route = { page: PageId } | { page: "truck"; truckId: string; from: PageId };

/** Who records acknowledgements and verdicts from this desktop. */
export const OPERATOR = "dispatcher";

export interface AppState {
  prefs: Prefs;
  /** Applies at once and saves; a failed save is reported, the choice still applies. */
  setPrefs: (change: PrefsChange) => void;
  prefsError: IpcError | null;
  fmt: Format;
  route: Route;
  navigate: (route: Route) => void;
  fleet: FleetStore;
  alerts: AlertStore;
  stats: FleetStats | null;
  liveError: IpcError | null;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const value = useContext(AppContext);
  if (!value) throw new Error("useApp must be used inside <AppContext.Provider>");
  return value;
}

export function useFleetRows(store: FleetStore) {
  return useSyncExternalStore(store.subscribe, store.getRows);
}

export function useAlerts(store: AlertStore) {
  return useSyncExternalStore(store.subscribe, store.getAlerts);
}
