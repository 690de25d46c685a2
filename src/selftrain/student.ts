/**
 * One round's student on pseudo-labels: distillation warm-up (uniform weights) for the first warmupFraction of
 * its steps, then meta-reweighted steps (metaWeights.ts), each an AdamW step on sum_i w_i KL(teacher_i || student_i).
 * Cancellable between steps; one seed fixes the batch orders and dropout. With config.weighting 'uniform' the steps
 * after warm-up keep uniform weights (the ablation), and draw no labelled batches; with 'meta-by-class' and
 * 'meta-cosine' the meta step's weights are normalised within each pseudo-label (metaWeightsByClass) or by each
 * example's gradient norm (metaWeightsCosine).
 */
import * as tf from '@tensorflow/tfjs';
import type { PeftClassifier } from '../peft/classifier';
import { AdamW, ADAMW_DEFAULTS } from '../training/adamw';
import type { BatchTokenizer, LabelledExample } from '../training/batching';
import { clipByGlobalNorm } from '../training/clip';
import { DEFAULT_TRAINING_CONFIG } from '../training/config';
import { deriveSeed, Rng } from '../training/rng';
import { yieldToEventLoop } from '../training/trainLoop';
import type { SelfTrainConfig } from './config';
import type { SelfTrainEvent } from './events';
import { metaGradient, metaWeights, metaWeightsByClass, metaWeightsCosine, weightedKl } from './metaWeights';

/** Streams of randomness derived from (seed, round, ...); stable numbers (changing one changes every run). */
export const SELF_TRAIN_STREAM = { sample: 1, unlabelledOrder: 2, labelledOrder: 3, dropout: 4, delta: 5, head: 6, fit: 7, split: 8 } as const;

export interface StudentRound {
  student: PeftClassifier;
  tokenizer: BatchTokenizer;
  /** This round's pseudo-labelled texts and their pool indices. */
  texts: readonly string[];
  poolIndices: readonly number[];
  /** The teacher's targets, row-major [texts.length, classes]. */
  targets: Float32Array;
  classes: number;
  /** The labelled training examples (the meta step's validation batches come from here). */
  labelled: readonly LabelledExample[];
  round: number;
  config: SelfTrainConfig;
  onEvent: (e: SelfTrainEvent) => void;
  signal?: AbortSignal;
}

/** Endless seeded batches of indices in [0, n): a fresh shuffle per pass. */
function* cycleBatches(n: number, size: number, seed: number): Generator<number[]> {
  for (let pass = 0; ; pass++) {
    const order = new Rng(deriveSeed(seed, pass)).shuffle(Array.from({ length: n }, (_, i) => i));
    for (let i = 0; i < n; i += size) yield order.slice(i, i + size);
  }
}

/** The index of the largest of values[from .. from + n). */
function argMax(values: Float32Array, from: number, n: number): number {
  let best = 0;
  for (let c = 1; c < n; c++) if (values[from + c] > values[from + best]) best = c;
  return best;
}

/** Trains the student; returns the steps taken (fewer than config.studentSteps when cancelled). */
export async function trainStudent(r: StudentRound): Promise<number> {
  const { config: cfg, student, tokenizer, classes } = r;
  const total = cfg.studentSteps;
  const warmupSteps = Math.round(cfg.warmupFraction * total);
  const fit = { ...DEFAULT_TRAINING_CONFIG, ...cfg.fineTune };
  const variables = student.trainableVariables();
  const optimizer = new AdamW(variables, { ...ADAMW_DEFAULTS, beta1: fit.beta1, beta2: fit.beta2, eps: fit.eps, weightDecay: fit.weightDecay });
  const unlabelledBatches = cycleBatches(r.texts.length, cfg.unlabeledBatchSize, deriveSeed(cfg.seed, SELF_TRAIN_STREAM.unlabelledOrder, r.round));
  const labelledBatches = cycleBatches(r.labelled.length, cfg.labelledBatchSize, deriveSeed(cfg.seed, SELF_TRAIN_STREAM.labelledOrder, r.round));
  let step = 0;
  try {
    for (; step < total; step++) {
      if (r.signal?.aborted) break;
      const rows = unlabelledBatches.next().value as number[];
      const batch = tokenizer.encodeBatch(rows.map((i) => r.texts[i]), { maxLength: cfg.maxLength });
      const targets = tf.tensor2d(rows.flatMap((i) => Array.from(r.targets.subarray(i * classes, (i + 1) * classes))), [rows.length, classes]);
      try {
        const phase = step < warmupSteps ? 'warmup' : cfg.weighting === 'uniform' ? 'uniform' : 'meta';
        let weights = rows.map(() => 1 / rows.length);
        let metaLoss: number | null = null;
        if (phase === 'meta') {
          const labIds = labelledBatches.next().value as number[];
          const labBatch = tokenizer.encodeBatch(labIds.map((i) => r.labelled[i].text), { maxLength: cfg.maxLength });
          const meta = await metaGradient(student, batch, targets, labBatch, labIds.map((i) => r.labelled[i].label), cfg.innerLr);
          weights =
            cfg.weighting === 'meta-by-class' ? metaWeightsByClass(meta.g, rows.map((i) => argMax(r.targets, i * classes, classes)))
            : cfg.weighting === 'meta-cosine' ? metaWeightsCosine(meta.g, meta.rowGradNorms)
            : metaWeights(meta.g);
          metaLoss = meta.labelledLoss;
        }
        let loss = 0;
        if (weights.some((w) => w > 0)) {
          const seed = deriveSeed(cfg.seed, SELF_TRAIN_STREAM.dropout, r.round, step);
          const value = tf.tidy(() => {
            const { value, grads } = tf.variableGrads(() => weightedKl(student, batch, targets, weights, seed, true), variables);
            const withGrad = variables.filter((v) => grads[v.name] !== undefined);
            const clipped = clipByGlobalNorm(withGrad.map((v) => grads[v.name]), fit.maxGradNorm);
            optimizer.step(new Map(withGrad.map((v, i) => [v, clipped.grads[i]])), cfg.studentLr);
            return value;
          });
          loss = (await value.data())[0];
          value.dispose();
        }
        r.onEvent({
          kind: 'studentStep', round: r.round, step: step + 1, totalSteps: total, phase, loss, metaLoss,
          poolIndices: rows.map((i) => r.poolIndices[i]), weights,
        });
      } finally {
        targets.dispose();
      }
      await yieldToEventLoop();
    }
  } finally {
    optimizer.dispose();
  }
  return step;
}
