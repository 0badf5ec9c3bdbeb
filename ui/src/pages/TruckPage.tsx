import { useCallback, useEffect, useMemo, useState } from "react";
import { useApp } from "../app/context";
import { ErrorNotice } from "../components/ErrorNotice";
import { EvidencePanel } from "../components/EvidencePanel";
import { FuelChart } from "../components/FuelChart";
import { useI18n } from "../i18n/I18nProvider";
import { commands } from "../ipc";
import { useAsync } from "../lib/useAsync";
import type { StoredEventDto, TruckDetail } from "../types";

const DETAIL_REFRESH_MS = 30_000;

const RANGES: readonly { id: string; hours: number | null }[] = [
  { id: "all", hours: null },
  { id: "6h", hours: 6 },
  { id: "24h", hours: 24 },
  { id: "7d", hours: 24 * 7 },
];

export function TruckPage({ truckId }: { truckId: string }) {
  const { t, tc } = useI18n();
  const { fmt, navigate, route, fleet } = useApp();
  const [range, setRange] = useState<string>("all");
  const [anchor, setAnchor] = useState<number | null>(null);
  const hours = RANGES.find((r) => r.id === range)?.hours ?? null;
  const detail = useAsync<TruckDetail>(
    () =>
      hours === null || anchor === null
        ? commands.truckDetail(truckId)
        : commands.truckDetail(truckId, anchor - hours * 3600e3, anchor),
    // The anchor only matters for a bounded range; setting it must not reload "all".
    [truckId, hours === null || anchor === null ? "all" : `${hours}:${anchor}`],
  );
  const [events, setEvents] = useState<StoredEventDto[]>([]);
  // The default range follows the live truck: re-read it now and then (the core caches it).
  const { reload } = detail;
  useEffect(() => {
    if (hours !== null) return;
    const timer = setInterval(reload, DETAIL_REFRESH_MS);
    return () => clearInterval(timer);
  }, [hours, reload]);
  const [selected, setSelected] = useState<string | null>(null);

  useEffect(() => {
    if (detail.data) {
      setEvents(detail.data.events);
      if (anchor === null) setAnchor(detail.data.to_ms);
    }
  }, [detail.data, anchor]);

  const onVerdict = useCallback((updated: StoredEventDto) => {
    setEvents((list) => list.map((e) => (e.event.id === updated.event.id ? updated : e)));
  }, []);
  const close = useCallback(() => setSelected(null), []);
  const back = route.page === "truck" ? route.from : "fleet";
  const live = fleet.get(truckId);
  const selectedEvent = useMemo(() => events.find((e) => e.event.id === selected) ?? null, [events, selected]);
  const d = detail.data;

  return (
    <section className="truck-page" data-testid="truck-page" aria-labelledby="truck-title">
      <div className="page-head">
        <button type="button" className="link" onClick={() => navigate({ page: back })}>
          ← {t("truck-back", { page: t(`nav-${back}`) })}
        </button>
        <h2 id="truck-title">
          {d?.truck.name ?? live?.name ?? truckId} <span className="muted">{truckId}</span>
        </h2>
        {live && (
          <p className="truck-live">
            <span className={`state state-${live.state}`}>{t(`state-${live.state}`)}</span> · {fmt.volume(live.fuel_l, 0)} (
            {fmt.pct(live.fuel_pct)}) · {fmt.speed(live.speed_kmh)} · {t("truck-driver", { driver: live.driver_id ?? "–" })}
          </p>
        )}
        <div className="segmented" role="group" aria-label={t("truck-range")}>
          {RANGES.map((r) => (
            <button key={r.id} type="button" aria-pressed={range === r.id} onClick={() => setRange(r.id)}>
              {t(`range-${r.id}`)}
            </button>
          ))}
          <button type="button" onClick={detail.reload}>
            {t("action-refresh")}
          </button>
        </div>
      </div>
      {detail.status === "error" && <ErrorNotice error={detail.error} action={t("action-truck")} onRetry={detail.reload} />}
      {!d && detail.status === "loading" && <p aria-busy="true">{t("loading")}</p>}
      {d && (
        <>
          <FuelChart
            series={d.series}
            events={events}
            fromMs={d.from_ms}
            toMs={d.to_ms}
            tankL={d.truck.tanks.reduce((sum, tank) => sum + tank.capacity_l, 0) || null}
            fmt={fmt}
            selected={selected}
            onSelect={setSelected}
          />
          {selectedEvent && <EvidencePanel stored={selectedEvent} onClose={close} onVerdict={onVerdict} />}
          <div className="cards">
            <Ledger detail={d} />
            <Sensor detail={d} />
          </div>
          <section aria-labelledby="events-title">
            <h3 id="events-title">{t("truck-events", { count: events.length })}</h3>
            {events.length === 0 ? (
              <p className="muted">{t("truck-no-events")}</p>
            ) : (
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">{t("col-kind")}</th>
                    <th scope="col">{t("col-start")}</th>
                    <th scope="col" className="num">{t("col-volume")}</th>
                    <th scope="col" className="num">{t("col-confidence")}</th>
                    <th scope="col">{t("col-status")}</th>
                    <th scope="col">{t("col-verdict")}</th>
                  </tr>
                </thead>
                <tbody>
                  {events.map(({ event, verdict }) => (
                    <tr key={event.id} aria-selected={selected === event.id}>
                      <th scope="row">
                        <button type="button" className="link" onClick={() => setSelected(event.id)}>
                          {tc("kind", event.kind)}
                        </button>
                      </th>
                      <td>{fmt.dateTime(event.start)}</td>
                      <td className="num">{fmt.volume(event.volume_l)}</td>
                      <td className="num">{fmt.share(event.confidence)}</td>
                      <td>{tc("status", event.status)}</td>
                      <td>{verdict ? tc("verdict", verdict.verdict) : "–"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          {d.purchases.length > 0 && <Purchases detail={d} />}
        </>
      )}
    </section>
  );
}

function Ledger({ detail }: { detail: TruckDetail }) {
  const { t, tc } = useI18n();
  const { fmt } = useApp();
  const l = detail.ledger;
  return (
    <section className="card" data-testid="truck-ledger" aria-labelledby="ledger-title">
      <h3 id="ledger-title">{t("ledger-title")}</h3>
      {!l ? (
        <p className="muted">{t("ledger-empty")}</p>
      ) : (
        <dl className="facts">
          <dt>{t("ledger-distance")}</dt>
          <dd>
            {fmt.distance(l.distance_km)} <span className="muted">({tc("source", l.distance_source)})</span>
          </dd>
          <dt>{t("ledger-fuel-used")}</dt>
          <dd data-testid="ledger-fuel-used">{fmt.volume(l.fuel_used_l)}</dd>
          <dt>{t("ledger-efficiency")}</dt>
          <dd data-testid="ledger-efficiency">{fmt.consumption(l.l_per_100km)}</dd>
          <dt>{t("ledger-idle")}</dt>
          <dd>
            {t("hours", { value: fmt.num(l.idle_h, 1) })} · {fmt.volume(l.idle_fuel_l)}
          </dd>
          <dt>{t("ledger-levels")}</dt>
          <dd>
            {fmt.volume(l.start_level_l)} → {fmt.volume(l.end_level_l)}
          </dd>
          <dt>{t("ledger-fills")}</dt>
          <dd>{t("ledger-count-volume", { count: l.fills, volume: fmt.volume(l.fills_l) })}</dd>
          <dt>{t("ledger-drains")}</dt>
          <dd>{t("ledger-count-volume", { count: l.drains, volume: fmt.volume(l.drains_l) })}</dd>
          <dt>{t("ledger-ecu")}</dt>
          <dd>
            {fmt.volume(l.ecu_fuel_used_l)}
            {l.ecu_disagreement_l !== null && (
              <span className="muted"> {t("ledger-ecu-diff", { diff: fmt.volume(l.ecu_disagreement_l) })}</span>
            )}
          </dd>
          <dt>{t("ledger-points")}</dt>
          <dd>{fmt.int(l.points)}</dd>
        </dl>
      )}
    </section>
  );
}

function Sensor({ detail }: { detail: TruckDetail }) {
  const { t } = useI18n();
  const { fmt } = useApp();
  const s = detail.sensor;
  const healthy = !s.stuck && s.faults === 0;
  return (
    <section className="card" data-testid="sensor-health" aria-labelledby="sensor-title">
      <h3 id="sensor-title">{t("sensor-title")}</h3>
      <p className={healthy ? "ok" : "warn"}>{t(healthy ? "sensor-ok" : s.stuck ? "sensor-stuck" : "sensor-faulty")}</p>
      <dl className="facts">
        <dt>{t("sensor-noise")}</dt>
        <dd>
          {fmt.volume(s.noise_l, 2)} <span className="muted">{t(s.noise_measured ? "ev-noise-measured" : "ev-noise-assumed")}</span>
        </dd>
        <dt>{t("sensor-faults")}</dt>
        <dd>{fmt.int(s.faults)}</dd>
        <dt>{t("sensor-gaps")}</dt>
        <dd>
          {fmt.int(s.gaps)}
          {s.longest_gap_min !== null && (
            <span className="muted"> {t("sensor-longest-gap", { minutes: fmt.num(s.longest_gap_min, 0) })}</span>
          )}
        </dd>
        <dt>{t("sensor-quarantined")}</dt>
        <dd>{fmt.int(s.quarantined)}</dd>
      </dl>
    </section>
  );
}

function Purchases({ detail }: { detail: TruckDetail }) {
  const { t, tc } = useI18n();
  const { fmt } = useApp();
  return (
    <section aria-labelledby="purchases-title">
      <h3 id="purchases-title">{t("purchases-title")}</h3>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">{t("col-time")}</th>
            <th scope="col">{t("col-station")}</th>
            <th scope="col" className="num">{t("col-billed")}</th>
            <th scope="col" className="num">{t("col-measured")}</th>
            <th scope="col" className="num">{t("col-difference")}</th>
            <th scope="col">{t("col-status")}</th>
          </tr>
        </thead>
        <tbody>
          {detail.purchases.map((p) => (
            <tr key={`${p.ts}-${p.card_id ?? ""}`}>
              <td>{fmt.dateTime(p.ts)}</td>
              <td>{p.station ?? "–"}</td>
              <td className="num">{fmt.volume(p.litres)}</td>
              <td className="num">{fmt.volume(p.measured_l)}</td>
              <td className="num">{fmt.volume(p.difference_l)}</td>
              <td>{tc("purchase", p.status)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
