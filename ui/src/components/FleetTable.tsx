// The live fleet table: virtualised (only the rows in view plus a margin are
// in the DOM) with memoised rows, so a frame of updates re-renders only the
// trucks that changed and are on screen.
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import { useI18n } from "../i18n/I18nProvider";
import type { Translate } from "../i18n/locales";
import type { Format } from "../lib/format";
import { markFirstRow } from "../perf";
import type { FleetRow } from "../types";

export const ROW_HEIGHT = 36;
const OVERSCAN = 8;
/** Used until the container has been measured (and under jsdom, which has no layout). */
const FALLBACK_VIEWPORT = 640;

export type SortKey = "truck" | "driver" | "state" | "fuel" | "speed" | "last_seen" | "alerts";
export interface Sort {
  key: SortKey;
  desc: boolean;
}

const COLUMNS: readonly { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: "truck", label: "fleet-col-truck" },
  { key: "driver", label: "fleet-col-driver" },
  { key: "state", label: "fleet-col-state" },
  { key: "fuel", label: "fleet-col-fuel", numeric: true },
  { key: "speed", label: "fleet-col-speed", numeric: true },
  { key: "last_seen", label: "fleet-col-last-seen", numeric: true },
  { key: "alerts", label: "fleet-col-alerts", numeric: true },
];

interface Props {
  rows: readonly FleetRow[];
  total: number;
  sort: Sort;
  onSort: (sort: Sort) => void;
  onOpen: (truckId: string) => void;
  fmt: Format;
}

