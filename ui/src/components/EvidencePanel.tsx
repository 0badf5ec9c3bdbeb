import { useEffect, useRef, useState } from "react";
import { OPERATOR, useApp } from "../app/context";
import { useI18n } from "../i18n/I18nProvider";
import { commands, toIpcError, type Verdict } from "../ipc";
import type { IpcError, StoredEventDto } from "../types";
import { ErrorNotice } from "./ErrorNotice";

interface Props {
  stored: StoredEventDto;
  onClose: () => void;
  onVerdict: (updated: StoredEventDto) => void;
}

/** Why an event fired, with the numbers, and the dispatcher's verdict. Escape closes it. */
export function EvidencePanel({ stored, onClose, onVerdict }: Props) {
  const { t, tc } = useI18n();
  const { fmt } = useApp();
  const { event, verdict } = stored;
  const ev = event.evidence;
  const ref = useRef<HTMLElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  return (
    <aside className="evidence panel" data-testid="event-evidence" ref={ref} aria-labelledby={`ev-${event.id}`}>
      <header className="panel-head">
        <h3 id={`ev-${event.id}`}>
          {t("evidence-title", { kind: tc("kind", event.kind), volume: fmt.volume(event.volume_l) })}
        </h3>
        <button type="button" className="close" onClick={onClose} aria-label={t("action-close")}>
          ×
        </button>
      </header>
      <dl className="facts">
        <dt>{t("ev-volume")}</dt>
        <dd data-testid="ev-volume">{fmt.volume(event.volume_l)}</dd>
        <dt>{t("ev-window")}</dt>
        <dd>
          {fmt.dateTime(ev.window_start)} – {fmt.dateTime(ev.window_end)}
        </dd>
        <dt>{t("ev-levels")}</dt>
        <dd>
          {fmt.volume(ev.level_before_l)} → {fmt.volume(ev.level_after_l)}
        </dd>
        <dt>{t("ev-expected")}</dt>
        <dd>
          {fmt.volume(ev.expected_consumption_l)} <span className="muted">({tc("source", ev.consumption_source)})</span>
        </dd>
        <dt>{t("ev-threshold")}</dt>
        <dd>
          {fmt.volume(ev.threshold_l)} <span className="muted">{t("ev-margin", { margin: fmt.num(ev.margin, 1) })}</span>
        </dd>
        <dt>{t("ev-noise")}</dt>
        <dd>
          {fmt.volume(ev.noise_l, 2)} <span className="muted">{t(ev.noise_measured ? "ev-noise-measured" : "ev-noise-assumed")}</span>
        </dd>
        <dt>{t("ev-unobserved")}</dt>
        <dd>{t("minutes", { value: fmt.num(ev.unobserved_min, 0) })}</dd>
        <dt>{t("ev-moved")}</dt>
        <dd>{t(ev.moved ? "yes" : "no")}</dd>
        <dt>{t("ev-reason")}</dt>
        <dd data-testid="ev-reason">{tc("reason", ev.reason)}</dd>
        <dt>{t("ev-confidence")}</dt>
        <dd data-testid="ev-confidence">
          {fmt.share(event.confidence)}{" "}
          <span className="muted">
            {t("ev-rule-confidence", { value: fmt.share(event.rule_confidence) })}
            {event.ml_score !== undefined && ` · ${t("ev-ml-score", { value: fmt.share(event.ml_score), model: event.model_version ?? "" })}`}
          </span>
        </dd>
        <dt>{t("ev-status")}</dt>
        <dd>{tc("status", event.status)}</dd>
      </dl>
      {event.explanation && event.explanation.length > 0 && (
        <section className="explanation" data-testid="ev-explanation">
          <h4>{t("ev-explanation")}</h4>
          <ul>
            {event.explanation.map((c) => (
              <li key={c.feature}>
                <code>{c.feature}</code> = {c.value === null ? t("ev-unknown") : fmt.num(c.value, 2)}{" "}
                <span className={c.log_odds >= 0 ? "push-up" : "push-down"}>
                  {t(c.log_odds >= 0 ? "ev-push-real" : "ev-push-false", { value: fmt.num(Math.abs(c.log_odds), 2) })}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <VerdictButtons stored={stored} onVerdict={onVerdict} testPrefix="verdict" />
      {verdict && (
        <p className="verdict-note" data-testid="verdict-recorded">
          {tc("verdict-recorded", verdict.verdict, { by: verdict.by, time: fmt.dateTime(verdict.at) })}{" "}
          <ClearVerdict stored={stored} onCleared={onVerdict} />
        </p>
      )}
    </aside>
  );
}

/** Takes a verdict back (`clear_verdict`), e.g. one recorded by mistake. */
function ClearVerdict({ stored, onCleared }: { stored: StoredEventDto; onCleared: (updated: StoredEventDto) => void }) {
  const { t } = useI18n();
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const clear = () => {
    setBusy(true);
    setError(null);
    commands.clearVerdict(stored.event.id).then(
      () => {
        setBusy(false);
        onCleared({ ...stored, verdict: null });
      },
      (e: unknown) => {
        setBusy(false);
        setError(toIpcError(e));
      },
    );
  };
  return (
    <>
      <button type="button" className="link" data-testid="verdict-clear" disabled={busy} onClick={clear}>
        {t("verdict-clear")}
      </button>
      {error && <ErrorNotice error={error} action={t("action-clear-verdict")} />}
    </>
  );
}

/** Confirm-theft / false-alarm buttons; `testPrefix` gives `verdict-confirmed` or `alert-verdict-confirmed-{seq}`. */
export function VerdictButtons({
  stored,
  eventId,
  kind: kindProp,
  onVerdict,
  testPrefix,
  testSuffix = "",
}: {
  stored?: StoredEventDto;
  eventId?: string;
  kind?: string;
  onVerdict: (updated: StoredEventDto) => void;
  testPrefix: string;
  testSuffix?: string;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState<Verdict | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const id = stored?.event.id ?? eventId;
  if (!id) return null;
  const current = stored?.verdict?.verdict;
  const kind = stored?.event.kind ?? kindProp;
  const record = (verdict: Verdict) => {
    setBusy(verdict);
    setError(null);
    commands.recordVerdict(id, verdict, OPERATOR).then(
      (updated) => {
        setBusy(null);
        onVerdict(updated);
      },
      (e: unknown) => {
        setBusy(null);
        setError(toIpcError(e));
      },
    );
  };
  return (
    <div className="verdicts" role="group" aria-label={t("verdict-group")}>
      <button
        type="button"
        className="danger"
        data-testid={`${testPrefix}-confirmed${testSuffix}`}
        aria-pressed={current === "confirmed"}
        disabled={busy !== null}
        onClick={() => record("confirmed")}
      >
        {t(kind === "fill" ? "verdict-confirm-fill" : "verdict-confirm")}
      </button>
      <button
        type="button"
        data-testid={`${testPrefix}-false_alarm${testSuffix}`}
        aria-pressed={current === "false_alarm"}
        disabled={busy !== null}
        onClick={() => record("false_alarm")}
      >
        {t("verdict-false-alarm")}
      </button>
      {error && <ErrorNotice error={error} action={t("action-verdict")} />}
    </div>
  );
}
