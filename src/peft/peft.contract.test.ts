/**
 * The contract every PEFT method passes (STYLE 3, 4), on the tiny BERT and the cpu backend. One row per
 * registered method; a method's quirks are flags on its row, never a branch on its name.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bertForward, inputsFromBatch } from '../encoder/bert/forward';
import { pool } from '../encoder/bert/pooling';
import { readCheckpointDir, readEncoderFixture, TINY_BERT_DIR } from '../encoder/bert/testing/fixtures';
import { BertWeights, LINEAR_NAMES } from '../encoder/bert/weights';
import { selectRows } from '../encoder/sentenceEncoder';
import { initNodeBackend } from '../runtime/nodeBackends';
import { PeftClassifier } from './classifier';
import { LinearHead } from './head';
import type { MethodName } from './method';
import { createDelta, loadDelta, PEFT_METHODS, type MethodConfig } from './registry';

interface ContractRow {
  config: MethodConfig;
  /** The delta has parameters of its own (head-only has none). */
  hasParameters: boolean;
  /** The delta can be folded into the frozen weights. */
  merges: boolean;
  /** A fresh delta cannot be the identity (virtual tokens take attention): outputs must be finite and differ instead. */
  notIdentityAtInit?: true;
}

/** Typed by MethodName: a registered method without a row is a compile error. */
const ROWS: Record<MethodName, ContractRow> = {
  head: { config: PEFT_METHODS.head.defaults, hasParameters: false, merges: false },
  lora: { config: { ...PEFT_METHODS.lora.defaults, targetModules: [...LINEAR_NAMES] }, hasParameters: true, merges: true },
  bottleneck: { config: { ...PEFT_METHODS.bottleneck.defaults, mhAdapter: true, outputAdapter: true }, hasParameters: true, merges: false },
  prefix: { config: { ...PEFT_METHODS.prefix.defaults, numVirtualTokens: 3, encoderHiddenSize: 16 }, hasParameters: true, merges: false, notIdentityAtInit: true },
  ptuningV2: { config: { ...PEFT_METHODS.ptuningV2.defaults, numVirtualTokens: 3 }, hasParameters: true, merges: false, notIdentityAtInit: true },
  prompt: { config: { ...PEFT_METHODS.prompt.defaults, numVirtualTokens: 3 }, hasParameters: true, merges: false, notIdentityAtInit: true },
  ptuning: { config: { ...PEFT_METHODS.ptuning.defaults, numVirtualTokens: 3, encoderHiddenSize: 16, encoderReparameterizationType: 'LSTM' }, hasParameters: true, merges: false, notIdentityAtInit: true },
};

const TOL_IDENTITY = 1e-6;
const TOL_MERGE = 1e-5;
const CLASSES = 3;
const LABELS = [0, 2, 1];
const SEED = 11;

const ckpt = readCheckpointDir(TINY_BERT_DIR);
const batch = selectRows(readEncoderFixture('tiny').batch, [1, 4, 0]);
const pooling = { mode: 'mean', normalize: false } as const;

async function values(t: tf.Tensor): Promise<Float32Array> {
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Copies of every tensor's values, to compare after training. */
function snapshot(tensors: readonly tf.Tensor[]): Float32Array[] {
  return tensors.map((t) => t.dataSync() as Float32Array).map((d) => d.slice());
}

describe.each(Object.entries(ROWS) as [MethodName, ContractRow][])('PEFT contract: %s', (_name, row) => {
  let weights: BertWeights;
  let clf: PeftClassifier;
  const create = () => {
    return new PeftClassifier(weights, pooling, createDelta(ckpt.config, row.config, SEED), LinearHead.random(ckpt.config.hiddenSize, CLASSES, SEED));
  };
  const load = (saved: Record<string, tf.Tensor>) => {
    return new PeftClassifier(weights, pooling, loadDelta(ckpt.config, row.config, saved), LinearHead.load(saved));
  };
  const sgdStep = (c: PeftClassifier, opt: tf.Optimizer) =>
    tf.dispose(opt.minimize(() => c.loss(batch, LABELS, { training: true }), true, c.trainableVariables()) ?? []);

  beforeAll(async () => {
    await initNodeBackend('cpu');
    weights = BertWeights.fromCheckpoint(ckpt);
  });

  afterAll(() => {
    clf?.dispose();
    weights?.dispose();
  });

  it('is the identity at init: embeddings equal the frozen encoder', async () => {
    clf = create();
    const frozen = await values(tf.tidy(() => {
      const out = bertForward(weights, inputsFromBatch(batch));
      return pool(out.lastHiddenState, out.attentionMask, pooling);
    }));
    const embeddings = await values(clf.embeddings(batch));
    if (row.notIdentityAtInit) {
      expect(embeddings.every(Number.isFinite)).toBe(true);
      expect(maxAbsDiff(embeddings, frozen)).toBeGreaterThan(TOL_IDENTITY);
    } else expect(maxAbsDiff(embeddings, frozen)).toBeLessThanOrEqual(TOL_IDENTITY);
    expect(clf.delta.variables.length > 0).toBe(row.hasParameters);
  });

  it('changes only its own tensors in a training step; outputs stay finite', async () => {
    const encoderBefore = snapshot(weights.tensors());
    const deltaBefore = snapshot(clf.delta.variables);
    const headBefore = snapshot(clf.head.variables);
    const opt = tf.train.sgd(0.5);
    sgdStep(clf, opt);
    opt.dispose();
    expect(snapshot(weights.tensors())).toEqual(encoderBefore);
    const changed = (before: Float32Array[], after: Float32Array[]) => before.some((b, i) => maxAbsDiff(b, after[i]) > 0);
    expect(changed(headBefore, snapshot(clf.head.variables))).toBe(true);
    expect(changed(deltaBefore, snapshot(clf.delta.variables))).toBe(row.hasParameters);
    const logits = await values(clf.logits(batch));
    expect(logits.every(Number.isFinite)).toBe(true);
  });

  it('gives identical outputs after save -> load', async () => {
    const saved = tf.tidy(() => Object.fromEntries(Object.entries(clf.tensors()).map(([k, t]) => [k, tf.clone(t)])));
    const loaded = load(saved);
    tf.dispose(Object.values(saved));
    expect(await values(loaded.logits(batch))).toEqual(await values(clf.logits(batch)));
    loaded.dispose();
  });

  if (!row.merges) {
    it('offers no merge, as its row declares', () => {
      expect(clf.delta.merging).toBeUndefined();
    });
  } else it('gives the same outputs merged as unmerged, and unmerges bit-exact', async () => {
    const merging = clf.delta.merging!;
    const unmerged = await values(clf.logits(batch));
    const encoderBefore = snapshot(weights.tensors());
    merging.merge(weights);
    expect(merging.merged).toBe(true);
    const merged = await values(clf.logits(batch));
    merging.unmerge();
    expect(merging.merged).toBe(false);
    expect(maxAbsDiff(merged, unmerged)).toBeLessThanOrEqual(TOL_MERGE);
    expect(snapshot(weights.tensors())).toEqual(encoderBefore);
    expect(await values(clf.logits(batch))).toEqual(unmerged);
  });

  it('leaks no tensors over 3 training steps', () => {
    const opt = tf.train.sgd(0.1);
    sgdStep(clf, opt); // warm-up: anything created once per optimizer
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) sgdStep(clf, opt);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
  });
});
