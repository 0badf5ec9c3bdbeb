import { describe, expect, it } from "vitest";
import { DEFAULT_PREFS, PREFS_KEY, fromPreferences, loadLocalPrefs, saveLocalPrefs, toPreferences } from "./prefs";

describe("preferences", () => {
  it("round-trips through the shell's Preferences record", () => {
    const prefs = { language: "es", theme: "dark", volume: "gal", distance: "mi" } as const;
    expect(toPreferences(prefs, null)).toEqual({
      version: 1,
      language: "es",
      theme: "dark",
      volume_unit: "gal",
      distance_unit: "mi",
      data_source: { kind: "demo", url: null, trucks: null },
    });
    expect(fromPreferences(toPreferences(prefs, null))).toEqual(prefs);
  });

  it("falls back field by field on unknown values", () => {
    expect(fromPreferences({ language: "xx", theme: "neon", volume_unit: "l", distance_unit: "leagues" })).toEqual(DEFAULT_PREFS);
    expect(fromPreferences(null)).toEqual(DEFAULT_PREFS);
  });

  it("keeps a local copy outside Tauri and survives broken storage", () => {
    saveLocalPrefs({ theme: "light", volume: "gal", distance: "km" }, window.localStorage);
    expect(loadLocalPrefs(window.localStorage)).toEqual({ theme: "light", volume: "gal", distance: "km" });
    window.localStorage.setItem(PREFS_KEY, "{");
    expect(loadLocalPrefs(window.localStorage)).toEqual(DEFAULT_PREFS);
    const broken = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
    } as unknown as Storage;
    expect(loadLocalPrefs(broken)).toEqual(DEFAULT_PREFS);
    expect(() => saveLocalPrefs(DEFAULT_PREFS, broken)).not.toThrow();
  });
});
