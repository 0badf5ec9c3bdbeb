import { Fragment, useEffect, useMemo, useState } from "react";
import { useApp } from "../app/context";
import { BarChart } from "../components/BarChart";
import { ErrorNotice } from "../components/ErrorNotice";
import { useI18n } from "../i18n/I18nProvider";
import { commands } from "../ipc";
import { KM_PER_MILE, type Format } from "../lib/format";
import { useAsync } from "../lib/useAsync";
import type { DriverDto, Recommendation } from "../types";

type Key = "driver" | "score" | "percentile" | "distance" | "consumption" | "idle" | "savings";
const COLUMNS: readonly { key: Key; label: string; numeric?: boolean }[] = [
  { key: "driver", label: "drivers-col-driver" },
  { key: "score", label: "drivers-col-score", numeric: true },
  { key: "percentile", label: "drivers-col-percentile", numeric: true },
  { key: "distance", label: "drivers-col-distance", numeric: true },
  { key: "consumption", label: "drivers-col-consumption", numeric: true },
  { key: "idle", label: "drivers-col-idle", numeric: true },
  { key: "savings", label: "drivers-col-savings", numeric: true },
];

function savings(d: DriverDto): { litres: number; money: number; currency: string } {
  let litres = 0;
  let money = 0;
  for (const r of d.recommendations) {
    litres += r.litres_per_week;
    money += r.money_per_week;
  }
  return { litres, money, currency: d.recommendations[0]?.currency ?? "" };
}

function sortValue(d: DriverDto, key: Key): number | string {
  switch (key) {
    case "driver":
      return d.driver_id;
    case "score":
      return d.score.value;
    case "percentile":
      return d.score.percentile;
    case "distance":
      return d.metrics.distance_km;
    case "consumption":
      return d.metrics.l_per_100km ?? Number.POSITIVE_INFINITY;
    case "idle":
      return d.metrics.idle_h_per_day;
    case "savings":
      return savings(d).litres;
  }
}

/** A recommendation's value in its unit, in the user's units. */
function valueText(unit: string, v: number, fmt: Format, t: (id: string, a?: Record<string, string>) => string): string {
  switch (unit) {
    case "h_per_day":
      return t("hours-per-day", { value: fmt.num(v, 1) });
    case "share":
      return fmt.share(v, 0);
    case "per_100km":
      return fmt.distanceUnit === "mi"
        ? t("per-100mi", { value: fmt.num(v * KM_PER_MILE, 1) })
        : t("per-100km", { value: fmt.num(v, 1) });
    default:
      return fmt.num(v, 2);
  }
}

