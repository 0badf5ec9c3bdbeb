import { FluentResource } from "@fluent/bundle";
import { describe, expect, it } from "vitest";
import { LOCALES, SOURCES, messageIds, negotiateLocale, translator } from "./locales";

/** Variable names a message uses, so translations cannot drop or rename one. */
function variablesByMessage(source: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (node: unknown, into: Set<string>): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, into);
    } else if (typeof node === "object" && node !== null) {
      const record = node as Record<string, unknown>;
      if (record.type === "var" && typeof record.name === "string") into.add(record.name);
      for (const value of Object.values(record)) walk(value, into);
    }
  };
  for (const entry of new FluentResource(source).body) {
    const vars = new Set<string>();
    walk(entry, vars);
    found.set(entry.id, [...vars].sort());
  }
  return found;
}

describe("ui.ftl locale files", () => {
  const english = messageIds(SOURCES.en);

  it("English defines messages", () => {
    expect(english.length).toBeGreaterThan(5);
    expect(english).toContain("app-version");
  });

  it.each(LOCALES)("%s defines exactly the same message ids as English", (locale) => {
    const ids = messageIds(SOURCES[locale]);
    expect(new Set(ids).size, `${locale} repeats an id`).toBe(ids.length);
    expect([...ids].sort()).toEqual([...english].sort());
  });

  it.each(LOCALES)("%s uses the same variables as English in every message", (locale) => {
    expect(variablesByMessage(SOURCES[locale])).toEqual(variablesByMessage(SOURCES.en));
  });

  it.each(LOCALES)("%s parses without syntax errors", (locale) => {
    // A syntax error turns an entry into a junk entry, which drops its id.
    const lines = SOURCES[locale].split("\n");
    const declared = lines.filter((line) => /^[a-z][\w-]*\s*=/.test(line)).length;
    expect(messageIds(SOURCES[locale])).toHaveLength(declared);
  });

  it("formats a message with its argument in each language", () => {
    expect(translator("en")("app-version", { version: "1.2.3" })).toBe("Version 1.2.3");
    expect(translator("es")("app-version", { version: "1.2.3" })).toBe("Versión 1.2.3");
  });

  it("shows a missing id as itself", () => {
    expect(translator("en")("no-such-message")).toBe("no-such-message");
  });
});

describe("negotiateLocale", () => {
  it.each([
    [["es-MX", "en-US"], "es"],
    [["es"], "es"],
    [["ES_es"], "es"],
    [["fr-FR", "es-ES"], "es"],
    [["en-GB", "es"], "en"],
    [["de", "fr"], "en"],
    [[], "en"],
  ] as const)("%j -> %s", (preferred, expected) => {
    expect(negotiateLocale(preferred)).toBe(expected);
  });
});

describe("messages the UI asks for", () => {
  // Every literal id passed to t("…") must exist, so no screen shows a raw id.
  const sources = import.meta.glob(["../**/*.tsx", "../**/*.ts", "!../**/*.test.*", "!../test/**"], {
    query: "?raw",
    import: "default",
    eager: true,
  }) as Record<string, string>;
  const english = new Set(messageIds(SOURCES.en));

  it("finds the UI sources and the ids they use", () => {
    expect(Object.keys(sources).length).toBeGreaterThan(10);
    const all = Object.values(sources).join("\n");
    expect([...all.matchAll(/\bt\(\s*"([a-z][\w-]*)"/g)].length).toBeGreaterThan(150);
  });

  it.each(Object.keys(sources))("%s uses only defined ids", (file) => {
    const used = [...(sources[file] ?? "").matchAll(/\bt\(\s*"([a-z][\w-]*)"/g)].map((m) => m[1]);
    const ternaries = [...(sources[file] ?? "").matchAll(/\bt\([^()]*?\?\s*"([a-z][\w-]*)"\s*:\s*"([a-z][\w-]*)"/g)].flatMap((m) => [m[1], m[2]]);
    const missing = [...used, ...ternaries].filter((id) => id !== undefined && !english.has(id));
    expect(missing).toEqual([]);
  });
});
