/**
 * Shared geometry of the studio's small SVG charts. They replace recharts on the Train page: a recharts chart
 * re-renders through its own store and measures every tick label in the DOM, 100-300 ms per update on a busy
 * two-core machine while training, where these draw a bounded number of elements with no measuring at all.
 */

/** The drawing box, in SVG user units; the SVG scales to its container's width. */
export const CHART = { width: 320, height: 150, left: 44, right: 8, top: 8, bottom: 20 } as const;
/** A series longer than this is drawn from evenly spaced samples of it (the last point always included). */
export const MAX_DRAWN_POINTS = 240;

export type Row = Record<string, number | null>;

/** At most `max` rows, evenly spaced, first and last included; the same array when it is short enough. */
export function downsample<T>(rows: readonly T[], max = MAX_DRAWN_POINTS): readonly T[] {
  if (rows.length <= max) return rows;
  const out: T[] = [];
  const stride = (rows.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(rows[Math.round(i * stride)]);
  return out;
}

/** A linear map from [lo, hi] onto [a, b] (a flat domain maps to the middle). */
export function linear(lo: number, hi: number, a: number, b: number): (v: number) => number {
  return hi === lo ? () => (a + b) / 2 : (v) => a + ((v - lo) / (hi - lo)) * (b - a);
}

/** Finite min and max of values, or null when there is none. */
export function extent(values: Iterable<number | null | undefined>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v == null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** Tick labels: short, and never wider than the axis has room for. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e4)) return v.toExponential(1);
  return v.toFixed(Math.abs(v) < 10 ? 3 : 1);
}
