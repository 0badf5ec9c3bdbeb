// The fuel chart: raw and filtered levels as two SVG paths (one path each, so
// 2000 points cost two DOM nodes), fills and drains as focusable markers.
import { memo, useMemo, type KeyboardEvent } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { toVolume, type Format } from "../lib/format";
import type { FuelSample, StoredEventDto } from "../types";
import { niceStep } from "./FleetMap";

const W = 900;
const H = 320;
const M = { top: 12, right: 16, bottom: 28, left: 56 };

interface Props {
  series: readonly FuelSample[];
  events: readonly StoredEventDto[];
  fromMs: number;
  toMs: number;
  tankL: number | null;
  fmt: Format;
  selected: string | null;
  onSelect: (eventId: string | null) => void;
}

/** One SVG path for a series; a null value breaks the line instead of bridging the gap. */
export function linePath(
  series: readonly FuelSample[],
  pick: (s: FuelSample) => number | null,
  x: (ms: number) => number,
  y: (v: number) => number,
): string {
  let d = "";
  let pen = false;
  for (const s of series) {
    const v = pick(s);
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${x(s.ts_ms).toFixed(1)} ${y(v).toFixed(1)}`;
    pen = true;
  }
  return d;
}

function timeTicks(from: number, to: number): number[] {
  const span = Math.max(1, to - from);
  const steps = [60e3, 300e3, 900e3, 1800e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3, 2 * 86400e3, 7 * 86400e3];
  const step = steps.find((s) => span / s <= 7) ?? 30 * 86400e3;
  const out: number[] = [];
  for (let v = Math.ceil(from / step) * step; v <= to; v += step) out.push(v);
  return out;
}

export const FuelChart = memo(function FuelChart({ series, events, fromMs, toMs, tankL, fmt, selected, onSelect }: Props) {
  const { t } = useI18n();
  const unit = fmt.volumeUnit;
  const geometry = useMemo(() => {
    let maxL = tankL ?? 0;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const s of series) {
      if (s.raw_l !== null) maxL = Math.max(maxL, s.raw_l);
      if (s.filtered_l !== null) maxL = Math.max(maxL, s.filtered_l);
      first = Math.min(first, s.ts_ms);
      last = Math.max(last, s.ts_ms);
    }
    const x0 = Number.isFinite(first) ? Math.min(fromMs, first) : fromMs;
    const x1 = Number.isFinite(last) ? Math.max(toMs, last) : toMs;
    const yMax = toVolume(Math.max(maxL, 1) * 1.05, unit);
    const x = (ms: number) => M.left + ((ms - x0) / Math.max(1, x1 - x0)) * (W - M.left - M.right);
    const y = (v: number) => H - M.bottom - (v / yMax) * (H - M.top - M.bottom);
    const yl = (litres: number) => y(toVolume(litres, unit));
    const step = niceStep(yMax);
    const yTicks: number[] = [];
    for (let v = 0; v <= yMax; v += step) yTicks.push(v);
    return {
      x,
      y,
      yl,
      yTicks,
      xTicks: timeTicks(x0, x1),
      raw: linePath(series, (s) => (s.raw_l === null ? null : toVolume(s.raw_l, unit)), x, y),
      filtered: linePath(series, (s) => (s.filtered_l === null ? null : toVolume(s.filtered_l, unit)), x, y),
      long: x1 - x0 > 86400e3,
    };
  }, [series, fromMs, toMs, tankL, unit]);

  const onMarkerKey = (event: KeyboardEvent<SVGGElement>, id: string) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onSelect(id);
    } else if (event.key === "Escape") {
      onSelect(null);
    }
  };

  const { x, y, yl } = geometry;
  return (
    <figure className="fuel-chart" data-testid="fuel-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="group" aria-label={t("chart-label", { points: series.length, events: events.length })}>
        <g className="axis" aria-hidden="true">
          {geometry.yTicks.map((v) => (
            <g key={`y${v}`}>
              <line className="grid" x1={M.left} x2={W - M.right} y1={y(v)} y2={y(v)} />
              <text x={M.left - 6} y={y(v) + 4} textAnchor="end">
                {fmt.num(v, 0)}
              </text>
            </g>
          ))}
          <text x={8} y={M.top + 4} className="axis-unit">
            {fmt.volumeLabel}
          </text>
          {geometry.xTicks.map((ms) => (
            <text
              key={`x${ms}`}
              x={x(ms)}
              y={H - 8}
              textAnchor={x(ms) > W - M.right - 40 ? "end" : x(ms) < M.left + 40 ? "start" : "middle"}
            >
              {geometry.long ? fmt.dayClock(ms) : fmt.clock(ms)}
            </text>
          ))}
        </g>
        {events.map(({ event }) => {
          const start = Date.parse(event.evidence.window_start || event.start);
          const end = Date.parse(event.evidence.window_end || event.end);
          if (!Number.isFinite(start) || !Number.isFinite(end)) return null;
          return (
            <rect
              key={`band-${event.id}`}
              className={`event-band kind-${event.kind}${selected === event.id ? " selected" : ""}`}
              x={x(start)}
              width={Math.max(2, x(end) - x(start))}
              y={M.top}
              height={H - M.top - M.bottom}
              aria-hidden="true"
            />
          );
        })}
        <path className="line-raw" d={geometry.raw} data-testid="line-raw" />
        <path className="line-filtered" d={geometry.filtered} data-testid="line-filtered" />
        {events
          .filter(({ event }) => event.kind === "fill" || event.kind === "drain")
          .map(({ event, verdict }) => {
            const ms = Date.parse(event.start);
            const cx = x(Number.isFinite(ms) ? ms : fromMs);
            const cy = yl(event.kind === "fill" ? event.evidence.level_after_l : event.evidence.level_before_l);
            const shape =
              event.kind === "fill"
                ? `M${cx} ${cy - 9} L${cx + 8} ${cy + 6} L${cx - 8} ${cy + 6} Z`
                : `M${cx} ${cy + 9} L${cx + 8} ${cy - 6} L${cx - 8} ${cy - 6} Z`;
            return (
              <g
                key={event.id}
                className={`event-marker kind-${event.kind}${selected === event.id ? " selected" : ""}${verdict ? ` verdict-${verdict.verdict}` : ""}`}
                data-testid={`event-marker-${event.id}`}
                tabIndex={0}
                role="button"
                aria-pressed={selected === event.id}
                aria-label={t("marker-label", {
                  kind: t(event.kind === "fill" ? "kind-fill" : "kind-drain"),
                  volume: fmt.volume(event.volume_l),
                  time: fmt.dateTime(event.start),
                  confidence: fmt.share(event.confidence),
                })}
                onFocus={() => onSelect(event.id)}
                onMouseEnter={() => onSelect(event.id)}
                onClick={() => onSelect(event.id)}
                onKeyDown={(e) => onMarkerKey(e, event.id)}
              >
                <path d={shape} />
              </g>
            );
          })}
      </svg>
      <figcaption className="chart-legend">
        <span className="legend-raw">{t("chart-raw")}</span>
        <span className="legend-filtered">{t("chart-filtered")}</span>
        <span className="legend-fill">{t("kind-fill")}</span>
        <span className="legend-drain">{t("kind-drain")}</span>
      </figcaption>
    </figure>
  );
});
