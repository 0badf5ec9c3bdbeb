// An offline map of truck positions: an equirectangular projection (scaled by
// cos(latitude) so distances look right at fleet scale), fitted to the trucks,
// with a graticule. No tiles, so it works without a network (decision 22).
// Dots are one SVG path per status (not one element per truck), so a frame
// that moves 1000 trucks rebuilds a few strings instead of reconciling 1000
// nodes; clicks and hovers find the nearest truck. From the keyboard the map
// is one tab stop: the arrow keys step through the trucks in the table's
// order (so every truck is reachable, even several at one depot), the picked
// truck gets a focus ring and the hover's label (also announced), Enter opens it.
import { useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { useI18n } from "../i18n/I18nProvider";
import type { FleetRow, TruckState } from "../types";

const W = 640;
const H = 400;
const PAD = 24;
const DOT_R = 4;
/** How close (in map units) a click must be to a dot to open its truck. */
const HIT_R = 10;

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

export interface Placed {
  row: FleetRow;
  x: number;
  y: number;
}

/** The truck whose dot is nearest to (x, y), within `radius` map units. */
export function nearest(points: readonly Placed[], x: number, y: number, radius = HIT_R): Placed | null {
  let best: Placed | null = null;
  let bestD = radius * radius;
  for (const p of points) {
    const d = (p.x - x) ** 2 + (p.y - y) ** 2;
    if (d <= bestD) {
      best = p;
      bestD = d;
    }
  }
  return best;
}

const LAYERS: readonly (TruckState | "alert")[] = ["unknown", "offline", "parked", "working", "idle", "driving", "alert"];

interface Props {
  rows: readonly FleetRow[];
  onOpen: (truckId: string) => void;
}

type T = ReturnType<typeof useI18n>["t"];
const dotArgs = (t: T, p: Placed) => ({ name: p.row.name, state: t(`state-${p.row.state}`) });

function Marker({ p, label, className }: { p: Placed; label: string; className: string }) {
  return (
    <g className={className} pointerEvents="none">
      <circle cx={p.x} cy={p.y} r={DOT_R + 4} />
      <text x={Math.min(p.x + 10, W - 160)} y={Math.max(p.y - 8, 14)}>
        {label}
      </text>
    </g>
  );
}

export function FleetMap({ rows, onOpen }: Props) {
  const { t, locale } = useI18n();
  const svgRef = useRef<SVGSVGElement>(null);
  const [hover, setHover] = useState<Placed | null>(null);
  /** The truck picked from the keyboard (by id: its dot moves with live updates). */
  const [picked, setPicked] = useState<string | null>(null);
  const [focused, setFocused] = useState(false);
  // Bounds stay put while every truck is inside them; refitting moves every dot.
  const boundsRef = useRef<{ b: Bounds; count: number } | null>(null);
  const positioned = useMemo(() => rows.filter((r) => r.lat !== null && r.lon !== null), [rows]);
  let current = boundsRef.current;
  if (!current || current.count !== positioned.length || !contains(current.b, positioned)) {
    const b = boundsOf(positioned);
    current = b ? { b, count: positioned.length } : null;
    boundsRef.current = current;
  }
  const bounds = current?.b ?? null;
  const proj = useMemo(() => (bounds ? project(bounds) : null), [bounds]);
  const deg = useMemo(() => new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }), [locale]);

  const { placed, paths } = useMemo(() => {
    const placed: Placed[] = [];
    const paths = new Map<string, string>();
    if (!proj) return { placed, paths };
    for (const row of positioned) {
      const x = proj.x(row.lon ?? 0);
      const y = proj.y(row.lat ?? 0);
      placed.push({ row, x, y });
      const layer = row.open_alerts > 0 ? "alert" : row.state;
      const r = layer === "alert" ? DOT_R + 2 : DOT_R;
      // A full circle as two arcs.
      const d = `M${(x - r).toFixed(1)} ${y.toFixed(1)}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;
      paths.set(layer, (paths.get(layer) ?? "") + d);
    }
    return { placed, paths };
  }, [positioned, proj]);

  /** Map units under the pointer (the SVG scales with its box). */
  const toMap = (event: MouseEvent<SVGSVGElement>): { x: number; y: number } | null => {
    const rect = svgRef.current?.getBoundingClientRect();
    if (!rect || rect.width === 0 || rect.height === 0) return null;
    const scale = Math.min(rect.width / W, rect.height / H);
    const offX = (rect.width - W * scale) / 2;
    const offY = (rect.height - H * scale) / 2;
    return { x: (event.clientX - rect.left - offX) / scale, y: (event.clientY - rect.top - offY) / scale };
  };
  const hit = (event: MouseEvent<SVGSVGElement>) => {
    const at = toMap(event);
    return at ? nearest(placed, at.x, at.y) : null;
  };

  const pickedIndex = picked === null ? -1 : placed.findIndex((p) => p.row.truck_id === picked);
  const pickedDot = pickedIndex >= 0 ? placed[pickedIndex]! : null;
  const onKey = (event: KeyboardEvent<SVGSVGElement>) => {
    if (placed.length === 0) return;
    const step = (to: number) => {
      event.preventDefault();
      setPicked(placed[Math.max(0, Math.min(placed.length - 1, to))]!.row.truck_id);
    };
    switch (event.key) {
      case "ArrowRight":
      case "ArrowDown":
        return step(pickedIndex < 0 ? 0 : pickedIndex + 1);
      case "ArrowLeft":
      case "ArrowUp":
        return step(pickedIndex < 0 ? 0 : pickedIndex - 1);
      case "Home":
        return step(0);
      case "End":
        return step(placed.length - 1);
      case "Enter":
      case " ":
        if (pickedDot) {
          event.preventDefault();
          onOpen(pickedDot.row.truck_id);
        }
        return;
      case "Escape":
        if (pickedDot) {
          event.preventDefault();
          setPicked(null);
        }
        return;
    }
  };

  return (
    <figure className="fleet-map" data-testid="fleet-map">
      <svg
        ref={svgRef}
        viewBox={`0 0 ${W} ${H}`}
        role="application"
        aria-roledescription={t("map-role")}
        aria-label={t("map-label", { count: positioned.length })}
        tabIndex={placed.length > 0 ? 0 : -1}
        data-testid="fleet-map-canvas"
        preserveAspectRatio="xMidYMid meet"
        className={hover ? "pointing" : undefined}
        onKeyDown={onKey}
        onFocus={() => {
          setFocused(true);
          // The first truck is picked on arrival, so the keyboard user sees where they are.
          if (!pickedDot && placed.length > 0) setPicked(placed[0]!.row.truck_id);
        }}
        onBlur={() => setFocused(false)}
        onClick={(e) => {
          const p = hit(e);
          if (p) onOpen(p.row.truck_id);
        }}
        onMouseMove={(e) => {
          const p = hit(e);
          setHover((h) => (h?.row.truck_id === p?.row.truck_id && h?.x === p?.x ? h : p));
        }}
        onMouseLeave={() => setHover(null)}
      >
        <rect className="map-bg" x={0} y={0} width={W} height={H} />
        {bounds && proj && (
          <g className="graticule">
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
        {LAYERS.map((layer) => {
          const d = paths.get(layer);
          return d ? <path key={layer} className={`dots dots-${layer}`} data-testid={`map-dots-${layer}`} d={d} /> : null;
        })}
        {hover && hover.row.truck_id !== (focused ? pickedDot?.row.truck_id : undefined) && (
          <Marker p={hover} label={t("map-open", dotArgs(t, hover))} className="map-hover" />
        )}
        {focused && pickedDot && (
          <Marker p={pickedDot} label={t("map-dot", dotArgs(t, pickedDot))} className="map-hover map-focus" />
        )}
      </svg>
      <p className="visually-hidden" aria-live="polite" data-testid="map-picked">
        {focused && pickedDot ? t("map-picked", { ...dotArgs(t, pickedDot), n: pickedIndex + 1, count: placed.length }) : ""}
      </p>
      {!bounds && <figcaption className="empty">{t("map-empty")}</figcaption>}
    </figure>
  );
}
