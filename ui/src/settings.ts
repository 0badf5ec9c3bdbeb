// Per-desktop preferences (language, theme), kept in the webview's local
// storage. The record is versioned so later fields (units, data source)
// can migrate old records instead of discarding them.
import { isLocale, type Locale } from "./i18n/locales";

export const THEMES = ["system", "light", "dark"] as const;
export type ThemeChoice = (typeof THEMES)[number];

export interface Settings {
  version: 1;
  /** Absent until the user picks one: the OS/browser language applies. */
  language?: Locale;
  theme: ThemeChoice;
}

export const SETTINGS_KEY = "fuelcopilot.settings";
export const DEFAULT_SETTINGS: Settings = { version: 1, theme: "system" };

export function isThemeChoice(value: unknown): value is ThemeChoice {
  return typeof value === "string" && (THEMES as readonly string[]).includes(value);
}

/** Reads the stored settings; anything unreadable or unknown falls back to the defaults, field by field. */
export function loadSettings(storage: Storage | undefined = safeLocalStorage()): Settings {
  let raw: string | null = null;
  try {
    raw = storage?.getItem(SETTINGS_KEY) ?? null;
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
  if (raw === null) return { ...DEFAULT_SETTINGS };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
  if (typeof parsed !== "object" || parsed === null) return { ...DEFAULT_SETTINGS };
  const record = parsed as Record<string, unknown>;
  const settings: Settings = { ...DEFAULT_SETTINGS };
  if (isLocale(record.language)) settings.language = record.language;
  if (isThemeChoice(record.theme)) settings.theme = record.theme;
  return settings;
}

export function saveSettings(settings: Settings, storage: Storage | undefined = safeLocalStorage()): void {
  try {
    storage?.setItem(SETTINGS_KEY, JSON.stringify(settings));
  } catch {
    // Storage full or disabled: the choice still applies for this session.
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
