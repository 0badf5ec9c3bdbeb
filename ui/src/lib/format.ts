// Units and number/date formats for display. Values inside the app are
// canonical (litres, km, km/h, UTC ms); conversion happens here, once, with
// the user's units and Intl formats of the UI language.
import type { Locale, Translate } from "../i18n/locales";
import type { DistanceUnit, VolumeUnit } from "../prefs";

export const LITRES_PER_US_GALLON = 3.785411784;
export const KM_PER_MILE = 1.609344;
/** mpg (US) = this / (L/100 km). */
const MPG_L100 = 100 * LITRES_PER_US_GALLON / KM_PER_MILE;

export function toVolume(litres: number, unit: VolumeUnit): number {
  return unit === "gal" ? litres / LITRES_PER_US_GALLON : litres;
}
export function fromVolume(value: number, unit: VolumeUnit): number {
  return unit === "gal" ? value * LITRES_PER_US_GALLON : value;
}
export function toDistance(km: number, unit: DistanceUnit): number {
  return unit === "mi" ? km / KM_PER_MILE : km;
}
export function fromDistance(value: number, unit: DistanceUnit): number {
  return unit === "mi" ? value * KM_PER_MILE : value;
}
/** Consumption: L/100 km stays; in miles it becomes mpg (US), the figure American fleets use. */
export function toConsumption(lPer100km: number, unit: DistanceUnit): number {
  return unit === "mi" ? (lPer100km > 0 ? MPG_L100 / lPer100km : Number.NaN) : lPer100km;
}

export interface Format {
  locale: Locale;
  volumeUnit: VolumeUnit;
  distanceUnit: DistanceUnit;
  num: (value: number | null | undefined, digits?: number) => string;
  int: (value: number | null | undefined) => string;
  /** A percentage given as 0..100. */
  pct: (value: number | null | undefined, digits?: number) => string;
  /** A share given as 0..1. */
  share: (value: number | null | undefined, digits?: number) => string;
  volume: (litres: number | null | undefined, digits?: number) => string;
  distance: (km: number | null | undefined, digits?: number) => string;
  speed: (kmh: number | null | undefined) => string;
  consumption: (lPer100km: number | null | undefined) => string;
  money: (value: number | null | undefined, currency: string) => string;
  /** Money per litre in the user's volume unit. */
  pricePerVolume: (perLitre: number, currency: string) => string;
  dateTime: (ms: number | string | null | undefined) => string;
  time: (ms: number | string | null | undefined) => string;
  /** The time alone today, else date and time (the view does not re-render to age it). */
  when: (ms: number | null | undefined) => string;
  /** Hours and minutes, for chart axes. */
  clock: (ms: number) => string;
  /** Day and hours:minutes, for chart axes over several days. */
  dayClock: (ms: number) => string;
  volumeLabel: string;
  distanceLabel: string;
  speedLabel: string;
  consumptionLabel: string;
}

const DASH = "–";

function toMs(value: number | string): number {
  return typeof value === "number" ? value : Date.parse(value);
}

export function makeFormat(locale: Locale, volumeUnit: VolumeUnit, distanceUnit: DistanceUnit, t: Translate): Format {
  const numberFormats = new Map<number, Intl.NumberFormat>();
  const nf = (digits: number) => {
    let f = numberFormats.get(digits);
    if (!f) {
      f = new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits });
      numberFormats.set(digits, f);
    }
    return f;
  };
  const pctFormat = (digits: number) =>
    new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: digits, minimumFractionDigits: digits });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "medium" });
  const timeFormat = new Intl.DateTimeFormat(locale, { timeStyle: "medium" });
  const clockFormat = new Intl.DateTimeFormat(locale, { timeStyle: "short" });
  const dayClockFormat = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", hour: "numeric", minute: "2-digit" });
  const ok = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v);
  const num = (v: number | null | undefined, digits = 1) => (ok(v) ? nf(digits).format(v) : DASH);

  const volumeId = volumeUnit === "gal" ? "unit-gal" : "unit-l";
  const distanceId = distanceUnit === "mi" ? "unit-mi" : "unit-km";
  const speedId = distanceUnit === "mi" ? "unit-mph" : "unit-kmh";
  const consumptionId = distanceUnit === "mi" ? "unit-mpg" : "unit-l100km";

  const date = (v: number | string | null | undefined, f: Intl.DateTimeFormat) => {
    if (v === null || v === undefined) return DASH;
    const ms = toMs(v);
    return Number.isFinite(ms) ? f.format(new Date(ms)) : DASH;
  };

  return {
    locale,
    volumeUnit,
    distanceUnit,
    num,
    int: (v) => num(v, 0),
    pct: (v, digits = 0) => (ok(v) ? pctFormat(digits).format(v / 100) : DASH),
    share: (v, digits = 0) => (ok(v) ? pctFormat(digits).format(v) : DASH),
    volume: (l, digits = 1) => (ok(l) ? t(volumeId, { value: num(toVolume(l, volumeUnit), digits) }) : DASH),
    distance: (km, digits = 1) => (ok(km) ? t(distanceId, { value: num(toDistance(km, distanceUnit), digits) }) : DASH),
    speed: (kmh) => (ok(kmh) ? t(speedId, { value: num(toDistance(kmh, distanceUnit), 0) }) : DASH),
    consumption: (l100) => {
      if (!ok(l100)) return DASH;
      const v = toConsumption(l100, distanceUnit);
      return ok(v) ? t(consumptionId, { value: num(v, 1) }) : DASH;
    },
    money: (v, currency) => {
      if (!ok(v)) return DASH;
      try {
        return new Intl.NumberFormat(locale, { style: "currency", currency }).format(v);
      } catch {
        // An unknown currency code still shows the amount.
        return `${nf(2).format(v)} ${currency}`;
      }
    },
    pricePerVolume: (perLitre, currency) => {
      const perUnit = volumeUnit === "gal" ? perLitre * LITRES_PER_US_GALLON : perLitre;
      let amount: string;
      try {
        amount = new Intl.NumberFormat(locale, { style: "currency", currency, maximumFractionDigits: 3 }).format(perUnit);
      } catch {
        amount = `${nf(3).format(perUnit)} ${currency}`;
      }
      return t(volumeUnit === "gal" ? "unit-per-gal" : "unit-per-l", { value: amount });
    },
    dateTime: (v) => date(v, dateTimeFormat),
    time: (v) => date(v, timeFormat),
    when: (v) => {
      if (!ok(v)) return DASH;
      const d = new Date(v);
      return d.toDateString() === new Date().toDateString() ? timeFormat.format(d) : dateTimeFormat.format(d);
    },
    clock: (v) => date(v, clockFormat),
    dayClock: (v) => date(v, dayClockFormat),
    volumeLabel: t(`${volumeId}-label`),
    distanceLabel: t(`${distanceId}-label`),
    speedLabel: t(`${speedId}-label`),
    consumptionLabel: t(`${consumptionId}-label`),
  };
}
