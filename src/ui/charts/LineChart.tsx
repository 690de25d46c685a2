/** A small line chart of one series (x = `x`, y = `y`), as one SVG path: cheap to draw on every update. */
import { memo } from 'react';
import { CHART, downsample, extent, formatValue, linear, type Row } from './svgChart';

export interface LineChartProps {
  rows: readonly Row[];
  x: string;
  y: string;
  /** A fixed y range; otherwise the data's. */
  domain?: [number, number];
  label: string;
}

export const LineChart = memo(function LineChart({ rows, x, y, domain, label }: LineChartProps) {
  const drawn = downsample(rows.filter((r) => r[x] != null && r[y] != null && Number.isFinite(r[y])));
  const xs = extent(drawn.map((r) => r[x]));
  const ys = domain ?? extent(drawn.map((r) => r[y]));
  const { width, height, left, right, top, bottom } = CHART;
  const sx = xs ? linear(xs[0], xs[1], left, width - right) : () => left;
  const sy = ys ? linear(ys[0], ys[1], height - bottom, top) : () => height - bottom;
  const path = drawn.map((r, i) => `${i === 0 ? 'M' : 'L'}${sx(r[x]!).toFixed(1)},${sy(r[y]!).toFixed(1)}`).join('');
  const yTicks = ys ? [ys[0], (ys[0] + ys[1]) / 2, ys[1]] : [];
  return (
    <svg className="svg-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <g className="svg-chart__grid">
        {yTicks.map((t, i) => (
          <line key={i} x1={left} x2={width - right} y1={sy(t)} y2={sy(t)} />
        ))}
      </g>
      <g className="svg-chart__axis">
        {yTicks.map((t, i) => (
          <text key={i} x={left - 4} y={sy(t) + 3} textAnchor="end">
            {formatValue(t)}
          </text>
        ))}
        {xs ? (
          <>
            <text x={left} y={height - 4} textAnchor="start">{xs[0]}</text>
            <text x={width - right} y={height - 4} textAnchor="end">{xs[1]}</text>
          </>
        ) : null}
      </g>
      <path className="svg-chart__line" d={path} vectorEffect="non-scaling-stroke" />
      {drawn.length < 30 ? drawn.map((r, i) => <circle key={i} className="svg-chart__dot" cx={sx(r[x]!)} cy={sy(r[y]!)} r={2} />) : null}
    </svg>
  );
});
