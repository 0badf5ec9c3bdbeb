import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { AppContext, PAGES, type AppState, type PageId, type Route } from "./app/context";
import { ErrorNotice } from "./components/ErrorNotice";
import { Header } from "./components/Header";
import { Nav } from "./components/Nav";
import { I18nProvider, useI18n } from "./i18n/I18nProvider";
import { negotiateLocale } from "./i18n/locales";
import { commands, events, toIpcError } from "./ipc";
import { AlertStore } from "./live/alertStore";
import { FleetStore } from "./live/fleetStore";
import { nextFrame } from "./live/frame";
import { makeFormat } from "./lib/format";
import { AlertsPage } from "./pages/AlertsPage";
import { DriversPage } from "./pages/DriversPage";
import { FleetPage } from "./pages/FleetPage";
import { ImportPage } from "./pages/ImportPage";
import { SettingsPage } from "./pages/SettingsPage";
import { TruckPage } from "./pages/TruckPage";
import { DEFAULT_PREFS, loadLocalPrefs, loadPrefs, rememberPreferences, savePrefs, type Prefs, type PrefsChange } from "./prefs";
import { inTauri } from "./ipc";
import { countLive, timeTask } from "./perf";
import { applyTheme } from "./theme";
import type { FleetStats, IpcError } from "./types";

function browserLanguages(): readonly string[] {
  if (navigator.languages.length > 0) return navigator.languages;
  return navigator.language ? [navigator.language] : [];
}

export interface AppProps {
  /** Injected by tests to drive frames by hand. */
  fleetStore?: FleetStore;
  alertStore?: AlertStore;
  initialRoute?: Route;
}

export function App({ fleetStore, alertStore, initialRoute }: AppProps = {}) {
  // Outside Tauri the local copy is all there is; inside, the shell's file wins once read.
  const [prefs, setPrefsState] = useState<Prefs>(() => (inTauri() ? { ...DEFAULT_PREFS } : loadLocalPrefs()));
  const [prefsError, setPrefsError] = useState<IpcError | null>(null);
  const prefsRef = useRef(prefs);
  const touched = useRef(false);

  useEffect(() => {
    let live = true;
    loadPrefs().then(
      (loaded) => {
        // A choice made while the file was being read is not overwritten by it.
        if (!live || touched.current) return;
        prefsRef.current = loaded;
        setPrefsState(loaded);
      },
      (error: unknown) => live && setPrefsError(toIpcError(error)),
    );
    return () => {
      live = false;
    };
  }, []);

  const setPrefs = useCallback((change: PrefsChange) => {
    touched.current = true;
    const { language, ...rest } = change;
    const next: Prefs = { ...prefsRef.current, ...rest };
    if ("language" in change) {
      if (language === undefined) delete next.language;
      else next.language = language;
    }
    prefsRef.current = next;
    setPrefsState(next);
    savePrefs(next).then(
      () => setPrefsError(null),
      (error: unknown) => setPrefsError(toIpcError(error)),
    );
  }, []);

  useEffect(() => applyTheme(prefs.theme), [prefs.theme]);

  const locale = prefs.language ?? negotiateLocale(browserLanguages());
  return (
    <I18nProvider locale={locale}>
      <Shell
        prefs={prefs}
        setPrefs={setPrefs}
        prefsError={prefsError}
        fleetStore={fleetStore}
        alertStore={alertStore}
        initialRoute={initialRoute}
      />
    </I18nProvider>
  );
}

interface ShellProps {
  prefs: Prefs;
  setPrefs: (change: PrefsChange) => void;
  prefsError: IpcError | null;
  fleetStore: FleetStore | undefined;
  alertStore: AlertStore | undefined;
  initialRoute: Route | undefined;
}

