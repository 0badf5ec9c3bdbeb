// A horizontal bar chart with optional interval whiskers, in plain SVG.
import { useI18n } from "../i18n/I18nProvider";

export interface Bar {
  id: string;
  label: string;
  value: number;
  low?: number;
  high?: number;
  /** Text read out and shown at the bar's end. */
  display: string;
}

export function BarChart({ bars, max, title, testId }: { bars: readonly Bar[]; max: number; title: string; testId?: string }) {
  const { t } = useI18n();
  const rowH = 22;
  const labelW = 140;
  const W = 600;
  const H = bars.length * rowH + 8;
  const x = (v: number) => labelW + (Math.max(0, v) / Math.max(max, 1e-9)) * (W - labelW - 70);
  return (
    <figure className="bar-chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t("bar-chart-label", { title, count: bars.length })}>
        {bars.map((b, i) => {
          const y = 4 + i * rowH;
          return (
            <g key={b.id}>
              <text x={labelW - 6} y={y + rowH / 2 + 4} textAnchor="end" className="bar-label">
                {b.label}
              </text>
              <rect className="bar" x={labelW} y={y + 3} width={Math.max(1, x(b.value) - labelW)} height={rowH - 8} />
              {b.low !== undefined && b.high !== undefined && (
                <line className="whisker" x1={x(b.low)} x2={x(b.high)} y1={y + rowH / 2} y2={y + rowH / 2} />
              )}
              <text x={x(Math.max(b.value, b.high ?? 0)) + 6} y={y + rowH / 2 + 4} className="bar-value">
                {b.display}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
