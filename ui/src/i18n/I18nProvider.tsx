import { createContext, useContext, useEffect, useMemo, type ReactNode } from "react";
import { codeTranslator, translator, type Locale, type Translate, type TranslateCode } from "./locales";

interface I18n {
  locale: Locale;
  t: Translate;
  tc: TranslateCode;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  const value = useMemo(() => ({ locale, t: translator(locale), tc: codeTranslator(locale) }), [locale]);

  // Screen readers and the browser's hyphenation follow the document language.
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n must be used inside <I18nProvider>");
  return value;
}
