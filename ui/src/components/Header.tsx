import { useEffect, useState, useSyncExternalStore } from "react";
import { useApp } from "../app/context";
import { useI18n } from "../i18n/I18nProvider";
import { useAppInfo, type AppInfoState } from "../useAppInfo";

export function Header() {
  const { t } = useI18n();
  const appInfo = useAppInfo();
  return (
    <header className="app-header">
      <div className="brand">
        <img className="brand-mark" src="./app-icon.svg" alt="" width={32} height={32} />
        <h1 className="brand-name">{t("app-name")}</h1>
        <Version state={appInfo} />
      </div>
      <LiveIndicator />
    </header>
  );
}

/** Seconds without an update before the feed counts as stale. */
const STALE_MS = 10_000;

function LiveIndicator() {
  const { t } = useI18n();
  const { fleet, fmt, stats } = useApp();
  useSyncExternalStore(fleet.subscribe, fleet.getVersion);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const last = fleet.lastUpdateAt;
  const state = last === null ? "waiting" : now - last > STALE_MS ? "stale" : "live";
  const trucks = fleet.getRows().length;
  let text: string;
  if (state === "waiting") text = t("live-waiting");
  else if (state === "stale") text = t("live-stale", { time: fmt.time(last) });
  else text = t("live-on", { trucks, time: fmt.time(fleet.dataTimeMs || last) });
  return (
    <p className={`live-indicator live-${state}`} data-testid="live-indicator" data-state={state} aria-live="off">
      <span className="live-dot" aria-hidden="true" />
      {text}
      {stats && state === "live" && (
        <span className="live-rate"> · {t("live-rate", { rate: fmt.num(stats.points_per_s, 0) })}</span>
      )}
    </p>
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