function Shell({ prefs, setPrefs, prefsError, fleetStore, alertStore, initialRoute }: ShellProps) {
  const { locale, t } = useI18n();
  const [fleet] = useState(() => fleetStore ?? new FleetStore());
  const [alerts] = useState(() => alertStore ?? new AlertStore());
  const [route, setRoute] = useState<Route>(initialRoute ?? { page: "fleet" });
  const [stats, setStats] = useState<FleetStats | null>(null);
  const [liveError, setLiveError] = useState<IpcError | null>(null);
  const mainRef = useRef<HTMLElement>(null);

  const navigate = useCallback((next: Route) => {
    setRoute(next);
    // Screen-reader and keyboard users land at the top of the new page.
    nextFrame(() => mainRef.current?.focus({ preventScroll: true }));
  }, []);

  // The live feed: snapshot and outbox first, then the events.
  useEffect(() => {
    let live = true;
    const unlisteners: Array<() => void> = [];
    const fail = (error: unknown) => live && setLiveError(toIpcError(error));
    const loadSnapshot = () =>
      commands.fleetSnapshot().then((s) => live && timeTask("fleet-snapshot", () => fleet.load(s)), fail);
    const subscribe = async () => {
      const subs = await Promise.all([
        events.onTruckUpdate((batch) => {
          let points = 0;
          for (const u of batch.updates) points += u.points;
          countLive(batch.updates.length, points);
          fleet.enqueue(batch);
        }),
        events.onAlert((alert) =>
          timeTask("alert", () => {
            const fresh = alerts.add([alert]);
            if (fresh.length > 0 && !alert.acked_at) fleet.adjustAlerts(alert.truck_id, 1);
          }),
        ),
        events.onFleetStats((s) => setStats(s)),
        events.onDataSourceChanged((view) => {
          rememberPreferences(view.preferences);
          fleet.reset();
          void loadSnapshot();
        }),
      ]);
      if (live) unlisteners.push(...subs);
      else subs.forEach((u) => u());
    };
    subscribe().then(() => {
      void loadSnapshot();
      // The open alerts, newest first (the outbox's history reads oldest first);
      // acknowledged ones stay listed for the session, new ones come as events.
      commands.listAlerts(true, undefined, 500).then((list) => {
        if (!live) return;
        timeTask("alerts-load", () => alerts.add(list));
        alerts.loaded = true;
      }, fail);
    }, fail);
    return () => {
      live = false;
      unlisteners.forEach((u) => u());
    };
  }, [fleet, alerts]);

  // Alt+1..5 switch pages from anywhere.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const index = Number.parseInt(event.key, 10) - 1;
      const digit = /^Digit([1-5])$/.exec(event.code);
      const page = PAGES[digit ? Number(digit[1]) - 1 : index];
      if (page) {
        event.preventDefault();
        navigate({ page });
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navigate]);

  const fmt = useMemo(() => makeFormat(locale, prefs.volume, prefs.distance, t), [locale, prefs.volume, prefs.distance, t]);
  const app: AppState = useMemo(
    () => ({ prefs, setPrefs, prefsError, fmt, route, navigate, fleet, alerts, stats, liveError }),
    [prefs, setPrefs, prefsError, fmt, route, navigate, fleet, alerts, stats, liveError],
  );
  const current: PageId = route.page === "truck" ? route.from : route.page;

  return (
    <AppContext.Provider value={app}>
      <a className="skip-link" href="#main">
        {t("skip-to-content")}
      </a>
      <Header />
      <Nav current={current} />
      <main id="main" ref={mainRef} tabIndex={-1} className="page">
        {liveError && <ErrorNotice error={liveError} action={t("action-live")} />}
        {prefsError && <ErrorNotice error={prefsError} action={t("action-preferences")} />}
        {route.page === "fleet" && <FleetPage />}
        {route.page === "truck" && <TruckPage key={route.truckId} truckId={route.truckId} />}
        {route.page === "alerts" && <AlertsPage />}
        {route.page === "drivers" && <DriversPage />}
        {route.page === "import" && <ImportPage />}
        {route.page === "settings" && <SettingsPage />}
      </main>
    </AppContext.Provider>
  );
}
