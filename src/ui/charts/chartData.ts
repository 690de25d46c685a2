/**
 * Data helpers of the studio's small recharts charts. Drawing a recharts chart costs main-thread time in
 * proportion to its points and ticks, so a series is downsampled before it is drawn, and the axes get explicit
 * domains and tick arrays (recharts then measures no tick label in the DOM).
 */

/** A series longer than this is drawn from evenly spaced samples of it (the last point always included). */
export const MAX_DRAWN_POINTS = 160;

export type Row = Record<string, number | null>;

/** At most `max` rows, evenly spaced, first and last included; the same array when it is short enough. */
export function downsample<T>(rows: readonly T[], max = MAX_DRAWN_POINTS): readonly T[] {
  if (rows.length <= max) return rows;
  const out: T[] = [];
  const stride = (rows.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(rows[Math.round(i * stride)]);
  return out;
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

/** A domain with room in it: a single value is widened so that an axis can be drawn around it. */
export function widen([lo, hi]: [number, number]): [number, number] {
  if (hi > lo) return [lo, hi];
  const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
  return [lo - pad, hi + pad];
}

/** Tick labels: short, and never wider than the axis has room for. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e4)) return v.toExponential(1);
  return v.toFixed(Math.abs(v) < 10 ? 3 : 1);
}
