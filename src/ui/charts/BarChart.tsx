/** A small bar chart: one group per row (its `x`), one bar per key, side by side or stacked, drawn as SVG rects. */
import { memo } from 'react';
import { CHART, formatValue, linear, type Row } from './svgChart';

export interface BarChartProps {
  rows: readonly Row[];
  x: string;
  keys: readonly string[];
  /** Legend names of the keys, in order. */
  names: readonly string[];
  colours: readonly string[];
  stacked?: boolean;
  /** A fixed y range; otherwise [0, the largest bar]. */
  domain?: [number, number];
  label: string;
  /** Tick text under each group; defaults to the row's x value. */
  xLabel?: (row: Row) => string;
}

export const BarChart = memo(function BarChart({ rows, x, keys, names, colours, stacked, domain, label, xLabel }: BarChartProps) {
  const { width, height, left, right, top, bottom } = CHART;
  const value = (r: Row, k: string) => (r[k] != null && Number.isFinite(r[k]) ? Math.max(0, r[k]!) : 0);
  const tallest = rows.reduce((m, r) => Math.max(m, stacked ? keys.reduce((s, k) => s + value(r, k), 0) : Math.max(0, ...keys.map((k) => value(r, k)))), 0);
  const [lo, hi] = domain ?? [0, tallest || 1];
  const sy = linear(lo, hi, height - bottom, top);
  const group = (width - left - right) / Math.max(1, rows.length);
  const bar = stacked ? group * 0.7 : (group * 0.8) / Math.max(1, keys.length);
  return (
    <div className="svg-chart__figure">
      <svg className="svg-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
        <g className="svg-chart__grid">
          <line x1={left} x2={width - right} y1={sy(lo)} y2={sy(lo)} />
          <line x1={left} x2={width - right} y1={sy(hi)} y2={sy(hi)} />
        </g>
        <g className="svg-chart__axis">
          <text x={left - 4} y={sy(lo) + 3} textAnchor="end">{formatValue(lo)}</text>
          <text x={left - 4} y={sy(hi) + 3} textAnchor="end">{formatValue(hi)}</text>
          {rows.map((r, i) => (
            <text key={i} x={left + group * (i + 0.5)} y={height - 4} textAnchor="middle">
              {xLabel ? xLabel(r) : String(r[x] ?? '')}
            </text>
          ))}
        </g>
        {rows.map((r, i) => {
          let base = lo;
          return keys.map((k, j) => {
            const v = value(r, k);
            const from = stacked ? base : lo;
            if (stacked) base += v;
            const x0 = stacked ? left + group * i + (group - bar) / 2 : left + group * i + group * 0.1 + bar * j;
            return <rect key={`${i}.${k}`} x={x0} width={bar} y={sy(from + v)} height={Math.max(0, sy(from) - sy(from + v))} fill={colours[j % colours.length]} />;
          });
        })}
      </svg>
      {keys.length > 1 ? (
        <ul className="svg-chart__legend">
          {names.map((n, j) => (
            <li key={n}>
              <span className="svg-chart__swatch" style={{ background: colours[j % colours.length] }} aria-hidden="true" /> {n}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
});
