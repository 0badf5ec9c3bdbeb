import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import { useApp } from "../app/context";
import { ErrorNotice } from "../components/ErrorNotice";
import { useI18n } from "../i18n/I18nProvider";
import { LOCALES, isLocale } from "../i18n/locales";
import { commands, toIpcError } from "../ipc";
import { fromDistance, toDistance, toVolume } from "../lib/format";
import { useAsync } from "../lib/useAsync";
import { DISTANCE_UNITS, THEMES, VOLUME_UNITS, isThemeChoice, rememberPreferences, type DistanceUnit, type VolumeUnit } from "../prefs";
import type { DataSourceDto, FleetSettings, IpcError, SettingsView } from "../types";

export type FleetField =
  | "currency"
  | "fuel_price_per_l"
  | "alert_threshold"
  | "time_zone"
  | "idle_min_s"
  | "speed_limit_kmh"
  | "retention_days";

/** The form's text, in the user's units (price per L or gal, speed in km/h or mph). */
interface FleetForm {
  currency: string;
  price: string;
  threshold: string;
  zone: string;
  idle: string;
  speed: string;
  retention: string;
}

function toForm(s: FleetSettings, vol: VolumeUnit, dist: DistanceUnit): FleetForm {
  const round = (v: number, d: number) => String(Number(v.toFixed(d)));
  return {
    currency: s.currency,
    // Price per unit of volume: per litre, or per gallon (litres per gallon times the litre price).
    price: round(s.fuel_price_per_l / toVolume(1, vol), 3),
    threshold: String(s.alert_threshold),
    zone: s.time_zone,
    idle: String(s.idle_min_s),
    speed: round(toDistance(s.speed_limit_kmh, dist), 1),
    retention: String(s.retention_days),
  };
}

/** Checks the form as the core does, so most mistakes are named before a round trip. */
export function validateFleet(
  form: FleetForm,
  base: FleetSettings,
  vol: VolumeUnit,
  dist: DistanceUnit,
): { settings: FleetSettings | null; errors: Partial<Record<FleetField, string>> } {
  const errors: Partial<Record<FleetField, string>> = {};
  const num = (text: string) => (text.trim() === "" ? Number.NaN : Number(text.replace(",", ".")));
  const currency = form.currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) errors.currency = "settings-invalid-currency";
  const price = num(form.price);
  if (!Number.isFinite(price) || price < 0) errors.fuel_price_per_l = "settings-invalid-price";
  const threshold = num(form.threshold);
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) errors.alert_threshold = "settings-invalid-threshold";
  const zone = form.zone.trim();
  if (zone === "") errors.time_zone = "settings-invalid-zone";
  const idle = num(form.idle);
  if (!Number.isInteger(idle) || idle < 0) errors.idle_min_s = "settings-invalid-idle";
  const speedKmh = fromDistance(num(form.speed), dist);
  if (!Number.isFinite(speedKmh) || speedKmh < 10 - 1e-6 || speedKmh > 200 + 1e-6) errors.speed_limit_kmh = "settings-invalid-speed";
  const retention = num(form.retention);
  if (!Number.isInteger(retention) || retention < 1) errors.retention_days = "settings-invalid-retention";
  if (Object.keys(errors).length > 0) return { settings: null, errors };
  return {
    settings: {
      ...base,
      currency,
      fuel_price_per_l: price * toVolume(1, vol),
      alert_threshold: threshold,
      time_zone: zone,
      idle_min_s: idle,
      speed_limit_kmh: Math.min(200, Math.max(10, speedKmh)),
      retention_days: retention,
    },
    errors,
  };
}

const FIELD_MESSAGES: Record<FleetField, string> = {
  currency: "settings-invalid-currency",
  fuel_price_per_l: "settings-invalid-price",
  alert_threshold: "settings-invalid-threshold",
  time_zone: "settings-invalid-zone",
  idle_min_s: "settings-invalid-idle",
  speed_limit_kmh: "settings-invalid-speed",
  retention_days: "settings-invalid-retention",
};

/** The field a core `invalid_input` message names (`"currency: must be ..."`). */
export function fieldOf(error: IpcError): FleetField | null {
  if (error.code !== "invalid_input") return null;
  const head = error.message.split(":")[0]?.trim();
  const fields: FleetField[] = ["currency", "fuel_price_per_l", "alert_threshold", "time_zone", "idle_min_s", "speed_limit_kmh", "retention_days"];
  return fields.find((f) => f === head) ?? null;
}