export function DriversPage() {
  const { t } = useI18n();
  const { fmt } = useApp();
  const report = useAsync(() => commands.coachReport(), []);
  const [sort, setSort] = useState<{ key: Key; desc: boolean }>({ key: "score", desc: true });
  const [open, setOpen] = useState<string | null>(null);
  // Escape folds an opened scorecard, like every other panel.
  useEffect(() => {
    if (open === null) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(null);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);
  const drivers = useMemo(() => {
    const list = [...(report.data?.drivers ?? [])];
    const sign = sort.desc ? -1 : 1;
    list.sort((a, b) => {
      const va = sortValue(a, sort.key);
      const vb = sortValue(b, sort.key);
      const c = typeof va === "string" ? va.localeCompare(vb as string) : va - (vb as number);
      return sign * c || a.driver_id.localeCompare(b.driver_id);
    });
    return list;
  }, [report.data, sort]);
  const c = report.data?.coaching;
  const driverName = (id: string) => (id === "" ? t("drivers-unassigned") : id);

  return (
    <section className="drivers-page" aria-labelledby="drivers-title">
      <h2 id="drivers-title">{t("drivers-title")}</h2>
      {report.status === "error" && <ErrorNotice error={report.error} action={t("action-coach")} onRetry={report.reload} />}
      {report.status === "loading" && !report.data && <p aria-busy="true">{t("loading")}</p>}
      {c && (
        <p className="muted">
          {t("drivers-period", {
            from: c.period.from_day,
            to: c.period.to_day,
            days: c.period.days,
            price: fmt.pricePerVolume(c.prices.fuel_price_per_l, c.prices.currency),
            median: fmt.num(c.fleet_median_score, 0),
          })}
        </p>
      )}
      {report.data && drivers.length === 0 && <p className="empty">{t("drivers-empty")}</p>}
      {drivers.length > 0 && (
        <>
          <BarChart
            testId="drivers-chart"
            title={t("drivers-chart-title")}
            max={100}
            bars={drivers.slice(0, 20).map((d) => ({
              id: d.driver_id,
              label: driverName(d.driver_id),
              value: d.score.value,
              low: d.score.low,
              high: d.score.high,
              display: fmt.num(d.score.value, 0),
            }))}
          />
          <table className="data-table drivers-table" data-testid="drivers-table">
            <thead>
              <tr>
                {COLUMNS.map((col) => {
                  const active = sort.key === col.key;
                  return (
                    <th
                      key={col.key}
                      scope="col"
                      className={col.numeric ? "num" : undefined}
                      aria-sort={active ? (sort.desc ? "descending" : "ascending") : "none"}
                    >
                      <button
                        type="button"
                        className="sort-button"
                        data-testid={`drivers-sort-${col.key}`}
                        onClick={() => setSort({ key: col.key, desc: active ? !sort.desc : col.key !== "driver" })}
                      >
                        {t(col.label)}
                        <span aria-hidden="true" className="sort-mark">
                          {active ? (sort.desc ? "▼" : "▲") : ""}
                        </span>
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {drivers.map((d) => {
                const s = savings(d);
                const expanded = open === d.driver_id;
                return (
                  <Fragment key={d.driver_id}>
                    <tr data-testid={`driver-row-${d.driver_id}`}>
                      <th scope="row">
                        <button
                          type="button"
                          className="link"
                          aria-expanded={expanded}
                          onClick={() => setOpen(expanded ? null : d.driver_id)}
                        >
                          {driverName(d.driver_id)}
                        </button>
                      </th>
                      <td className="num">
                        <strong>{fmt.num(d.score.value, 0)}</strong>{" "}
                        <span className="muted">
                          {t("score-interval", { low: fmt.num(d.score.low, 0), high: fmt.num(d.score.high, 0) })}
                        </span>
                        {d.score.provisional && <span className="tag">{t("score-provisional")}</span>}
                      </td>
                      <td className="num">{t("percentile", { value: fmt.num(d.score.percentile, 0) })}</td>
                      <td className="num">{fmt.distance(d.metrics.distance_km, 0)}</td>
                      <td className="num">{fmt.consumption(d.metrics.l_per_100km)}</td>
                      <td className="num">{t("hours-per-day", { value: fmt.num(d.metrics.idle_h_per_day, 1) })}</td>
                      <td className="num" data-testid={`driver-savings-${d.driver_id}`}>
                        {t("per-week", { value: fmt.volume(s.litres) })}
                        {s.currency && <span className="muted"> {fmt.money(s.money, s.currency)}</span>}
                      </td>
                    </tr>
                    {expanded && (
                      <tr className="detail-row">
                        <td colSpan={COLUMNS.length}>
                          <DriverDetail driver={d} fmt={fmt} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function DriverDetail({ driver, fmt }: { driver: DriverDto; fmt: Format }) {
  const { t, tc } = useI18n();
  return (
    <div className="driver-detail">
      <section>
        <h4>{t("drivers-subscores")}</h4>
        <ul className="subscores">
          {driver.score.parts.map((p) => (
            <li key={p.name}>
              <span>{tc("part", p.name)}</span>
              <meter min={0} max={100} value={p.score} aria-label={tc("part", p.name)} />
              <span>{fmt.num(p.score, 0)}</span>
            </li>
          ))}
        </ul>
        <p className="muted">{t("drivers-trucks", { trucks: driver.trucks.join(", ") })}</p>
      </section>
      <section>
        <h4>{t("drivers-recommendations")}</h4>
        {driver.recommendations.length === 0 ? (
          <p className="muted">{t("drivers-no-recommendations")}</p>
        ) : (
          <ul className="recommendations">
            {driver.recommendations.map((r) => (
              <li key={r.code}>
                <RecommendationText rec={r} fmt={fmt} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function RecommendationText({ rec, fmt }: { rec: Recommendation; fmt: Format }) {
  const { t, tc } = useI18n();
  return (
    <>
      <strong>{tc("rec", rec.code)}</strong>{" "}
      {t("rec-detail", {
        value: valueText(rec.unit, rec.value, fmt, t),
        best: valueText(rec.unit, rec.fleet_best, fmt, t),
        litres: fmt.volume(rec.litres_per_week),
        money: fmt.money(rec.money_per_week, rec.currency),
      })}
    </>
  );
}
