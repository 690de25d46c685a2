import { describe, expect, it } from 'vitest';
import { downsample, extent, formatValue, widen } from './chartData';
import { delayToSlot, STAGGER_PERIOD_MS, STAGGER_SLOTS } from './useStaggered';

describe('chart data', () => {
  it('downsamples a long series to evenly spaced rows, first and last kept, a short one untouched', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => i);
    const out = downsample(rows, 100);
    expect(out).toHaveLength(100);
    expect(out[0]).toBe(0);
    expect(out.at(-1)).toBe(999);
    for (let i = 1; i < out.length; i++) expect(out[i] - out[i - 1]).toBeGreaterThanOrEqual(9);
    const short = [1, 2, 3];
    expect(downsample(short, 100)).toBe(short);
  });

  it('takes the finite extent and widens a single value into a drawable domain', () => {
    expect(extent([3, null, -1, Number.NaN, 7, undefined])).toEqual([-1, 7]);
    expect(extent([null, Number.POSITIVE_INFINITY])).toBeNull();
    expect(widen([2, 5])).toEqual([2, 5]);
    expect(widen([5, 5])).toEqual([4.5, 5.5]);
    expect(widen([0, 0])).toEqual([-1, 1]);
  });

  it('formats tick values short', () => {
    expect(formatValue(0.5)).toBe('0.500');
    expect(formatValue(0.0003)).toBe('3.0e-4');
    expect(formatValue(123.456)).toBe('123.5');
    expect(formatValue(0)).toBe('0.000');
  });
});

describe('staggered chart slots', () => {
  const width = STAGGER_PERIOD_MS / STAGGER_SLOTS;

  it('waits until the start of the slot within the period', () => {
    expect(delayToSlot(0, 0)).toBe(0);
    expect(delayToSlot(10, 0)).toBe(STAGGER_PERIOD_MS - 10);
    expect(delayToSlot(10, 3)).toBe(3 * width - 10);
    expect(delayToSlot(5 * STAGGER_PERIOD_MS + 3 * width + 1, 3)).toBeCloseTo(STAGGER_PERIOD_MS - 1, 6);
  });

  it('puts different slots in different tasks: their hand-overs never coincide', () => {
    for (const now of [0, 123.4, 999.9, 4567.8]) {
      const fireAt = Array.from({ length: STAGGER_SLOTS }, (_, slot) => (now + delayToSlot(now, slot)) % STAGGER_PERIOD_MS);
      const sorted = [...fireAt].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBeCloseTo(width, 6);
      for (const slot of fireAt.keys()) expect(delayToSlot(now, slot)).toBeLessThan(STAGGER_PERIOD_MS);
    }
  });
});