export function SettingsPage() {
  const { t } = useI18n();
  const view = useAsync(() => commands.getSettings(), []);
  const [current, setCurrent] = useState<SettingsView | null>(null);
  useEffect(() => {
    if (view.data) {
      setCurrent(view.data);
      rememberPreferences(view.data.preferences);
    }
  }, [view.data]);
  return (
    <section className="settings-page" aria-labelledby="settings-title">
      <h2 id="settings-title">{t("settings-title")}</h2>
      <DisplaySettings />
      {view.status === "error" && <ErrorNotice error={view.error} action={t("action-settings")} onRetry={view.reload} />}
      {current && <FleetSettingsForm view={current} onSaved={(fleet) => setCurrent({ ...current, fleet })} />}
      {current && <DataSourceForm view={current} onChanged={setCurrent} />}
      <SystemStatusView />
    </section>
  );
}

function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string | undefined; hint?: string; children: ReactNode }) {
  return (
    <div className={`field${error ? " invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function DisplaySettings() {
  const { t } = useI18n();
  const { prefs, setPrefs } = useApp();
  const ids = { lang: useId(), theme: useId(), vol: useId(), dist: useId() };
  return (
    <fieldset className="card">
      <legend>{t("settings-display")}</legend>
      <Field id={ids.lang} label={t("language-label")}>
        <select
          id={ids.lang}
          data-testid="settings-language"
          value={prefs.language ?? ""}
          onChange={(e) => {
            const v = e.target.value;
            setPrefs(isLocale(v) ? { language: v } : { language: undefined });
          }}
        >
          <option value="">{t("language-system")}</option>
          {LOCALES.map((l) => (
            <option key={l} value={l} lang={l}>
              {t(`language-${l}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field id={ids.theme} label={t("theme-label")}>
        <select
          id={ids.theme}
          data-testid="settings-theme"
          value={prefs.theme}
          onChange={(e) => isThemeChoice(e.target.value) && setPrefs({ theme: e.target.value })}
        >
          {THEMES.map((c) => (
            <option key={c} value={c}>
              {t(`theme-${c}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field id={ids.vol} label={t("settings-volume-unit")}>
        <select
          id={ids.vol}
          data-testid="settings-volume-unit"
          value={prefs.volume}
          onChange={(e) => {
            const v = VOLUME_UNITS.find((u) => u === e.target.value);
            if (v) setPrefs({ volume: v });
          }}
        >
          {VOLUME_UNITS.map((u) => (
            <option key={u} value={u}>
              {t(`volume-unit-${u}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field id={ids.dist} label={t("settings-distance-unit")}>
        <select
          id={ids.dist}
          data-testid="settings-distance-unit"
          value={prefs.distance}
          onChange={(e) => {
            const v = DISTANCE_UNITS.find((u) => u === e.target.value);
            if (v) setPrefs({ distance: v });
          }}
        >
          {DISTANCE_UNITS.map((u) => (
            <option key={u} value={u}>
              {t(`distance-unit-${u}`)}
            </option>
          ))}
        </select>
      </Field>
    </fieldset>
  );
}

function FleetSettingsForm({ view, onSaved }: { view: SettingsView; onSaved: (fleet: FleetSettings) => void }) {
  const { t } = useI18n();
  const { prefs } = useApp();
  const [form, setForm] = useState<FleetForm>(() => toForm(view.fleet, prefs.volume, prefs.distance));
  const [errors, setErrors] = useState<Partial<Record<FleetField, string>>>({});
  const [serverError, setServerError] = useState<{ field: FleetField | null; error: IpcError } | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  // The form shows the user's units; switching units re-renders the stored values in the new ones.
  useEffect(() => setForm(toForm(view.fleet, prefs.volume, prefs.distance)), [view.fleet, prefs.volume, prefs.distance]);
  const ids = { cur: useId(), price: useId(), thr: useId(), zone: useId(), idle: useId(), speed: useId(), ret: useId() };
  const set = (k: keyof FleetForm) => (e: { target: { value: string } }) => {
    setSaved(false);
    setForm((f) => ({ ...f, [k]: e.target.value }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    setServerError(null);
    const checked = validateFleet(form, view.fleet, prefs.volume, prefs.distance);
    setErrors(checked.errors);
    if (!checked.settings) return;
    setBusy(true);
    try {
      const stored = await commands.saveFleetSettings(checked.settings);
      onSaved(stored);
      setSaved(true);
    } catch (e) {
      const error = toIpcError(e);
      setServerError({ field: fieldOf(error), error });
    } finally {
      setBusy(false);
    }
  };

  const err = (f: FleetField): string | undefined => {
    if (errors[f]) return t(errors[f]);
    if (serverError?.field === f) return `${t(FIELD_MESSAGES[f])} ${serverError.error.message}`;
    return undefined;
  };
  const described = (id: string, f: FleetField) => (err(f) ? { "aria-invalid": true, "aria-describedby": `${id}-error` } : {});

  return (
    <form className="card form" onSubmit={submit} noValidate data-testid="fleet-settings">
      <fieldset>
        <legend>{t("settings-fleet")}</legend>
        <Field id={ids.cur} label={t("settings-currency")} error={err("currency")}>
          <input id={ids.cur} data-testid="settings-currency" value={form.currency} maxLength={3} onChange={set("currency")} {...described(ids.cur, "currency")} />
        </Field>
        <Field
          id={ids.price}
          label={t(prefs.volume === "gal" ? "settings-fuel-price-gal" : "settings-fuel-price-l", { currency: form.currency })}
          error={err("fuel_price_per_l")}
        >
          <input id={ids.price} data-testid="settings-fuel-price" inputMode="decimal" value={form.price} onChange={set("price")} {...described(ids.price, "fuel_price_per_l")} />
        </Field>
        <Field id={ids.thr} label={t("settings-threshold")} hint={t("settings-threshold-hint")} error={err("alert_threshold")}>
          <input id={ids.thr} data-testid="settings-threshold" inputMode="decimal" value={form.threshold} onChange={set("threshold")} {...described(ids.thr, "alert_threshold")} />
        </Field>
        <Field id={ids.zone} label={t("settings-zone")} hint={t("settings-zone-hint")} error={err("time_zone")}>
          <input id={ids.zone} data-testid="settings-zone" value={form.zone} onChange={set("zone")} {...described(ids.zone, "time_zone")} />
        </Field>
        <Field id={ids.idle} label={t("settings-idle")} error={err("idle_min_s")}>
          <input id={ids.idle} data-testid="settings-idle" inputMode="numeric" value={form.idle} onChange={set("idle")} {...described(ids.idle, "idle_min_s")} />
        </Field>
        <Field id={ids.speed} label={t(prefs.distance === "mi" ? "settings-speed-mph" : "settings-speed-kmh")} error={err("speed_limit_kmh")}>
          <input id={ids.speed} data-testid="settings-speed" inputMode="decimal" value={form.speed} onChange={set("speed")} {...described(ids.speed, "speed_limit_kmh")} />
        </Field>
        <Field id={ids.ret} label={t("settings-retention")} error={err("retention_days")}>
          <input id={ids.ret} data-testid="settings-retention" inputMode="numeric" value={form.retention} onChange={set("retention")} {...described(ids.ret, "retention_days")} />
        </Field>
      </fieldset>
      {serverError && serverError.field === null && <ErrorNotice error={serverError.error} action={t("action-save-settings")} />}
      <div className="actions">
        <button type="submit" className="primary" data-testid="settings-save" disabled={busy}>
          {t("action-save")}
        </button>
        {saved && (
          <span role="status" data-testid="settings-saved">
            {t("settings-saved")}
          </span>
        )}
      </div>
    </form>
  );
}

function DataSourceForm({ view, onChanged }: { view: SettingsView; onChanged: (view: SettingsView) => void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<DataSourceDto["kind"]>(view.data_source.kind);
  const [url, setUrl] = useState(view.data_source.url ?? "");
  const [trucks, setTrucks] = useState(String(view.data_source.trucks ?? 50));
  const [token, setToken] = useState("");
  const [error, setError] = useState<IpcError | null>(null);
  const [urlError, setUrlError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const ids = { kind: useId(), url: useId(), token: useId(), trucks: useId() };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(false);
    setUrlError(null);
    let source: DataSourceDto;
    if (kind === "feed") {
      if (!/^wss?:\/\/\S+$/.test(url.trim())) {
        setUrlError(t("settings-invalid-url"));
        return;
      }
      source = { kind, url: url.trim(), trucks: null };
    } else {
      const n = Number(trucks);
      source = { kind, url: null, trucks: Number.isInteger(n) && n > 0 ? n : null };
    }
    setBusy(true);
    try {
      const next = await commands.setDataSource(source, token === "" ? undefined : token);
      rememberPreferences(next.preferences);
      setToken("");
      setDone(true);
      onChanged(next);
    } catch (e) {
      setError(toIpcError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card form" onSubmit={submit} noValidate>
      <fieldset>
        <legend>{t("settings-source")}</legend>
        <p className="muted">{t("settings-database", { database: view.database })}</p>
        <Field id={ids.kind} label={t("settings-source-kind")}>
          <select id={ids.kind} data-testid="settings-data-source" value={kind} onChange={(e) => setKind(e.target.value === "feed" ? "feed" : "demo")}>
            <option value="demo">{t("source-kind-demo")}</option>
            <option value="feed">{t("source-kind-feed")}</option>
          </select>
        </Field>
        {kind === "demo" ? (
          <Field id={ids.trucks} label={t("settings-demo-trucks")}>
            <input id={ids.trucks} data-testid="settings-demo-trucks" inputMode="numeric" value={trucks} onChange={(e) => setTrucks(e.target.value)} />
          </Field>
        ) : (
          <>
            <Field id={ids.url} label={t("settings-feed-url")} error={urlError ?? undefined} hint={t("settings-feed-url-hint")}>
              <input id={ids.url} data-testid="settings-feed-url" value={url} onChange={(e) => setUrl(e.target.value)} />
            </Field>
            <Field
              id={ids.token}
              label={t("settings-token")}
              hint={t(view.token_set ? "settings-token-set" : "settings-token-unset")}
            >
              <input id={ids.token} data-testid="settings-token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
            </Field>
          </>
        )}
        <p className="muted" data-testid="secret-store">
          {view.secret_store && t(view.secret_store === "keychain" ? "secret-keychain" : "secret-file")}
          {view.secret_note && <span> {view.secret_note}</span>}
        </p>
      </fieldset>
      {error && <ErrorNotice error={error} action={t("action-data-source")} />}
      <div className="actions">
        <button type="submit" data-testid="data-source-apply" disabled={busy}>
          {t("action-apply-source")}
        </button>
        {done && <span role="status">{t("settings-source-applied")}</span>}
      </div>
    </form>
  );
}

const STATUS_REFRESH_MS = 5000;

function SystemStatusView() {
  const { t } = useI18n();
  const { fmt } = useApp();
  const status = useAsync(() => commands.systemStatus(), []);
  const { reload } = status;
  useEffect(() => {
    const timer = setInterval(reload, STATUS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const s = status.data;
  return (
    <section className="card" aria-labelledby="status-title">
      <h3 id="status-title">{t("status-title")}</h3>
      {status.status === "error" && <ErrorNotice error={status.error} action={t("action-status")} onRetry={reload} />}
      {s && (
        <>
          <dl className="facts">
            <dt>{t("status-backend")}</dt>
            <dd>{s.backend}</dd>
            <dt>{t("status-database")}</dt>
            <dd>{s.database}</dd>
            <dt>{t("status-source")}</dt>
            <dd>{t(`source-kind-${s.data_source.kind}`)}{s.data_source.url ? ` · ${s.data_source.url}` : ""}</dd>
            <dt>{t("status-live")}</dt>
            <dd data-testid="live-health">
              {s.live
                ? t("status-live-on", {
                    trucks: s.live.trucks,
                    rate: fmt.num(s.live.points_per_s, 0),
                    p99: fmt.num(s.live.latency.p99_ms, 0),
                  })
                : t("status-live-off")}
            </dd>
            {s.live && s.data_source.kind === "feed" && (
              <>
                <dt>{t("status-feed")}</dt>
                <dd>
                  {t(s.live.feed.connected ? "status-feed-connected" : "status-feed-disconnected")}
                  {s.live.feed.refusal && ` · ${s.live.feed.refusal}`}{" "}
                  <span className="muted">
                    {t("status-feed-counts", {
                      connects: s.live.feed.connects,
                      failed: s.live.feed.failed_attempts,
                      gaps: s.live.feed.gaps,
                    })}
                  </span>
                </dd>
              </>
            )}
          </dl>
          {/* A shell without a cache in front of the store sends none. */}
          {s.cache && (
          <dl className="facts" data-testid="cache-stats">
            <dt>{t("cache-entries")}</dt>
            <dd>{fmt.int(s.cache.entries)}</dd>
            <dt>{t("cache-hits")}</dt>
            <dd>{fmt.int(s.cache.hits)}</dd>
            <dt>{t("cache-misses")}</dt>
            <dd>{fmt.int(s.cache.misses)}</dd>
            <dt>{t("cache-hit-ratio")}</dt>
            <dd data-testid="cache-hit-ratio">{fmt.share(s.cache.hit_ratio, 1)}</dd>
          </dl>
          )}
        </>
      )}
    </section>
  );
}
