/**
 * The kernels inside the encoder and LoRA, on webgpu through Dawn: an int8 tiny BERT with our kernels on gives
 * the forward, the LoRA logits and loss and every LoRA gradient (dropout on) of the same model with the
 * weights dequantised to f32 through tfjs's ops (the path the PyTorch parity tests check), merges and unmerges,
 * and leaks nothing over training steps. Also: the bundled MiniLM's weights on the GPU take at most 30% of
 * their f32 bytes. (bert.parity.test.ts runs MiniLM on webgpu against PyTorch with the kernels on;
 * kernels.pytorch.parity.test.ts every PEFT method's gradients against PyTorch on the int8 tiny BERT.)
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINILM_DIR, readCheckpointDir } from '../encoder/bert/testing/fixtures';
import { bertForward, inputsFromBatch } from '../encoder/bert/forward';
import { BertWeights } from '../encoder/bert/weights';
import { loadCheckpoint } from '../encoder/loader';
import { makeTinyCheckpointFiles } from '../encoder/loader/testing/tinyCheckpoint';
import type { Checkpoint, EncodedBatch } from '../encoder/types';
import { PeftClassifier } from '../peft/classifier';
import { LinearHead } from '../peft/head';
import { LORA_DEFAULTS, LoraDelta } from '../peft/lora';
import { METHOD_NAMES } from '../peft/method';
import { createDelta, PEFT_METHODS } from '../peft/registry';
import { initNodeBackend, uninstallNodeWebGpu } from '../runtime/nodeBackends';
import { setKernelsEnabled } from './flags';
import { compare, rng, take, type Tolerance } from './testing/reference';

/** Kernels on vs tfjs ops on the same dequantised weights: only f32 summation order differs. */
const TOL_ON_OFF: Tolerance = { abs: 1e-5, rel: 1e-4 };

let ckpt: Checkpoint;
let int8: BertWeights; // kept int8 (kernels)
let f32: BertWeights; // dequantised (tfjs ops)
const pooling = { mode: 'mean', normalize: false } as const;

/** 3 rows of 6 tokens from the tiny vocabulary, the last row padded. */
const batch: EncodedBatch = (() => {
  const next = rng(4);
  const inputIds = Int32Array.from({ length: 18 }, () => Math.floor(next() * 16));
  const attentionMask = Int32Array.from({ length: 18 }, (_, i) => (i >= 15 ? 0 : 1));
  return { inputIds, attentionMask, tokenTypeIds: new Int32Array(18), batch: 3, seqLen: 6 };
})();
const labels = [0, 1, 1];

beforeAll(async () => {
  const choice = await initNodeBackend('webgpu');
  expect(choice.backend, `webgpu did not start: ${choice.fallbackReason}`).toBe('webgpu');
  ckpt = await loadCheckpoint({ kind: 'files', id: 'tiny-int8', files: makeTinyCheckpointFiles({ int8: true }) });
  int8 = BertWeights.fromCheckpoint(ckpt, { keepInt8: true });
  f32 = BertWeights.fromCheckpoint(ckpt, { keepInt8: false });
});

afterAll(() => {
  int8?.dispose();
  f32?.dispose();
  setKernelsEnabled(true);
  uninstallNodeWebGpu();
});

