/**
 * Learning-rate schedules as multipliers of the base lr at optimizer step t (0-based: t is the number of
 * steps already taken), exactly as transformers' LambdaLR schedules: the lr used by the (t+1)-th
 * optimizer.step() is base_lr * multiplier(t). Note that with warm-up the very first step runs at lr 0,
 * as in transformers.
 */

export const SCHEDULE_KINDS = ['linear', 'constant'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** lr multiplier at step t. */
export type LrMultiplier = (step: number) => number;

/** transformers.get_linear_schedule_with_warmup: 0 -> 1 over `warmup` steps, then 1 -> 0 at `total`, then 0. */
export function linearWarmupDecay(step: number, warmup: number, total: number): number {
  if (step < warmup) return step / Math.max(1, warmup);
  return Math.max(0, (total - step) / Math.max(1, total - warmup));
}

/** transformers.get_constant_schedule_with_warmup: 0 -> 1 over `warmup` steps, then 1 (warmup 0: constant). */
export function constantWithWarmup(step: number, warmup: number): number {
  if (step < warmup) return step / Math.max(1, warmup);
  return 1;
}

/** The multiplier function for a schedule kind. */
export function makeSchedule(kind: ScheduleKind, warmup: number, total: number): LrMultiplier {
  switch (kind) {
    case 'linear':
      return (t) => linearWarmupDecay(t, warmup, total);
    case 'constant':
      return (t) => constantWithWarmup(t, warmup);
    default: {
      const never: never = kind;
      throw new RangeError(`Unknown schedule ${String(never)}; use one of ${SCHEDULE_KINDS.join(', ')}.`);
    }
  }
}

/** Warm-up steps from a ratio, as transformers' TrainingArguments.get_warmup_steps: ceil(total * ratio). */
export function warmupStepsFromRatio(ratio: number, total: number): number {
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`warmupRatio must be in [0, 1], got ${ratio}.`);
  return Math.ceil(total * ratio);
}
