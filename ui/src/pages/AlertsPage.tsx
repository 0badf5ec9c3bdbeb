import { memo, useId, useMemo, useState, useSyncExternalStore } from "react";
import { OPERATOR, useApp } from "../app/context";
import { ErrorNotice } from "../components/ErrorNotice";
import { VerdictButtons } from "../components/EvidencePanel";
import { useI18n } from "../i18n/I18nProvider";
import { commands, toIpcError } from "../ipc";
import type { Translate, TranslateCode } from "../i18n/locales";
import type { Format } from "../lib/format";
import type { AlertDto, IpcError, StoredEventDto } from "../types";

const KINDS = ["drain", "fill", "sensor_fault", "low_fuel", "long_idle", "offline"];
const PAGE = 200;

export function AlertsPage() {
  const { t, tc } = useI18n();
  const { alerts, fmt } = useApp();
  const list = useSyncExternalStore(alerts.subscribe, alerts.getAlerts);
  const [kind, setKind] = useState("all");
  const [openOnly, setOpenOnly] = useState(false);
  const [limit, setLimit] = useState(PAGE);
  const [verdicts, setVerdicts] = useState<Record<string, string>>({});
  const kindId = useId();
  const shown = useMemo(
    () => list.filter((a) => (kind === "all" || a.kind === kind) && (!openOnly || !a.acked_at)),
    [list, kind, openOnly],
  );
  const onVerdict = (updated: StoredEventDto) =>
    setVerdicts((v) => ({ ...v, [updated.event.id]: updated.verdict?.verdict ?? "" }));

  return (
    <section className="alerts-page" aria-labelledby="alerts-title">
      <h2 id="alerts-title">{t("alerts-title")}</h2>
      <div className="toolbar">
        <label htmlFor={kindId}>{t("alerts-filter-kind")}</label>
        <select id={kindId} data-testid="alerts-filter-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="all">{t("alerts-kind-all")}</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {tc("kind", k)}
            </option>
          ))}
        </select>
        <label className="check">
          <input type="checkbox" checked={openOnly} onChange={(e) => setOpenOnly(e.target.checked)} />
          {t("alerts-open-only")}
        </label>
        <span className="muted">{t("alerts-count", { shown: shown.length, open: alerts.openCount() })}</span>
      </div>
      <ol className="alerts-inbox" data-testid="alerts-inbox" aria-live="polite" aria-relevant="additions">
        {shown.slice(0, limit).map((a) => (
          <AlertRow key={a.seq} alert={a} fmt={fmt} verdict={a.event_id ? verdicts[a.event_id] : undefined} onVerdict={onVerdict} />
        ))}
      </ol>
      {shown.length === 0 && <p className="empty">{t(list.length === 0 ? "alerts-empty" : "alerts-no-match")}</p>}
      {shown.length > limit && (
        <button type="button" onClick={() => setLimit((l) => l + PAGE)}>
          {t("action-show-more")}
        </button>
      )}
    </section>
  );
}

/** The numbers of an alert's payload that a dispatcher reads first. */
function summary(alert: AlertDto, fmt: Format, t: Translate, tc: TranslateCode): string {
  const p = alert.payload;
  const parts: string[] = [];
  const num = (key: string) => (typeof p[key] === "number" ? (p[key] as number) : null);
  const volume = num("volume_l");
  if (volume !== null) parts.push(fmt.volume(volume));
  const confidence = num("confidence");
  if (confidence !== null) parts.push(t("alert-confidence", { value: fmt.share(confidence) }));
  const level = num("fuel_l") ?? num("level_l");
  if (level !== null) parts.push(t("alert-level", { value: fmt.volume(level) }));
  const pct = num("fuel_pct");
  if (pct !== null) parts.push(fmt.pct(pct));
  const lastSeen = num("last_seen_ms");
  if (lastSeen !== null) parts.push(t("alert-last-seen", { time: fmt.when(lastSeen) }));
  const minutes = num("minutes");
  if (minutes !== null) parts.push(t("minutes", { value: fmt.num(minutes, 0) }));
  if (typeof p.status === "string") parts.push(tc("status", p.status));
  return parts.join(" · ");
}

const AlertRow = memo(function AlertRow({
  alert,
  fmt,
  verdict,
  onVerdict,
}: {
  alert: AlertDto;
  fmt: Format;
  verdict: string | undefined;
  onVerdict: (updated: StoredEventDto) => void;
}) {
  const { t, tc } = useI18n();
  const { alerts, fleet, navigate } = useApp();
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const ack = () => {
    setBusy(true);
    setError(null);
    commands.ackAlert(alert.seq, OPERATOR).then(
      () => {
        setBusy(false);
        alerts.markAcked(alert.seq, OPERATOR, new Date().toISOString());
        fleet.adjustAlerts(alert.truck_id, -1);
      },
      (e: unknown) => {
        setBusy(false);
        setError(toIpcError(e));
      },
    );
  };
  const theft = alert.kind === "drain" || alert.kind === "fill";
  return (
    <li className={`alert-row kind-${alert.kind}${alert.acked_at ? " acked" : ""}`} data-testid={`alert-row-${alert.seq}`}>
      <div className="alert-main">
        <strong className={`kind kind-${alert.kind}`}>{tc("kind", alert.kind)}</strong>
        <button
          type="button"
          className="link"
          data-testid={`alert-open-${alert.seq}`}
          onClick={() => navigate({ page: "truck", truckId: alert.truck_id, from: "alerts" })}
        >
          {fleet.get(alert.truck_id)?.name ?? alert.truck_id}
        </button>
        <time dateTime={alert.at}>{fmt.dateTime(alert.at)}</time>
        <span className="muted">{summary(alert, fmt, t, tc)}</span>
      </div>
      <div className="alert-actions">
        {alert.acked_at ? (
          <span className="muted" data-testid={`alert-acked-${alert.seq}`}>
            {t("alert-acked", { by: alert.acked_by ?? "", time: fmt.time(alert.acked_at) })}
          </span>
        ) : (
          <button type="button" data-testid={`alert-ack-${alert.seq}`} disabled={busy} onClick={ack}>
            {t("alert-ack")}
          </button>
        )}
        {theft && alert.event_id && (
          <VerdictButtons
            eventId={alert.event_id}
            kind={alert.kind}
            onVerdict={onVerdict}
            testPrefix="alert-verdict"
            testSuffix={`-${alert.seq}`}
          />
        )}
        {verdict && <span className="verdict-note">{tc("verdict", verdict)}</span>}
      </div>
      {error && <ErrorNotice error={error} action={t("action-ack")} />}
    </li>
  );
});
