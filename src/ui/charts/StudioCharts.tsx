/**
 * The Train page's charts, drawn with recharts and kept cheap: no animation, no dots, no active dot or tooltip, a
 * fixed size (measured once from the figure, no ResizeObserver), explicit domains and tick arrays with interval 0,
 * tick labels drawn as plain SVG text (recharts' own Text measures every word in the DOM, a forced layout per
 * label), and at most MAX_DRAWN_POINTS points per series.
 *
 * recharts 2, not 3: recharts 3 keeps each chart's layout in a redux store of its own, and the store's updates
 * (dispatched from effects after every data change) re-render the chart synchronously, so React cannot slice a
 * chart's update to yield to the browser. In e2e/train.spec.ts that made 50-120 ms main-thread tasks while
 * training (cold after a reload, the upper end); recharts 2 renders from props, and the same run had no task of
 * 50 ms or more in any training window.
 */
import { memo, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Line, LineChart, XAxis, YAxis } from 'recharts';
import { downsample, extent, formatValue, widen, type Row } from './chartData';

const HEIGHT = 150;
const MARGIN = { top: 8, right: 12, bottom: 0, left: 0 };
const Y_WIDTH = 48;
const X_HEIGHT = 20;

/** What recharts hands a custom tick. */
interface TickProps {
  x: number;
  y: number;
  textAnchor?: 'start' | 'middle' | 'end' | 'inherit';
  verticalAnchor?: 'start' | 'middle' | 'end';
  payload: { value: number | string };
  index: number;
  tickFormatter?: (value: number | string, index: number) => string;
}

/** An axis tick label as one SVG text element: nothing measured. */
function PlainTick({ x, y, textAnchor, verticalAnchor, payload, index, tickFormatter }: TickProps) {
  return (
    <text x={x} y={y} dy={verticalAnchor === 'start' ? '0.71em' : verticalAnchor === 'middle' ? '0.32em' : 0} textAnchor={textAnchor} fontSize={10} fill="var(--muted)">
      {tickFormatter ? tickFormatter(payload.value, index) : String(payload.value)}
    </text>
  );
}
const TICK = (props: TickProps) => <PlainTick {...props} />;

/** The width of the figure's content box, read once when it mounts. */
export function useFigureWidth(): [React.RefObject<HTMLElement | null>, number] {
  const ref = useRef<HTMLElement | null>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const style = getComputedStyle(el);
    setWidth(Math.max(160, Math.floor(el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight))));
  }, []);
  return [ref, width];
}

/** Space kept for a chart that has not been handed its data yet, so the page does not jump when it appears. */
export function ChartSpace({ children }: { children?: ReactNode }) {
  return <div style={{ minHeight: HEIGHT }}>{children}</div>;
}

export interface SeriesChartProps {
  rows: readonly Row[];
  x: string;
  y: string;
  /** A fixed y range; otherwise the data's. */
  domain?: [number, number];
  label: string;
  width: number;
}

/** One series as a line (x = `x`, y = `y`). */
export const SeriesChart = memo(function SeriesChart({ rows, x, y, domain, label, width }: SeriesChartProps) {
  const drawn = useMemo(() => downsample(rows.filter((r) => r[x] != null && r[y] != null && Number.isFinite(r[y]))), [rows, x, y]);
  const axes = useMemo(() => {
    const xs = widen(extent(drawn.map((r) => r[x])) ?? [0, 1]);
    const ys = widen(domain ?? extent(drawn.map((r) => r[y])) ?? [0, 1]);
    return { xs, ys, xTicks: [xs[0], xs[1]], yTicks: [ys[0], (ys[0] + ys[1]) / 2, ys[1]] };
  }, [drawn, x, y, domain]);
  return (
    <div role="img" aria-label={label}>
      <LineChart width={width} height={HEIGHT} data={drawn as Row[]} margin={MARGIN} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} horizontalValues={axes.yTicks} />
        <XAxis dataKey={x} type="number" domain={axes.xs} ticks={axes.xTicks} interval={0} tickFormatter={formatStep} tick={TICK} height={X_HEIGHT} allowDataOverflow />
        <YAxis type="number" domain={axes.ys} ticks={axes.yTicks} interval={0} tickFormatter={formatValue} tick={TICK} width={Y_WIDTH} allowDataOverflow />
        <Line dataKey={y} type="linear" stroke="var(--accent)" strokeWidth={1.5} dot={false} activeDot={false} isAnimationActive={false} />
      </LineChart>
    </div>
  );
});

const formatStep = (v: number) => String(Math.round(v));

export interface GroupChartProps {
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
  /** Tick text under each group; defaults to the group's x value. */
  xLabel?: (x: number) => string;
  width: number;
}

/** One group of bars per row (its `x`), one bar per key, side by side or stacked. */
export const GroupChart = memo(function GroupChart({ rows, x, keys, names, colours, stacked, domain, label, xLabel, width }: GroupChartProps) {
  const axes = useMemo(() => {
    const value = (r: Row, k: string) => (r[k] != null && Number.isFinite(r[k]) ? Math.max(0, r[k]!) : 0);
    const tallest = rows.reduce((m, r) => Math.max(m, stacked ? keys.reduce((s, k) => s + value(r, k), 0) : Math.max(0, ...keys.map((k) => value(r, k)))), 0);
    const ys: [number, number] = domain ?? [0, tallest || 1];
    return { ys, yTicks: [ys[0], (ys[0] + ys[1]) / 2, ys[1]] };
  }, [rows, keys, stacked, domain]);
  return (
    <div role="img" aria-label={label}>
      <BarChart width={width} height={HEIGHT} data={rows as Row[]} margin={MARGIN} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} horizontalValues={axes.yTicks} />
        <XAxis dataKey={x} type="category" interval={0} tickFormatter={xLabel ?? String} tick={TICK} height={X_HEIGHT} />
        <YAxis type="number" domain={axes.ys} ticks={axes.yTicks} interval={0} tickFormatter={formatValue} tick={TICK} width={Y_WIDTH} allowDataOverflow />
        {keys.map((k, j) => (
          <Bar key={k} dataKey={k} name={names[j]} fill={colours[j % colours.length]} stackId={stacked ? 'stack' : undefined} isAnimationActive={false} />
        ))}
      </BarChart>
      {keys.length > 1 ? (
        <ul className="chart__legend">
          {names.map((n, j) => (
            <li key={n}>
              <span className="chart__swatch" style={{ background: colours[j % colours.length] }} aria-hidden="true" /> {n}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
});
