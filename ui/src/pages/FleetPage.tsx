import { memo, useCallback, useEffect, useId, useMemo, useState, useSyncExternalStore } from "react";
import { useApp } from "../app/context";
import { ErrorNotice } from "../components/ErrorNotice";
import { FleetMap } from "../components/FleetMap";
import { FleetTable, nameRanks, selectRows, type Sort } from "../components/FleetTable";
import { useI18n } from "../i18n/I18nProvider";
import { commands } from "../ipc";
import { useAsync } from "../lib/useAsync";
import type { TruckState } from "../types";

const STATES: readonly TruckState[] = ["driving", "idle", "working", "parked", "offline", "unknown"];
const KPI_REFRESH_MS = 10_000;

export function FleetPage() {
  const { t, locale } = useI18n();
  const { fleet, fmt, navigate } = useApp();
  const rows = useSyncExternalStore(fleet.subscribe, fleet.getRows);
  const [state, setState] = useState("all");
  const [query, setQuery] = useState("");
  const [sort, setSort] = useState<Sort>({ key: "truck", desc: false });
  const collator = useMemo(() => new Intl.Collator(locale, { numeric: true, sensitivity: "base" }), [locale]);
  const membership = useSyncExternalStore(fleet.subscribe, fleet.getMembership);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const rank = useMemo(() => nameRanks(rows, collator), [membership, collator]);
  const shown = useMemo(
    () => selectRows(rows, { state, query, sort, collator, rank }),
    [rows, state, query, sort, collator, rank],
  );
  const open = useCallback((truckId: string) => navigate({ page: "truck", truckId, from: "fleet" }), [navigate]);
  const searchId = useId();
  const stateId = useId();

  return (
    <section className="fleet-page" aria-labelledby="fleet-title">
      <h2 id="fleet-title">{t("fleet-title")}</h2>
      <Kpis />
      <div className="toolbar">
        <label htmlFor={searchId}>{t("fleet-search")}</label>
        <input
          id={searchId}
          type="search"
          data-testid="fleet-search"
          value={query}
          placeholder={t("fleet-search-placeholder")}
          onChange={(e) => setQuery(e.target.value)}
        />
        <label htmlFor={stateId}>{t("fleet-filter-state")}</label>
        <select id={stateId} data-testid="fleet-filter-state" value={state} onChange={(e) => setState(e.target.value)}>
          <option value="all">{t("fleet-filter-all")}</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {t(`state-${s}`)}
            </option>
          ))}
        </select>
        <span className="muted" data-testid="fleet-count">
          {t("fleet-count", { shown: shown.length, total: rows.length })}
        </span>
      </div>
      <div className="fleet-layout">
        <FleetTable rows={shown} total={rows.length} sort={sort} onSort={setSort} onOpen={open} fmt={fmt} />
        <FleetMap rows={shown} onOpen={open} />
      </div>
    </section>
  );
}

/** Memoised: the table's frames must not re-render the figures (they poll on their own). */
const Kpis = memo(function Kpis() {
  const { t } = useI18n();
  const { fmt } = useApp();
  const kpis = useAsync(() => commands.fleetKpis(), []);
  const { reload } = kpis;
  useEffect(() => {
    const timer = setInterval(reload, KPI_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const k = kpis.data;
  return (
    <div data-testid="fleet-kpis">
      {kpis.status === "error" && <ErrorNotice error={kpis.error} action={t("action-kpis")} onRetry={reload} />}
      <dl className="kpis" aria-busy={kpis.status === "loading"}>
        <div className="kpi">
          <dt>{t("kpi-fuel-today")}</dt>
          <dd data-testid="kpi-fuel">{k ? fmt.volume(k.fuel_used_l, 0) : "…"}</dd>
        </div>
        <div className="kpi">
          <dt>{t("kpi-consumption")}</dt>
          <dd data-testid="kpi-consumption">{k ? fmt.consumption(k.l_per_100km) : "…"}</dd>
        </div>
        <div className="kpi">
          <dt>{t("kpi-idle")}</dt>
          <dd data-testid="kpi-idle">{k ? fmt.pct(k.idle_pct, 1) : "…"}</dd>
        </div>
        <div className={`kpi${k && k.open_thefts > 0 ? " kpi-alert" : ""}`}>
          <dt>{t("kpi-thefts")}</dt>
          <dd data-testid="kpi-thefts">{k ? fmt.int(k.open_thefts) : "…"}</dd>
        </div>
        <div className="kpi">
          <dt>{t("kpi-distance")}</dt>
          <dd>{k ? fmt.distance(k.distance_km, 0) : "…"}</dd>
        </div>
      </dl>
    </div>
  );
});
