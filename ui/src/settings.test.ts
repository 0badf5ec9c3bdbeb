import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, SETTINGS_KEY, loadSettings, saveSettings } from "./settings";

describe("local settings", () => {
  it("defaults when nothing is stored", () => {
    expect(loadSettings(window.localStorage)).toEqual(DEFAULT_SETTINGS);
  });

  it("round-trips what was saved", () => {
    saveSettings({ version: 1, language: "es", theme: "dark" }, window.localStorage);
    expect(loadSettings(window.localStorage)).toEqual({ version: 1, language: "es", theme: "dark" });
  });

  it.each([
    ["not json", "{", DEFAULT_SETTINGS],
    ["a number", "42", DEFAULT_SETTINGS],
    ["null", "null", DEFAULT_SETTINGS],
    ["unknown language", '{"version":1,"language":"xx","theme":"dark"}', { version: 1, theme: "dark" }],
    ["unknown theme", '{"version":1,"language":"es","theme":"neon"}', { version: 1, language: "es", theme: "system" }],
  ])("falls back field by field on %s", (_name, stored, expected) => {
    window.localStorage.setItem(SETTINGS_KEY, stored);
    expect(loadSettings(window.localStorage)).toEqual(expected);
  });

  it("survives a storage that throws", () => {
    const broken = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
    } as unknown as Storage;
    expect(loadSettings(broken)).toEqual(DEFAULT_SETTINGS);
    expect(() => saveSettings({ version: 1, theme: "light" }, broken)).not.toThrow();
  });
});
