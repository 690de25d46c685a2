import { describe, expect, it } from 'vitest';
import { constantWithWarmup, linearWarmupDecay, makeSchedule, warmupStepsFromRatio, type ScheduleKind } from './schedule';
import { readTrainingFixture } from './testing/fixtures';

interface ScheduleFixture {
  cases: { kind: ScheduleKind; warmup: number; total: number; multipliers: number[] }[];
}

const { cases } = readTrainingFixture<ScheduleFixture>('schedule');

describe('lr schedules against transformers', () => {
  it.each(cases.map((c) => [`${c.kind} warmup ${c.warmup} total ${c.total}`, c] as const))('%s', (_, c) => {
    const mult = makeSchedule(c.kind, c.warmup, c.total);
    const ours = c.multipliers.map((_, t) => mult(t));
    ours.forEach((m, t) => expect(m, `step ${t}`).toBeCloseTo(c.multipliers[t], 15));
  });

  it('starts at 0 with warm-up, peaks at 1 after it, ends at 0', () => {
    expect(linearWarmupDecay(0, 5, 20)).toBe(0);
    expect(linearWarmupDecay(5, 5, 20)).toBe(1);
    expect(linearWarmupDecay(20, 5, 20)).toBe(0);
    expect(linearWarmupDecay(25, 5, 20)).toBe(0);
    expect(constantWithWarmup(0, 0)).toBe(1);
  });

  it('takes warm-up steps as ceil(ratio * total), like TrainingArguments', () => {
    expect(warmupStepsFromRatio(0.1, 25)).toBe(3);
    expect(warmupStepsFromRatio(0, 25)).toBe(0);
    expect(() => warmupStepsFromRatio(1.5, 10)).toThrow(RangeError);
  });
});
