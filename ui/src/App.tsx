import { useEffect, useState } from "react";
import { FleetEmptyState } from "./components/FleetEmptyState";
import { Header } from "./components/Header";
import { I18nProvider, useI18n } from "./i18n/I18nProvider";
import { negotiateLocale, type Locale } from "./i18n/locales";
import { loadSettings, saveSettings, type Settings, type ThemeChoice } from "./settings";
import { applyTheme } from "./theme";
import { useAppInfo } from "./useAppInfo";

function browserLanguages(): readonly string[] {
  if (navigator.languages.length > 0) return navigator.languages;
  return navigator.language ? [navigator.language] : [];
}

export function App() {
  const [settings, setSettings] = useState<Settings>(() => loadSettings());
  const locale = settings.language ?? negotiateLocale(browserLanguages());

  useEffect(() => applyTheme(settings.theme), [settings.theme]);

  const update = (change: Partial<Settings>) => {
    setSettings((current) => {
      const next = { ...current, ...change };
      saveSettings(next);
      return next;
    });
  };

  return (
    <I18nProvider locale={locale}>
      <Shell
        theme={settings.theme}
        onLocaleChange={(language: Locale) => update({ language })}
        onThemeChange={(theme: ThemeChoice) => update({ theme })}
      />
    </I18nProvider>
  );
}

interface ShellProps {
  theme: ThemeChoice;
  onLocaleChange: (locale: Locale) => void;
  onThemeChange: (theme: ThemeChoice) => void;
}

function Shell({ theme, onLocaleChange, onThemeChange }: ShellProps) {
  const { t } = useI18n();
  const appInfo = useAppInfo();
  return (
    <>
      <a className="skip-link" href="#main">
        {t("skip-to-content")}
      </a>
      <Header
        appInfo={appInfo}
        theme={theme}
        onLocaleChange={onLocaleChange}
        onThemeChange={onThemeChange}
      />
      <main id="main" tabIndex={-1}>
        <FleetEmptyState />
      </main>
    </>
  );
}
