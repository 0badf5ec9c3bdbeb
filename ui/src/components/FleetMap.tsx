// An offline map of truck positions: an equirectangular projection (scaled by
// cos(latitude) so distances look right at fleet scale), fitted to the trucks,
// with a graticule. No tiles, so it works without a network (decision 22).
import { memo, useMemo, useRef } from "react";
import { useI18n } from "../i18n/I18nProvider";
import type { FleetRow } from "../types";

const W = 640;
const H = 400;
const PAD = 24;

export interface Bounds {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}

export function boundsOf(rows: readonly FleetRow[]): Bounds | null {
  let b: Bounds | null = null;
  for (const r of rows) {
    if (r.lat === null || r.lon === null) continue;
    if (!b) b = { minLat: r.lat, maxLat: r.lat, minLon: r.lon, maxLon: r.lon };
    else {
      b.minLat = Math.min(b.minLat, r.lat);
      b.maxLat = Math.max(b.maxLat, r.lat);
      b.minLon = Math.min(b.minLon, r.lon);
      b.maxLon = Math.max(b.maxLon, r.lon);
    }
  }
  if (!b) return null;
  // A lone truck (or trucks in one spot) still gets a readable frame, about 2 km.
  const minSpan = 0.02;
  if (b.maxLat - b.minLat < minSpan) {
    const c = (b.maxLat + b.minLat) / 2;
    b.minLat = c - minSpan / 2;
    b.maxLat = c + minSpan / 2;
  }
  if (b.maxLon - b.minLon < minSpan) {
    const c = (b.maxLon + b.minLon) / 2;
    b.minLon = c - minSpan / 2;
    b.maxLon = c + minSpan / 2;
  }
  // A margin, so that trucks moving at the edge do not refit the map every frame.
  const mLat = (b.maxLat - b.minLat) * 0.08;
  const mLon = (b.maxLon - b.minLon) * 0.08;
  return { minLat: b.minLat - mLat, maxLat: b.maxLat + mLat, minLon: b.minLon - mLon, maxLon: b.maxLon + mLon };
}

function contains(b: Bounds, rows: readonly FleetRow[]): boolean {
  return rows.every(
    (r) => r.lat === null || r.lon === null || (r.lat >= b.minLat && r.lat <= b.maxLat && r.lon >= b.minLon && r.lon <= b.maxLon),
  );
}

export interface Projection {
  x: (lon: number) => number;
  y: (lat: number) => number;
}

export function project(b: Bounds): Projection {
  const k = Math.cos((((b.minLat + b.maxLat) / 2) * Math.PI) / 180);
  const spanX = (b.maxLon - b.minLon) * k;
  const spanY = b.maxLat - b.minLat;
  const scale = Math.min((W - 2 * PAD) / spanX, (H - 2 * PAD) / spanY);
  const offX = (W - spanX * scale) / 2;
  const offY = (H - spanY * scale) / 2;
  return {
    x: (lon) => offX + (lon - b.minLon) * k * scale,
    y: (lat) => H - offY - (lat - b.minLat) * scale,
  };
}

/** A round step giving about five graticule lines over `span` degrees. */
export function niceStep(span: number): number {
  const raw = span / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const m = raw / pow;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * pow;
}

function ticks(min: number, max: number): number[] {
  const step = niceStep(max - min);
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max; v += step) out.push(Number(v.toFixed(6)));
  return out;
}

interface Props {
  rows: readonly FleetRow[];
  onOpen: (truckId: string) => void;
}

export function FleetMap({ rows, onOpen }: Props) {
  const { t, locale } = useI18n();
  // Bounds stay put while every truck is inside them; refitting moves every dot.
  const boundsRef = useRef<{ b: Bounds; count: number } | null>(null);
  const positioned = rows.filter((r) => r.lat !== null && r.lon !== null);
  let current = boundsRef.current;
  if (!current || current.count !== positioned.length || !contains(current.b, positioned)) {
    const b = boundsOf(positioned);
    current = b ? { b, count: positioned.length } : null;
    boundsRef.current = current;
  }
  const bounds = current?.b ?? null;
  const proj = useMemo(() => (bounds ? project(bounds) : null), [bounds]);
  const deg = useMemo(() => new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }), [locale]);

  return (
    <figure className="fleet-map" data-testid="fleet-map">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="group"
        aria-label={t("map-label", { count: positioned.length })}
        preserveAspectRatio="xMidYMid meet"
      >
        <rect className="map-bg" x={0} y={0} width={W} height={H} />
        {bounds && proj && (
          <g className="graticule" aria-hidden="true">
            {ticks(bounds.minLat, bounds.maxLat).map((lat) => (
              <g key={`lat${lat}`}>
                <line x1={0} x2={W} y1={proj.y(lat)} y2={proj.y(lat)} />
                <text x={4} y={proj.y(lat) - 3}>
                  {deg.format(lat)}°
                </text>
              </g>
            ))}
            {ticks(bounds.minLon, bounds.maxLon).map((lon) => (
              <g key={`lon${lon}`}>
                <line y1={0} y2={H} x1={proj.x(lon)} x2={proj.x(lon)} />
                <text y={H - 4} x={proj.x(lon) + 3}>
                  {deg.format(lon)}°
                </text>
              </g>
            ))}
          </g>
        )}
        {proj && positioned.map((r) => <Dot key={r.truck_id} row={r} proj={proj} onOpen={onOpen} label={t("map-open", { name: r.name, state: t(`state-${r.state}`) })} />)}
      </svg>
      {!bounds && <figcaption className="empty">{t("map-empty")}</figcaption>}
    </figure>
  );
}

const Dot = memo(function Dot({
  row,
  proj,
  onOpen,
  label,
}: {
  row: FleetRow;
  proj: Projection;
  onOpen: (id: string) => void;
  label: string;
}) {
  return (
    <circle
      className={`dot state-${row.state}${row.open_alerts > 0 ? " has-alert" : ""}`}
      data-testid={`map-dot-${row.truck_id}`}
      cx={proj.x(row.lon ?? 0)}
      cy={proj.y(row.lat ?? 0)}
      r={row.open_alerts > 0 ? 6 : 4}
      onClick={() => onOpen(row.truck_id)}
    >
      <title>{label}</title>
    </circle>
  );
});