/** A LoRA on every linear layer with random A and B (a fresh one has B = 0: no gradient reaches A). */
function randomLora(seed: number): LoraDelta {
  const delta = LoraDelta.create(ckpt.config, { ...LORA_DEFAULTS, r: 3, loraDropout: 0.2, targetModules: ['query', 'key', 'value', 'attentionOutput', 'intermediate', 'output'] }, seed);
  delta.variables.forEach((v, i) => v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', seed + i)));
  return delta;
}

describe('kernels in the encoder (tiny int8 BERT, webgpu)', () => {
  it('keeps the linear layers and word embeddings int8 on the GPU only when asked', () => {
    expect(int8.layers[0].query.int8).toBeDefined();
    expect(int8.layers[0].query.w).toBeUndefined();
    expect(int8.embeddings.wordInt8).toBeDefined();
    expect(f32.layers[0].query.w).toBeDefined();
    expect(f32.layers[0].query.int8).toBeUndefined();
  });

  it('runs the forward like tfjs on the dequantised weights', async () => {
    const run = (w: BertWeights) => take(tf.tidy(() => bertForward(w, inputsFromBatch(batch)).lastHiddenState));
    const r = compare(await run(int8), await run(f32), TOL_ON_OFF);
    expect(r.ok, r.worst).toBe(true);
  });

  it('gives LoRA the same logits, loss and gradients (dropout on) as tfjs on the dequantised weights', async () => {
    const delta = randomLora(11);
    const head = LinearHead.random(ckpt.config.hiddenSize, 2, 3);
    const measure = async (w: BertWeights) => {
      const clf = new PeftClassifier(w, pooling, delta, head);
      const vars = clf.trainableVariables();
      const { value, grads } = tf.variableGrads(() => clf.loss(batch, labels, { training: true, seed: 5 }), vars);
      const out = { loss: await take(value), grads: await Promise.all(vars.map((v) => take(grads[v.name]))), logits: await take(clf.logits(batch)) };
      return out;
    };
    const on = await measure(int8);
    const off = await measure(f32);
    expect(compare(on.logits, off.logits, TOL_ON_OFF).ok).toBe(true);
    expect(Math.abs(on.loss[0] - off.loss[0])).toBeLessThanOrEqual(TOL_ON_OFF.abs);
    expect(on.grads.length).toBe(delta.variables.length + 2);
    on.grads.forEach((g, i) => {
      const r = compare(g, off.grads[i], TOL_ON_OFF);
      expect(r.ok, `gradient ${i}: ${r.worst}`).toBe(true);
    });
    expect(on.grads.some((g) => g.some((v) => v !== 0))).toBe(true);
    delta.dispose();
    head.dispose();
  });

  it('merges LoRA into int8 layers and unmerges back to int8', async () => {
    const delta = randomLora(21);
    const head = LinearHead.random(ckpt.config.hiddenSize, 2, 3);
    const clf = new PeftClassifier(int8, pooling, delta, head);
    const unmerged = await take(clf.logits(batch));
    delta.merging.merge(int8);
    expect(int8.layers[1].value.w).toBeDefined();
    const merged = await take(clf.logits(batch));
    delta.merging.unmerge();
    expect(int8.layers[1].value.w).toBeUndefined();
    const r = compare(merged, unmerged, TOL_ON_OFF);
    expect(r.ok, r.worst).toBe(true);
    delta.dispose();
    head.dispose();
  });

  it('leaves no tensors behind over LoRA training steps with the kernels on', async () => {
    const delta = randomLora(31);
    const head = LinearHead.random(ckpt.config.hiddenSize, 2, 3);
    const clf = new PeftClassifier(int8, pooling, delta, head);
    const vars = clf.trainableVariables();
    const optimizer = tf.train.sgd(0.1);
    const step = () => take(optimizer.minimize(() => clf.loss(batch, labels, { training: true, seed: 2 }), true, vars)!);
    const first = await step();
    const tensors = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 3; i++) last = await step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(last[0]).toBeLessThan(first[0]); // the kernels' gradients train
    optimizer.dispose();
    delta.dispose();
    head.dispose();
  });
});

describe.each(METHOD_NAMES)('PEFT method %s through the int8 kernels (tiny int8 BERT, webgpu)', (method) => {
  it('gets the same loss and gradients as through tfjs on the dequantised weights', async () => {
    const defaults = PEFT_METHODS[method].defaults;
    // The tiny model has 10 positions: 2 virtual tokens + 6 real ones fit.
    const config = 'numVirtualTokens' in defaults ? { ...defaults, numVirtualTokens: 2 } : defaults;
    const delta = createDelta(ckpt.config, config, 3);
    delta.variables.forEach((v, i) => v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', 40 + i))); // off the identity
    const head = LinearHead.random(ckpt.config.hiddenSize, 2, 3);
    const measure = async (w: BertWeights) => {
      const clf = new PeftClassifier(w, pooling, delta, head);
      const vars = clf.trainableVariables();
      const { value, grads } = tf.variableGrads(() => clf.loss(batch, labels, { training: true, seed: 9 }), vars);
      return { loss: (await take(value))[0], grads: await Promise.all(vars.map((v) => take(grads[v.name]))) };
    };
    const on = await measure(int8);
    const off = await measure(f32);
    expect(Math.abs(on.loss - off.loss)).toBeLessThanOrEqual(TOL_ON_OFF.abs);
    on.grads.forEach((g, i) => {
      const r = compare(g, off.grads[i], TOL_ON_OFF);
      expect(r.ok, `gradient ${i}: ${r.worst}`).toBe(true);
    });
    delta.dispose();
    head.dispose();
  });
});

describe('GPU weight memory of the bundled MiniLM', () => {
  it('is at most 30% of the f32 figure with the weights kept int8', () => {
    const minilm = readCheckpointDir(MINILM_DIR, 'all-MiniLM-L6-v2');
    const bytes = (w: BertWeights) => w.tensors().reduce((n, t) => n + t.size * 4, 0); // f32 and int32 words: 4 bytes
    const kept = BertWeights.fromCheckpoint(minilm, { keepInt8: true });
    const keptBytes = bytes(kept);
    kept.dispose();
    const full = BertWeights.fromCheckpoint(minilm, { keepInt8: false });
    const fullBytes = bytes(full);
    full.dispose();
    console.info(`MiniLM weights on the GPU: ${keptBytes} bytes int8 vs ${fullBytes} f32 (${((100 * keptBytes) / fullBytes).toFixed(1)}%)`);
    expect(keptBytes / fullBytes).toBeLessThanOrEqual(0.3);
  });
});
