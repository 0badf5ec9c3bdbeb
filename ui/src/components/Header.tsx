import { useId } from "react";
import { LOCALES, type Locale } from "../i18n/locales";
import { useI18n } from "../i18n/I18nProvider";
import { THEMES, isThemeChoice, type ThemeChoice } from "../settings";
import type { AppInfoState } from "../useAppInfo";

interface HeaderProps {
  appInfo: AppInfoState;
  theme: ThemeChoice;
  onLocaleChange: (locale: Locale) => void;
  onThemeChange: (theme: ThemeChoice) => void;
}

export function Header({ appInfo, theme, onLocaleChange, onThemeChange }: HeaderProps) {
  const { locale, t } = useI18n();
  const languageId = useId();
  const themeId = useId();

  return (
    <header className="app-header">
      <div className="brand">
        <img className="brand-mark" src="./app-icon.svg" alt="" width={32} height={32} />
        <h1 className="brand-name">{t("app-name")}</h1>
        <Version state={appInfo} />
      </div>
      <div className="settings" role="group" aria-label={t("settings-region")}>
        <label className="setting" htmlFor={languageId}>
          <span>{t("language-label")}</span>
          <select
            id={languageId}
            value={locale}
            onChange={(event) => {
              const next = LOCALES.find((l) => l === event.target.value);
              if (next) onLocaleChange(next);
            }}
          >
            {LOCALES.map((l) => (
              <option key={l} value={l} lang={l}>
                {t(`language-${l}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="setting" htmlFor={themeId}>
          <span>{t("theme-label")}</span>
          <select
            id={themeId}
            value={theme}
            onChange={(event) => {
              if (isThemeChoice(event.target.value)) onThemeChange(event.target.value);
            }}
          >
            {THEMES.map((choice) => (
              <option key={choice} value={choice}>
                {t(`theme-${choice}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
    </header>
  );
}

function Version({ state }: { state: AppInfoState }) {
  const { t } = useI18n();
  switch (state.status) {
    case "loading":
      return (
        <span className="version" aria-busy="true">
          {t("app-version-loading")}
        </span>
      );
    case "ready":
      return (
        <span className="version" data-testid="app-version">
          {t("app-version", { version: state.info.version })}
        </span>
      );
    case "error":
      return (
        <span className="version version-error" role="status" title={state.error.message}>
          {t("app-version-error")}
        </span>
      );
  }
}
