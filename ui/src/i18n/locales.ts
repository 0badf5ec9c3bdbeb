// The UI's languages and their Fluent bundles. Messages live in
// /locales/<lang>/ui.ftl at the repository root, beside the CLI's.
import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";
import enSource from "../../../locales/en/ui.ftl?raw";
import esSource from "../../../locales/es/ui.ftl?raw";

export const LOCALES = ["en", "es"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

export const SOURCES: Readonly<Record<Locale, string>> = { en: enSource, es: esSource };

export type MessageArgs = Record<string, FluentVariable>;
export type Translate = (id: string, args?: MessageArgs) => string;
/** A code from the core (`reason`, `kind`, ...): its message `prefix-code`, else the code itself. */
export type TranslateCode = (prefix: string, code: string, args?: MessageArgs) => string;

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** Picks the first supported language among the user's preferences (BCP 47 tags, best first). */
export function negotiateLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const primary = tag.split(/[-_]/)[0]?.toLowerCase();
    if (isLocale(primary)) return primary;
  }
  return DEFAULT_LOCALE;
}

/** The ids of the messages (not terms) that a Fluent source defines. */
export function messageIds(source: string): string[] {
  return new FluentResource(source).body
    .map((entry) => entry.id)
    .filter((id) => !id.startsWith("-"));
}

const bundles = new Map<Locale, FluentBundle>();

export function bundleFor(locale: Locale): FluentBundle {
  let bundle = bundles.get(locale);
  if (!bundle) {
    // No Unicode isolation marks: both languages are left-to-right, and the
    // marks would leak into copied text.
    bundle = new FluentBundle(locale, { useIsolating: false });
    const errors = bundle.addResource(new FluentResource(SOURCES[locale]));
    if (errors.length > 0) {
      console.error(`ui.ftl (${locale}) has errors`, errors);
    }
    bundles.set(locale, bundle);
  }
  return bundle;
}

/** A formatter for one language. A missing id shows as itself, so gaps are visible rather than blank. */
export function translator(locale: Locale): Translate {
  const bundle = bundleFor(locale);
  return (id, args) => {
    const message = bundle.getMessage(id);
    if (!message?.value) return id;
    return bundle.formatPattern(message.value, args);
  };
}

/** Codes the core may add later show as themselves rather than as a message id. */
export function codeTranslator(locale: Locale): TranslateCode {
  const bundle = bundleFor(locale);
  return (prefix, code, args) => {
    // Core codes are snake_case; message ids use hyphens.
    const message = bundle.getMessage(`${prefix}-${code.replace(/_/g, "-")}`);
    if (!message?.value) return code;
    return bundle.formatPattern(message.value, args);
  };
}