export function FleetTable({ rows, total, sort, onSort, onOpen, fmt }: Props) {
  const { t } = useI18n();
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(FALLBACK_VIEWPORT);
  const [focusIndex, setFocusIndex] = useState<number | null>(null);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver !== "function") return;
    const observer = new ResizeObserver(() => {
      if (el.clientHeight > 0) setViewport(el.clientHeight);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (rows.length > 0) markFirstRow();
  }, [rows.length]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  const visible = rows.slice(first, last);

  // Arrow keys move between rows; a row scrolled out of the DOM is brought back first.
  // Only a keyboard move asks for focus; a mouse scroll must not pull focus (and the view) back.
  const pendingFocus = useRef<number | null>(null);
  useEffect(() => {
    if (pendingFocus.current === null) return;
    const el = scroller.current?.querySelector<HTMLElement>(`[data-index="${pendingFocus.current}"]`);
    if (el) {
      pendingFocus.current = null;
      el.focus({ preventScroll: false });
    }
  }, [focusIndex, first, last]);

  const moveFocus = useCallback(
    (index: number) => {
      const target = Math.max(0, Math.min(rows.length - 1, index));
      const el = scroller.current;
      if (el) {
        const top = target * ROW_HEIGHT;
        if (top < el.scrollTop) el.scrollTop = top;
        else if (top + ROW_HEIGHT * 2 > el.scrollTop + viewport) el.scrollTop = top + ROW_HEIGHT * 2 - viewport;
        setScrollTop(el.scrollTop);
      }
      pendingFocus.current = target;
      setFocusIndex(target);
    },
    [rows.length, viewport],
  );

  const onRowKey = useCallback(
    (event: KeyboardEvent<HTMLTableRowElement>, index: number, truckId: string) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        onOpen(truckId);
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        moveFocus(index + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        moveFocus(index - 1);
      } else if (event.key === "Home") {
        event.preventDefault();
        moveFocus(0);
      } else if (event.key === "End") {
        event.preventDefault();
        moveFocus(rows.length - 1);
      }
    },
    [onOpen, moveFocus, rows.length],
  );

  return (
    <div
      className="fleet-table-scroller"
      ref={scroller}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      data-testid="fleet-table-scroller"
    >
      <table className="data-table fleet-table" data-testid="fleet-table" aria-rowcount={rows.length + 1}>
        <caption className="visually-hidden">{t("fleet-table-caption", { shown: rows.length, total })}</caption>
        <thead>
          <tr aria-rowindex={1}>
            {COLUMNS.map((c) => {
              const active = sort.key === c.key;
              return (
                <th
                  key={c.key}
                  scope="col"
                  className={c.numeric ? "num" : undefined}
                  aria-sort={active ? (sort.desc ? "descending" : "ascending") : "none"}
                >
                  <button
                    type="button"
                    className="sort-button"
                    data-testid={`fleet-sort-${c.key}`}
                    onClick={() => onSort({ key: c.key, desc: active ? !sort.desc : false })}
                  >
                    {t(c.label)}
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
          {first > 0 && <tr className="spacer" aria-hidden="true" style={{ height: first * ROW_HEIGHT }} />}
          {visible.map((row, i) => (
            <Row
              key={row.truck_id}
              row={row}
              index={first + i}
              focusable={first + i === Math.min(focusIndex ?? 0, rows.length - 1)}
              fmt={fmt}
              t={t}
              onKey={onRowKey}
              onOpen={onOpen}
              onFocusRow={setFocusIndex}
            />
          ))}
          {last < rows.length && (
            <tr className="spacer" aria-hidden="true" style={{ height: (rows.length - last) * ROW_HEIGHT }} />
          )}
        </tbody>
      </table>
      {rows.length === 0 && <p className="empty">{total === 0 ? t("fleet-empty") : t("fleet-no-match")}</p>}
    </div>
  );
}

interface RowProps {
  row: FleetRow;
  index: number;
  /** One row is in the tab order (a roving tabindex); arrows move within the table. */
  focusable: boolean;
  onFocusRow: (index: number) => void;
  fmt: Format;
  t: Translate;
  onKey: (event: KeyboardEvent<HTMLTableRowElement>, index: number, truckId: string) => void;
  onOpen: (truckId: string) => void;
}

/** Re-renders only when its truck's row object (a new one per applied update) or its position changes. */
const Row = memo(function Row({ row, index, focusable, fmt, t, onKey, onOpen, onFocusRow }: RowProps) {
  return (
    <tr
      data-testid={`fleet-row-${row.truck_id}`}
      data-index={index}
      data-version={row.version}
      aria-rowindex={index + 2}
      tabIndex={focusable ? 0 : -1}
      style={{ height: ROW_HEIGHT }}
      onFocus={() => onFocusRow(index)}
      onClick={() => onOpen(row.truck_id)}
      onKeyDown={(e) => onKey(e, index, row.truck_id)}
    >
      <th scope="row">
        <span className="truck-name">{row.name}</span>
        {row.name !== row.truck_id && <span className="muted"> {row.truck_id}</span>}
      </th>
      <td>{row.driver_id ?? "–"}</td>
      <td>
        <span className={`state state-${row.state}`}>{t(`state-${row.state}`)}</span>
      </td>
      <td className="num">
        {fmt.volume(row.fuel_l, 0)} <span className="muted">{fmt.pct(row.fuel_pct)}</span>
      </td>
      <td className="num">{fmt.speed(row.speed_kmh)}</td>
      <td className="num">{fmt.when(row.last_seen_ms)}</td>
      <td className="num">{row.open_alerts > 0 ? <span className="badge">{row.open_alerts}</span> : "0"}</td>
    </tr>
  );
});

const STATE_ORDER = ["driving", "working", "idle", "parked", "offline", "unknown"];

function cmpNullable(a: number | null, b: number | null): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

/**
 * Each truck's place in name order. Names never change with live updates, so
 * this is computed once per fleet membership: a locale-aware sort of 1000
 * names costs milliseconds, too much to repeat every frame.
 */
export function nameRanks(rows: readonly FleetRow[], collator: Intl.Collator): Map<string, number> {
  const sorted = [...rows].sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.truck_id, b.truck_id));
  return new Map(sorted.map((r, i) => [r.truck_id, i]));
}

export function compareRows(
  key: SortKey,
  collator: Intl.Collator,
  rank: ReadonlyMap<string, number>,
): (a: FleetRow, b: FleetRow) => number {
  switch (key) {
    case "truck":
      return (a, b) => {
        const ra = rank.get(a.truck_id);
        const rb = rank.get(b.truck_id);
        if (ra !== undefined && rb !== undefined) return ra - rb;
        return collator.compare(a.name, b.name) || collator.compare(a.truck_id, b.truck_id);
      };
    case "driver":
      return (a, b) => collator.compare(a.driver_id ?? "\uffff", b.driver_id ?? "\uffff");
    case "state":
      return (a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state);
    case "fuel":
      return (a, b) => cmpNullable(a.fuel_l, b.fuel_l);
    case "speed":
      return (a, b) => cmpNullable(a.speed_kmh, b.speed_kmh);
    case "last_seen":
      return (a, b) => cmpNullable(a.last_seen_ms, b.last_seen_ms);
    case "alerts":
      return (a, b) => a.open_alerts - b.open_alerts;
  }
}

/** Filter, search and sort in one pass; ties keep the truck order so rows do not jump. */
export function selectRows(
  rows: readonly FleetRow[],
  opts: { state: string; query: string; sort: Sort; collator: Intl.Collator; rank: ReadonlyMap<string, number> },
): FleetRow[] {
  const q = opts.query.trim().toLocaleLowerCase();
  const out = rows.filter(
    (r) =>
      (opts.state === "all" || r.state === opts.state) &&
      (q === "" ||
        r.truck_id.toLocaleLowerCase().includes(q) ||
        r.name.toLocaleLowerCase().includes(q) ||
        (r.driver_id ?? "").toLocaleLowerCase().includes(q)),
  );
  const cmp = compareRows(opts.sort.key, opts.collator, opts.rank);
  const byId = compareRows("truck", opts.collator, opts.rank);
  const sign = opts.sort.desc ? -1 : 1;
  out.sort((a, b) => sign * cmp(a, b) || byId(a, b));
  return out;
}
