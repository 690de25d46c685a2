/**
 * Test helpers (Node only): the PyTorch golden fixtures of scripts/py/golden_training.py, the regression
 * problem they were computed on as a Trainable, and toy models and tokenizers for the loop tests.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EncodedBatch } from '../../encoder/types';
import type { BatchSource, BatchTokenizer, TrainBatch } from '../batching';
import type { ForwardContext, Trainable } from '../trainLoop';

export const TRAINING_FIXTURES = join(resolve(process.cwd()), 'fixtures/training');

export function readTrainingFixture<T>(name: 'schedule' | 'clip' | 'adamw'): T {
  return JSON.parse(readFileSync(join(TRAINING_FIXTURES, `${name}.json`), 'utf8')) as T;
}

type Nested = number | Nested[];
export type ParamName = 'w' | 'g' | 'b';

export interface RegressionFixture {
  x: number[][];
  y: number[][];
  params: Record<ParamName, Nested>;
  hyper: { lr: number; betas: [number, number]; eps: number; weight_decay: number; max_norm: number; warmup_steps: number; total_steps: number };
  steps: { lr: number; loss: number; grad_norm: number; grads: Record<ParamName, Nested>; params: Record<ParamName, Nested> }[];
}

export interface SkipFixture {
  lr: number;
  weight_decay: number;
  params: Record<'w' | 'b', Nested>;
  steps: { grads: Record<'w' | 'b', Nested | null>; params: Record<'w' | 'b', Nested> }[];
}

export interface TinyFixture {
  lr: number;
  eps: number;
  params: { p: Nested };
  steps: { grads: { p: Nested }; params: { p: Nested } }[];
}

export const flat = (n: Nested): number[] => (Array.isArray(n) ? n.flatMap(flat) : [n]);

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The golden problem: loss = mean(((x @ w) * g + b - y)^2), one full batch. */
export class RegressionModel implements Trainable<{ labels: number[] }> {
  readonly w: tf.Variable;
  readonly g: tf.Variable;
  readonly b: tf.Variable;
  private readonly x: tf.Tensor2D;
  private readonly y: tf.Tensor2D;

  constructor(fx: RegressionFixture) {
    this.x = tf.tensor2d(fx.x);
    this.y = tf.tensor2d(fx.y);
    this.w = tf.variable(tf.tensor2d(fx.params.w as number[][]));
    this.g = tf.variable(tf.tensor1d(fx.params.g as number[]));
    this.b = tf.variable(tf.tensor1d(fx.params.b as number[]));
  }

  get variables(): tf.Variable[] {
    return [this.w, this.g, this.b];
  }

  loss(): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.square(tf.sub(tf.add(tf.mul(tf.matMul(this.x, this.w), this.g), this.b), this.y))) as tf.Scalar);
  }

  dispose(): void {
    tf.dispose([this.x, this.y, this.w, this.g, this.b]);
  }
}

/** The same batch every step: `batchesPerEpoch` copies of a one-row batch, no held-out. */
export function constantSource<B>(batch: B, batchesPerEpoch: number, heldOut: B[] = []): BatchSource<B> {
  return { batchesPerEpoch, epoch: () => Array.from({ length: batchesPerEpoch }, () => batch), heldOut: () => heldOut };
}

/**
 * A tokenizer stand-in: [CLS]=1, one id per whitespace word (a small hash into [3, vocab)), [SEP]=2,
 * right-padded with 0 to the batch's longest row.
 */
export class ToyTokenizer implements BatchTokenizer {
  constructor(readonly vocab = 32) {}

  encodeBatch(texts: string[], opts: { maxLength?: number }): EncodedBatch {
    const maxLength = opts.maxLength ?? 512;
    const rows = texts.map((t) => {
      const words = t.split(/\s+/).filter(Boolean).map((w) => 3 + (hash(w) % (this.vocab - 3)));
      return [1, ...words.slice(0, maxLength - 2), 2];
    });
    const seqLen = Math.max(0, ...rows.map((r) => r.length));
    const inputIds = new Int32Array(rows.length * seqLen);
    const attentionMask = new Int32Array(rows.length * seqLen);
    rows.forEach((r, i) => r.forEach((id, j) => ((inputIds[i * seqLen + j] = id), (attentionMask[i * seqLen + j] = 1))));
    return { inputIds, attentionMask, tokenTypeIds: new Int32Array(rows.length * seqLen), batch: rows.length, seqLen };
  }
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * A bag-of-words classifier over ToyTokenizer batches: logits = mean over real tokens of E[id] + bias, with
 * seeded dropout on the pooled vector when training. E [vocab, classes].
 */
export class BagOfWords implements Trainable<TrainBatch> {
  readonly table: tf.Variable;
  readonly bias: tf.Variable;

  constructor(vocab: number, classes: number, readonly dropout = 0.1) {
    this.table = tf.variable(tf.randomNormal([vocab, classes], 0, 0.01, 'float32', 7));
    this.bias = tf.variable(tf.zeros([classes]));
  }

  get variables(): tf.Variable[] {
    return [this.table, this.bias];
  }

  logits(batch: EncodedBatch, ctx: ForwardContext): tf.Tensor2D {
    return tf.tidy(() => {
      const ids = tf.tensor2d(batch.inputIds, [batch.batch, batch.seqLen], 'int32');
      const mask = tf.tensor2d(batch.attentionMask, [batch.batch, batch.seqLen], 'float32').expandDims(2); // [b, s, 1]
      const emb = tf.gather(this.table, ids); // [b, s, classes]
      let pooled = tf.div(tf.sum(tf.mul(emb, mask), 1), tf.sum(mask, 1)); // [b, classes]
      if (ctx.training && this.dropout > 0) pooled = tf.dropout(pooled, this.dropout, undefined, ctx.seed);
      return tf.add(pooled, this.bias) as tf.Tensor2D;
    });
  }

  loss(batch: TrainBatch, ctx: ForwardContext): tf.Scalar {
    return tf.tidy(() => {
      const logits = this.logits(batch, ctx);
      const onehot = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), logits.shape[1]);
      return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
    });
  }

  dispose(): void {
    tf.dispose([this.table, this.bias]);
  }
}
