// Per-desktop preferences (language, theme, units). Inside Tauri they load and
// save through `get_settings` / `save_preferences` (a local versioned file the
// CLI reads too); in a plain browser tab (Vite dev) local storage stands in.
import { isLocale, type Locale } from "./i18n/locales";
import { commands, inTauri } from "./ipc";
import type { Preferences } from "./types";

export const THEMES = ["system", "light", "dark"] as const;
export type ThemeChoice = (typeof THEMES)[number];
export const VOLUME_UNITS = ["l", "gal"] as const;
export type VolumeUnit = (typeof VOLUME_UNITS)[number];
export const DISTANCE_UNITS = ["km", "mi"] as const;
export type DistanceUnit = (typeof DISTANCE_UNITS)[number];

/** Preferences as the UI uses them: every field checked. */
export interface Prefs {
  /** Absent: the OS/browser language applies. */
  language?: Locale;
  theme: ThemeChoice;
  volume: VolumeUnit;
  distance: DistanceUnit;
}

/** A change to the preferences; `language: undefined` goes back to the system language. */
export type PrefsChange = Partial<Omit<Prefs, "language">> & { language?: Locale | undefined };

export const DEFAULT_PREFS: Prefs = { theme: "system", volume: "l", distance: "km" };
export const PREFS_KEY = "fuelcopilot.settings";
const PREFS_VERSION = 1;

function oneOf<T extends string>(choices: readonly T[], value: unknown, fallback: T): T {
  return typeof value === "string" && (choices as readonly string[]).includes(value) ? (value as T) : fallback;
}

export function isThemeChoice(value: unknown): value is ThemeChoice {
  return typeof value === "string" && (THEMES as readonly string[]).includes(value);
}

/** Reads a stored record field by field; anything unknown falls back to its default. */
export function fromPreferences(p: Partial<Preferences> | null | undefined): Prefs {
  const prefs: Prefs = {
    theme: oneOf(THEMES, p?.theme, DEFAULT_PREFS.theme),
    volume: oneOf(VOLUME_UNITS, p?.volume_unit, DEFAULT_PREFS.volume),
    distance: oneOf(DISTANCE_UNITS, p?.distance_unit, DEFAULT_PREFS.distance),
  };
  if (isLocale(p?.language)) prefs.language = p.language;
  return prefs;
}

/**
 * The record to save: the UI's fields over the last record the shell sent,
 * so fields this page does not edit (the data source, a newer version) are
 * written back as they were rather than reset to their defaults.
 */
export function toPreferences(prefs: Prefs, base: Preferences | null = stored): Preferences {
  return {
    data_source: DEFAULT_SOURCE,
    ...base,
    version: Math.max(base?.version ?? 0, PREFS_VERSION),
    language: prefs.language ?? "",
    theme: prefs.theme,
    volume_unit: prefs.volume,
    distance_unit: prefs.distance,
  };
}

const DEFAULT_SOURCE: Preferences["data_source"] = { kind: "demo", url: null, trucks: null };

/** The shell's latest preferences record (null until one was read). */
let stored: Preferences | null = null;

/** Remembers what the shell sent (get_settings, save_preferences, data-source-changed). */
export function rememberPreferences(p: Preferences | null): void {
  stored = p;
}

function localStore(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** Browser-only fallback: reads local storage, never throws. */
export function loadLocalPrefs(storage: Storage | undefined = localStore()): Prefs {
  try {
    const raw = storage?.getItem(PREFS_KEY);
    if (!raw) return { ...DEFAULT_PREFS };
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null) return { ...DEFAULT_PREFS };
    return fromPreferences(parsed as Partial<Preferences>);
  } catch {
    return { ...DEFAULT_PREFS };
  }
}

export function saveLocalPrefs(prefs: Prefs, storage: Storage | undefined = localStore()): void {
  try {
    storage?.setItem(PREFS_KEY, JSON.stringify(toPreferences(prefs)));
  } catch {
    // Storage full or disabled: the choice still applies for this session.
  }
}

/** The preferences from the shell (or local storage outside Tauri). Rejects with an IpcError. */
export async function loadPrefs(): Promise<Prefs> {
  if (!inTauri()) return loadLocalPrefs();
  const view = await commands.getSettings();
  rememberPreferences(view.preferences);
  return fromPreferences(view.preferences);
}

/** Saves and returns what the shell stored. Rejects with an IpcError. */
export async function savePrefs(prefs: Prefs): Promise<Prefs> {
  if (!inTauri()) {
    saveLocalPrefs(prefs);
    return prefs;
  }
  const saved = await commands.savePreferences(toPreferences(prefs));
  rememberPreferences(saved);
  return fromPreferences(saved);
}
