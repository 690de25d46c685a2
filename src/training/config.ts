/**
 * Every training knob, declared once with its default and a doc line. Plain data: it is saved beside the
 * trained parameters so a run describes itself, and crosses the worker boundary as is.
 */
import type { ScheduleKind } from './schedule';

export const MONITORS = ['heldOutLoss', 'heldOutAccuracy'] as const;
export type Monitor = (typeof MONITORS)[number];

export const HEAD_INITS = ['labels', 'random'] as const;
export type HeadInit = (typeof HEAD_INITS)[number];

export interface TrainingConfig {
  /** Peak learning rate, reached at the end of warm-up. */
  lr: number;
  /** Passes over the training split; ignored when maxSteps > 0. */
  epochs: number;
  /** Optimizer steps to take in all; 0 means epochs * batchesPerEpoch. */
  maxSteps: number;
  /** Examples per mini-batch. */
  batchSize: number;
  /** Learning-rate schedule after warm-up: linear decay to 0 at the last step, or constant. */
  schedule: ScheduleKind;
  /** Share of all steps spent warming the lr up from 0 (warm-up steps = ceil(ratio * total), as transformers). */
  warmupRatio: number;
  /** AdamW decoupled weight decay. */
  weightDecay: number;
  /** AdamW first-moment decay. */
  beta1: number;
  /** AdamW second-moment decay. */
  beta2: number;
  /** AdamW epsilon, added after the bias-corrected sqrt of the second moment. */
  eps: number;
  /** Clip gradients to this global L2 norm; Infinity or 0 turns clipping off (the norm is still reported). */
  maxGradNorm: number;
  /** Token cap per example, special tokens included. */
  maxLength: number;
  /** Oversample smaller classes so every class is seen as often as the largest in each epoch. */
  classBalanced: boolean;
  /** Batches per length-sorting chunk (length bucketing); 1 turns bucketing off. */
  bucketBatches: number;
  /** Share of each class held out for evaluation and early stopping (stratified); 0: no held-out slice. */
  heldOutFraction: number;
  /** Evaluations without improvement before stopping early; 0 never stops early (the best is still kept). */
  patience: number;
  /** Steps between held-out evaluations; 0 evaluates at the end of each epoch. */
  evalEvery: number;
  /** What "best" means for early stopping and the restored parameters. */
  monitor: Monitor;
  /**
   * How a fresh classifier head starts: 'labels' scores each text by its cosine to the encoder's embedding of each
   * label's name (a zero-shot classifier before any step; used where the encoder's pooling normalises, else
   * random), or 'random' (torch's nn.Linear init). Read where classifiers are built (the worker), not by the loop.
   */
  headInit: HeadInit;
  /** Seeds the split, the batch order and dropout: one seed fully determines a run. */
  seed: number;
}

export const DEFAULT_TRAINING_CONFIG: Readonly<TrainingConfig> = Object.freeze({
  lr: 1e-3,
  epochs: 10,
  maxSteps: 0,
  batchSize: 16,
  schedule: 'linear',
  warmupRatio: 0.1,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  maxGradNorm: 1.0,
  maxLength: 128,
  classBalanced: false,
  bucketBatches: 8,
  heldOutFraction: 0.2,
  patience: 3,
  evalEvery: 0,
  monitor: 'heldOutLoss',
  headInit: 'labels',
  seed: 42,
});

export class TrainingConfigError extends Error {
  override name = 'TrainingConfigError';
}

/** Defaults filled in and every knob checked; throws TrainingConfigError naming the knob to fix. */
export function resolveTrainingConfig(partial: Partial<TrainingConfig> = {}): TrainingConfig {
  const c: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, ...partial };
  const check = (ok: boolean, knob: keyof TrainingConfig, want: string) => {
    if (!ok) throw new TrainingConfigError(`Training config: ${knob} must be ${want}, got ${String(c[knob])}.`);
  };
  const isInt = (x: number) => Number.isInteger(x);
  check(c.lr > 0 && Number.isFinite(c.lr), 'lr', 'a positive number');
  check(isInt(c.epochs) && c.epochs >= 1, 'epochs', 'an integer >= 1');
  check(isInt(c.maxSteps) && c.maxSteps >= 0, 'maxSteps', 'an integer >= 0');
  check(isInt(c.batchSize) && c.batchSize >= 1, 'batchSize', 'an integer >= 1');
  check(c.schedule === 'linear' || c.schedule === 'constant', 'schedule', "'linear' or 'constant'");
  check(c.warmupRatio >= 0 && c.warmupRatio <= 1, 'warmupRatio', 'in [0, 1]');
  check(c.weightDecay >= 0, 'weightDecay', '>= 0');
  check(c.beta1 >= 0 && c.beta1 < 1, 'beta1', 'in [0, 1)');
  check(c.beta2 >= 0 && c.beta2 < 1, 'beta2', 'in [0, 1)');
  check(c.eps >= 0, 'eps', '>= 0');
  check(c.maxGradNorm >= 0, 'maxGradNorm', '>= 0 (or Infinity)');
  check(isInt(c.maxLength) && c.maxLength >= 2, 'maxLength', 'an integer >= 2');
  check(isInt(c.bucketBatches) && c.bucketBatches >= 1, 'bucketBatches', 'an integer >= 1');
  check(c.heldOutFraction >= 0 && c.heldOutFraction < 1, 'heldOutFraction', 'in [0, 1)');
  check(isInt(c.patience) && c.patience >= 0, 'patience', 'an integer >= 0');
  check(isInt(c.evalEvery) && c.evalEvery >= 0, 'evalEvery', 'an integer >= 0');
  check(c.monitor === 'heldOutLoss' || c.monitor === 'heldOutAccuracy', 'monitor', "'heldOutLoss' or 'heldOutAccuracy'");
  check((HEAD_INITS as readonly string[]).includes(c.headInit), 'headInit', `one of ${HEAD_INITS.join(', ')}`);
  check(Number.isFinite(c.seed), 'seed', 'a finite number');
  return c;
}
